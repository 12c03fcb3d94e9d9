/* A print button: the browser's print dialog for the map page, which gzmap.css's print rules turn
 * into the title block above the map with its legend and scale, without the buttons. Before the
 * page is laid out for paper the map takes its new size, so nothing is cut or left blank. */
(function () {
  "use strict";
  var GZ = window.GZ;
  var ICON = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" style="vertical-align:middle">' +
    '<path d="M3.5 5V1h7v4M3.5 10.5H1.5V5h11v5.5h-2M3.5 8h7v5h-7z" fill="none" stroke="#333" stroke-width="1.3"/></svg>';

  GZ.plugins.push({ add: function (map) {
    var resize = function () { map.invalidateSize({ animate: false }); };
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
    GZ.button(map, "topleft", ICON, "print", function () { window.print(); });
  } });
})();
