/* The title block (geo.maps.title_block, the layout document's `title`): the map's title, the
 * data's revision and date, the documents it follows and the 审图号 when one is configured, in a
 * thin bar above the map. It sits outside the map's area, so it never covers a marker, and it is
 * printed with the map (gz-print.js). Its texts arrive escaped from the server. */
(function () {
  "use strict";
  var GZ = window.GZ;
  var bar = null;

  GZ.plugins.push({
    add: function (map) {
      var box = map.getContainer();
      bar = document.createElement("div");
      bar.className = "gz-title";
      box.parentNode.insertBefore(bar, box);
      L.DomUtil.addClass(box.parentNode, "gz-titled"); // the parent stacks bar and map (gzmap.css)
    },
    texts: function (map, layout) {
      var t = layout.title || {};
      var meta = [t.revision, t.documents, t.review].filter(Boolean);
      bar.innerHTML = '<div class="gz-title-main">' + (t.title || "") + "</div>" +
        '<div class="gz-title-meta">' + meta.map(function (m) { return "<span>" + m + "</span>"; }).join("") + "</div>";
      bar.title = [t.title].concat(meta).map(GZ.plain).join("\n"); // the whole text where a line is cut
      map.invalidateSize();
    },
  });
})();
