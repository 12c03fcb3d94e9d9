/* A distance measure: the button starts it, each click on the map adds a point, and the running
 * total shows at the last point in km (great-circle distance, Leaflet's map.distance: well within
 * 0.5% of the ellipsoid's at Guangzhou's scale). The button again, or Escape, ends it. While it
 * runs markers let clicks through, so a point can be set on a place. */
(function () {
  "use strict";
  var GZ = window.GZ;
  var ICON = '<path d="M1 10L10 1l3 3-9 9zM4 7l1.5 1.5M6 5l1.5 1.5M8 3l1.5 1.5" fill="none" stroke="#333" stroke-width="1.4"/>';

  GZ.plugins.push({ add: function (map) {
    var points = [], group = null, end = null, button = null;

    function km(metres) {
      return GZ.text("measure_km").replace("{km}", (metres / 1000).toFixed(metres < 10000 ? 2 : 1));
    }

    function total() {
      var d = 0;
      for (var i = 1; i < points.length; i++) d += map.distance(points[i - 1], points[i]);
      return d;
    }

    function stop() {
      if (group) group.remove();
      group = null; end = null; points = [];
      GZ.measuring = false;
      L.DomUtil.removeClass(map.getContainer(), "gz-measuring");
      if (button) { L.DomUtil.removeClass(button, "gz-on"); button.setAttribute("aria-pressed", "false"); }
    }

    GZ.button(map, "topleft", ICON, "measure", function (a) {
      button = a;
      if (L.DomUtil.hasClass(map.getContainer(), "gz-measuring")) { stop(); return; }
      map.closePopup();
      L.DomUtil.addClass(map.getContainer(), "gz-measuring");
      L.DomUtil.addClass(a, "gz-on");
      a.setAttribute("aria-pressed", "true");
      group = L.layerGroup().addTo(map);
      GZ.measuring = true; // gzmap.js: a reviewer's pick ignores the clicks that measure
      L.polyline([], { color: "#c0392b", weight: 2.5, dashArray: "6 4", interactive: false }).addTo(group);
      GZ.toast(map, GZ.text("measure_hint"));
    });

    map.on("click", function (e) {
      if (!group) return;
      points.push(e.latlng);
      group.eachLayer(function (l) { if (l.setLatLngs) l.setLatLngs(points); });
      L.circleMarker(e.latlng, { radius: 4, color: "#c0392b", weight: 2, fillColor: "#fff", fillOpacity: 1,
                                 interactive: false }).addTo(group);
      if (end) end.remove();
      end = L.tooltip({ permanent: true, direction: "right", offset: [8, 0], className: "gz-measure-total" })
        .setLatLng(e.latlng).setContent(points.length > 1 ? km(total()) : km(0)).addTo(group);
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && group) stop(); });
  } });
})();
