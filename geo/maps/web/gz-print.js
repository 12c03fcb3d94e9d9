/* A print button: the browser's print dialog for the map page, which gzmap.css's print rules turn
 * into the title block above the map with its legend and scale, without the buttons. On paper the
 * map shows what the screen showed (fitted to the page's size), and the screen's view comes back after. */
(function () {
  "use strict";
  var GZ = window.GZ;
  var ICON = '<path d="M3.5 5V1h7v4M3.5 10.5H1.5V5h11v5.5h-2M3.5 8h7v5h-7z" fill="none" stroke="#333" stroke-width="1.3"/>';

  GZ.plugins.push({ add: function (map) {
    // The print media query, not beforeprint: it changes once the page has its paper layout, so
    // the map measures the size it has on paper.
    var shown = null;
    window.matchMedia("print").addEventListener("change", function (e) {
      if (e.matches) {
        shown = { bounds: map.getBounds(), center: map.getCenter(), zoom: map.getZoom() };
        map.invalidateSize({ animate: false });
        map.fitBounds(shown.bounds, { animate: false });
      } else if (shown) {
        map.invalidateSize({ animate: false });
        map.setView(shown.center, shown.zoom, { animate: false });
        shown = null;
      }
    });
    GZ.button(map, "topleft", ICON, "print", function () { window.print(); });
  } });
})();
