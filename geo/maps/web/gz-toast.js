/* A short confirmation over the map ("链接已复制"): one line at the bottom centre that a screen
 * reader reads (role=status) and that goes by itself after a few seconds. GZ.toast(map, text). */
(function () {
  "use strict";
  var GZ = window.GZ;
  var SHOWN_MS = 2500;
  var box = null, timer = null;

  GZ.toast = function (map, text) {
    if (!box) {
      box = L.DomUtil.create("div", "gz-toast", map.getContainer());
      box.setAttribute("role", "status");
    }
    box.textContent = text;  // plain text: never HTML
    L.DomUtil.addClass(box, "gz-toast-on");
    clearTimeout(timer);
    timer = setTimeout(function () { L.DomUtil.removeClass(box, "gz-toast-on"); }, SHOWN_MS);
  };
})();
