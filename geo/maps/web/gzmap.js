/* The layout's own map controls, served from the app like Leaflet (no CDN).
 *
 * GZ.init(map, payload) adds: one keyboard-reachable marker per place (everything at one point
 * shares it; its popup lists all of them), labels that never overlap (placed in priority order,
 * a label that does not fit is hidden until it does), a collapsible legend, fullscreen, pointer
 * coordinates, a metric scale, an optional minimap, a notice when basemap tiles fail, and the
 * user's view kept across reruns (sessionStorage, reset when the server asks for a new view).
 * The payload holds every layer; GZ.setLayers(keys) shows some of them, in the browser alone:
 * markers, labels and legend are drawn again from the members on those layers, and the lines
 * and areas of the others are hidden.
 * GZ.setReviews(lines) puts a signed-in user's review status (entry id -> text) at the top of the
 * popups of the markers standing for those entries: the payload's popups are the same for every
 * user, so the lines are added in the browser when a popup opens.
 * Every text it shows comes escaped from the server (geo.safe.html_text), in the page's language
 * (payload.lang, payload.text: geo/ui_strings.yaml's web.* texts).
 */
(function () {
  "use strict";
  var GZ = (window.GZ = window.GZ || {});
  var T = {}; // the interface texts, set by GZ.init

  // Names arrive HTML-escaped (they also go into popup HTML); for text-only DOM uses (title,
  // aria-label, textContent) they are decoded, which a textarea does without running anything.
  function plain(escaped) {
    var t = document.createElement("textarea");
    t.innerHTML = escaped;
    return t.value;
  }

  function svgIcon(p) {
    var s = p.size;
    return L.divIcon({
      className: "gz-marker " + p.classes,
      html: p.svg,
      iconSize: [s, s],
      iconAnchor: [s / 2, s / 2],
      popupAnchor: [0, -s / 2],
    });
  }

  // What the layers that are on show: one marker per place, for its members on those layers
  // (symbol and label from the highest-ranked, which comes first; a member with a priority is
  // labelled), and the district names.
  function derive(payload, on) {
    var points = [], labels = [];
    payload.places.forEach(function (place) {
      var ms = place.members.filter(function (m) { return on[m.layer]; });
      if (!ms.length) return;
      var sym = ms.filter(function (m) { return m.symbol; })[0] || ms[0];
      var names = [], classes = { "gz-item": 1 };
      ms.forEach(function (m) {
        if (names.indexOf(m.label) < 0) names.push(m.label);
        classes[m.css] = 1;
        classes["gz-id-" + m.id] = 1;
      });
      points.push({ lat: place.lat, lon: place.lon, ids: ms.map(function (m) { return m.id; }), svg: sym.svg,
                    size: sym.size, classes: Object.keys(classes).sort().join(" "), name: names.join(T.join),
                    popup: popupHtml(ms), members: ms });
      var top = ms[0];
      if (top.priority) {
        labels.push({ lat: place.lat, lon: place.lon, text: top.label, kind: top.strong ? "strong" : "place",
                      marker: points.length - 1, priority: top.priority, min_zoom: 0, gap: Math.floor(sym.size / 2) + 3 });
      }
    });
    if (on.districts) {
      payload.districts.forEach(function (d) {
        labels.push({ lat: d.lat, lon: d.lon, text: d.text, kind: "district", marker: -1, priority: d.priority,
                      min_zoom: 0, gap: 0 });
      });
    }
    return { points: points, labels: labels };
  }

  // One member: its details; several: the first open, the others one click away.
  function popupHtml(ms) {
    if (ms.length === 1) return ms[0].popup;
    var html = '<div class="gz-group"><div class="gz-name">' + ms[0].label + "</div>";
    ms.forEach(function (m, i) {
      html += "<details" + (i === 0 ? " open" : "") + "><summary>" + m.kind + T.colon + m.label + "</summary>" +
        m.popup + "</details>";
    });
    return html + "</div>";
  }

  // The review status lines of a marker's members (GZ.reviews: entry id -> escaped text), after
  // the member's name when the marker stands for several (the status has a colon of its own).
  function reviewLines(ms) {
    return ms.filter(function (m) { return GZ.reviews[m.id] !== undefined; }).map(function (m) {
      return '<div class="gz-review">' + (ms.length > 1 ? m.label + " · " : "") + GZ.reviews[m.id] + "</div>";
    }).join("");
  }

  function pane(map, name, z) {
    var p = map.getPane(name) || map.createPane(name);
    p.style.zIndex = z;
    return p;
  }

  function addPoints(map, payload) {
    pane(map, "gz-points", 640); // above lines, areas and Leaflet's own markers
    var markers = [];
    payload.points.forEach(function (p) {
      var m = L.marker([p.lat, p.lon], {
        // A focusable marker is focused on mousedown, and the focus scroll then turns the click
        // into a click on the map: keyboard users get one button per marker instead (below).
        icon: svgIcon(p), pane: "gz-points", keyboard: false, title: plain(p.name), riseOnHover: true, autoPanOnFocus: false,
      });
      // Padding keeps an open popup clear of the zoom and fullscreen buttons on the left. The
      // content is made when the popup opens, with the review lines of that moment.
      m.bindPopup(function () { return reviewLines(p.members) + p.popup; },
                  { maxWidth: 360, maxHeight: 380, autoPanPaddingTopLeft: [58, 12],
                    autoPanPaddingBottomRight: [12, 24], className: "gz-popup" });
      m.on("add", function () {
        var el = m.getElement();
        el.setAttribute("aria-label", plain(p.name));
        el.dataset.ids = p.ids.join(" ");
      });
      m.addTo(map);
      markers.push(m);
    });
    // Markers that would overlap at this zoom are set on a small ring around their common
    // centre (on screen only; the popup says where they are), so every one stays clickable.
    function declutter() {
      var pts = markers.map(function (m, i) {
        var p = map.latLngToLayerPoint(m.getLatLng());
        return { m: m, x0: p.x, y0: p.y, x: p.x, y: p.y, s: payload.points[i].size };
      });
      for (var iter = 0; iter < 80; iter++) { // push overlapping pairs apart until none overlap
        var moved = false;
        for (var i = 0; i < pts.length; i++) {
          for (var j = i + 1; j < pts.length; j++) {
            var a = pts[i], b = pts[j];
            var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy);
            var need = (a.s + b.s) / 2 + 3;
            if (d >= need) continue;
            if (d < 0.01) { dx = Math.cos(i + j); dy = Math.sin(i + j); d = 1; }
            var push = (need - d) / 2 + 0.1;
            a.x -= dx / d * push; a.y -= dy / d * push; b.x += dx / d * push; b.y += dy / d * push;
            moved = true;
          }
        }
        if (!moved) break;
      }
      pts.forEach(function (a) {
        var el = a.m.getElement();
        if (!el) return;
        el.style.marginLeft = (-a.s / 2 + a.x - a.x0) + "px";
        el.style.marginTop = (-a.s / 2 + a.y - a.y0) + "px";
      });
    }
    map.on("zoomend viewreset resize load", declutter);
    declutter();
    setTimeout(function () { declutter(); if (GZ.placeLabels) GZ.placeLabels(); }, 0); // once the map has its size
    // Keyboard access: Tab walks one visually hidden button per marker (its name as accessible
    // name), Enter opens that marker's popup; the focused marker is outlined on the map.
    var list = L.DomUtil.create("div", "gz-a11y", document.body); // outside the map: it must not scroll it
    list.setAttribute("aria-label", T.places);
    markers.forEach(function (m, i) {
      var b = L.DomUtil.create("button", "gz-a11y-item", list);
      b.type = "button";
      b.textContent = plain(payload.points[i].name);
      b.dataset.ids = payload.points[i].ids.join(" ");
      b.addEventListener("focus", function () { L.DomUtil.addClass(m.getElement(), "gz-focus"); });
      b.addEventListener("blur", function () { L.DomUtil.removeClass(m.getElement(), "gz-focus"); });
      b.addEventListener("click", function () { m.openPopup(); });
    });
    return { markers: markers, remove: function () {
      map.off("zoomend viewreset resize load", declutter);
      markers.forEach(function (m) { m.remove(); });
      list.remove();
    } };
  }

  function addLabels(map, payload) {
    pane(map, "gz-labels", 630).style.pointerEvents = "none";
    var labels = payload.labels.map(function (l) {
      var icon = L.divIcon({ className: "gz-label gz-label-" + l.kind, html: "<span>" + l.text + "</span>",
                             iconSize: null, iconAnchor: [0, 0] });
      var m = L.marker([l.lat, l.lon], { icon: icon, pane: "gz-labels", interactive: false, keyboard: false });
      m.addTo(map);
      var g = l.gap;  // room for the symbol: right, left, above or below it; districts centred
      var spots = l.kind === "district" ?
        ["translate(-50%,-50%)", "translate(-50%,-150%)", "translate(-50%,50%)", "translate(-110%,-50%)",
         "translate(10%,-50%)"] :
        ["translate(" + g + "px,-50%)", "translate(calc(-100% - " + g + "px),-50%)",
         "translate(-50%,calc(-100% - " + g + "px))", "translate(-50%," + g + "px)"];
      return { marker: m, priority: l.priority, min_zoom: l.min_zoom, owner: l.marker, spots: spots };
    });
    // In the registry's label order (geo.data.kinds.label_rank; district names declare theirs
    // there too): each priority is a list, compared item by item.
    labels.sort(function (a, b) {
      for (var i = 0; i < Math.max(a.priority.length, b.priority.length); i++) {
        var d = (a.priority[i] || 0) - (b.priority[i] || 0);
        if (d) return d;
      }
      return 0;
    });
    function place() {
      // Markers are obstacles too: a label never covers a symbol.
      var symbols = (GZ.markers || []).map(function (m, i) {
        var el = m.getElement();
        var r = el ? el.getBoundingClientRect() : null;
        return r && r.width > 0 ? { r: r, owner: i } : null;
      }).filter(Boolean);
      // The legend and the buttons are obstacles too: a label never hides under a control.
      var shown = [].map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (c) {
        return c.getBoundingClientRect();
      }).filter(function (q) { return q.width > 0; });
      var zoom = map.getZoom();
      var box = map.getContainer().getBoundingClientRect(); // a label never runs off the map
      var inside = function (q) { return q.left >= box.left && q.right <= box.right && q.top >= box.top && q.bottom <= box.bottom; };
      labels.forEach(function (l) {
        var el = l.marker.getElement();
        if (!el) return;
        el.style.visibility = "visible";
        if (zoom < l.min_zoom) { el.style.visibility = "hidden"; return; }
        var span = el.firstChild, r = null;
        var hits = function (o) {
          return r.left < o.right + 2 && r.right > o.left - 2 && r.top < o.bottom + 1 && r.bottom > o.top - 1;
        };
        var free = l.spots.some(function (spot) {
          span.style.transform = spot;
          r = span.getBoundingClientRect();
          return inside(r) && !shown.some(hits) && !symbols.some(function (s) { return s.owner !== l.owner && hits(s.r); });
        });
        if (free) { shown.push(r); } else { el.style.visibility = "hidden"; }
      });
    }
    map.on("zoomend moveend resize overlayadd overlayremove", place);
    // Again once the page has laid the map out and its fonts are in: sizes change then.
    setTimeout(place, 0);
    setTimeout(place, 400);
    window.addEventListener("load", place);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(place);
    return { place: place, remove: function () {
      map.off("zoomend moveend resize overlayadd overlayremove", place);
      window.removeEventListener("load", place);
      labels.forEach(function (l) { l.marker.remove(); });
    } };
  }

  function addLegend(map, payload) {
    // Top right: over Conghua's hills, where the plans place least.
    var ctl = L.control({ position: "topright" });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "gz-legend-box");
      var narrow = map.getSize().x < 600;
      div.innerHTML = '<details class="gz-legend"' + (narrow ? "" : " open") + "><summary>" + T.legend + "</summary>" +
        '<div class="gz-legend-body"></div></details>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    ctl.addTo(map);
    // Labels keep clear of the legend: place them again when it opens or closes.
    ctl.getContainer().querySelector("details").addEventListener("toggle", function () {
      if (GZ.placeLabels) GZ.placeLabels();
    });
    // Never over an open popup: on a small map the legend folds and steps aside while one is open.
    map.on("popupopen", function () {
      if (map.getSize().x >= 900) return;
      ctl.getContainer().querySelector("details").open = false;
      ctl.getContainer().style.visibility = "hidden";
    });
    map.on("popupclose", function () { ctl.getContainer().style.visibility = ""; });
    return ctl;
  }

  function button(map, position, text, title, onclick) {
    var ctl = L.control({ position: position });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar gz-button");
      var a = L.DomUtil.create("a", "", div);
      a.href = "#"; a.role = "button"; a.title = title; a.setAttribute("aria-label", title); a.innerHTML = text;
      L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onclick(a); });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return ctl.addTo(map);
  }

  function addFullscreen(map) {
    var icon = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" style="vertical-align:middle">' +
      '<path d="M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9" fill="none" stroke="#333" stroke-width="2"/></svg>';
    button(map, "topleft", icon, T.fullscreen, function () {
      var el = map.getContainer();
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (el.requestFullscreen) { el.requestFullscreen(); }
      setTimeout(function () { map.invalidateSize(); }, 200);
    });
  }

  function addCoordinates(map, payload) {
    var ctl = L.control({ position: "bottomleft" });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "gz-coords");
      div.textContent = T.coords;
      return div;
    };
    ctl.addTo(map);
    function show(e) {
      var lat = e.latlng.lat, lon = e.latlng.lng;
      var text = "WGS84 " + lat.toFixed(5) + ", " + lon.toFixed(5);
      if (payload.gcj02) {
        // On GCJ-02 tiles the map is drawn in GCJ-02: show both readings.
        var w = GZ.gcjToWgs(lon, lat);
        text = "GCJ-02 " + lat.toFixed(5) + ", " + lon.toFixed(5) + " · WGS84 " + w[1].toFixed(5) + ", " + w[0].toFixed(5);
      }
      ctl.getContainer().textContent = text;
    }
    map.on("mousemove click", show);
  }

  function addMinimap(map, payload) {
    var mini = null, box = null, holder = null;
    var icon = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" style="vertical-align:middle">' +
      '<rect x="1" y="1" width="12" height="12" fill="none" stroke="#333" stroke-width="1.5"/>' +
      '<rect x="5" y="5" width="5" height="4" fill="#c0392b"/></svg>';
    button(map, "topleft", icon, T.minimap, function () {
      if (mini) { mini.remove(); holder.remove(); mini = null; return; }
      holder = L.DomUtil.create("div", "gz-minimap", map.getContainer());
      L.DomEvent.disableClickPropagation(holder);
      mini = L.map(holder, { attributionControl: false, zoomControl: false, dragging: false,
                              scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false });
      L.geoJSON(payload.outline, { style: { color: "#666", weight: 1, fillColor: "#dde", fillOpacity: 0.6 },
                                   interactive: false }).addTo(mini);
      mini.fitBounds(L.geoJSON(payload.outline).getBounds());
      box = L.rectangle(map.getBounds(), { color: "#c0392b", weight: 1.5, fill: false, interactive: false }).addTo(mini);
      map.on("moveend", function () { if (box) box.setBounds(map.getBounds()); });
    });
  }

  function addCopyLink(map) {
    // The page's URL already says what is shown (layers, district, basemap, document, place);
    // the view is added at the moment of copying.
    var icon = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" style="vertical-align:middle">' +
      '<path d="M6 8l2-2M5 5l2-2a2.1 2.1 0 013 3l-2 2M9 9l-2 2a2.1 2.1 0 01-3-3l2-2" fill="none" stroke="#333" stroke-width="1.6"/></svg>';
    button(map, "topleft", icon, T.copy_link, function (a) {
      var loc;
      try { loc = new URL(window.parent.location.href); } catch (e) { loc = new URL(window.location.href); }
      var c = map.getCenter();
      loc.searchParams.set("view", c.lat.toFixed(5) + "," + c.lng.toFixed(5) + "," + map.getZoom());
      var url = loc.toString();
      GZ.lastLink = url;
      var done = function () { a.title = T.link_copied + url; a.setAttribute("aria-label", a.title); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, function () { window.prompt(T.copy_prompt, url); });
      } else {
        window.prompt(T.copy_prompt, url);
      }
    });
  }

  function watchTiles(map) {
    var failed = 0, notice = null;
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) return;
      layer.on("tileerror", function () {
        failed += 1;
        if (notice || failed < 2) return;
        notice = L.control({ position: "topright" });
        notice.onAdd = function () {
          var div = L.DomUtil.create("div", "gz-notice");
          div.setAttribute("role", "status");
          div.textContent = T.tiles_failed;
          return div;
        };
        notice.addTo(map);
      });
    });
  }

  function keepView(map, payload) {
    var key = "gz-view";
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (saved && saved.token === payload.view_token) {
        map.setView([saved.lat, saved.lng], saved.zoom, { animate: false });
      }
    } catch (e) { /* storage may be off: keep the server's view */ }
    map.on("moveend", function () {
      var c = map.getCenter();
      try {
        window.sessionStorage.setItem(key, JSON.stringify({ token: payload.view_token, lat: c.lat, lng: c.lng, zoom: map.getZoom() }));
      } catch (e) { /* ignore */ }
    });
  }

  // GCJ-02 -> WGS84 for the coordinate read-out (the same published formula as geo/crs.py).
  function delta(lon, lat) {
    var a = 6378245.0, ee = 0.00669342162296594323, PI = Math.PI;
    var x = lon - 105.0, y = lat - 35.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var rad = lat / 180.0 * PI, magic = 1 - ee * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    return [(dlon * 180.0) / (a / sq * Math.cos(rad) * PI), (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * PI)];
  }
  GZ.gcjToWgs = function (lon, lat) {
    var w = [lon, lat];
    for (var i = 0; i < 30; i++) {
      var d = delta(w[0], w[1]);
      var g = [w[0] + d[0] - lon, w[1] + d[1] - lat];
      w = [w[0] - g[0], w[1] - g[1]];
      if (Math.abs(g[0]) < 1e-10 && Math.abs(g[1]) < 1e-10) break;
    }
    return w;
  };

  function focusWithoutScrolling(map) {
    // Leaflet focuses the map on the first mousedown; in an iframe that focus can scroll the page
    // under the pointer and turn the first click on a marker into a click on the map.
    if (!map.keyboard) return;
    map.keyboard.disable();
    map.keyboard._onMouseDown = function () {
      if (!this._focused) this._map._container.focus({ preventScroll: true });
    };
    map.keyboard.enable();
  }

  // Show the layers in `keys`: markers, labels and the legend are drawn again for them; the
  // others' lines and areas are hidden by a class on the map (CSS rules made in GZ.init).
  function drawLayers(map, payload, keys) {
    var on = {};
    keys.forEach(function (k) { on[k] = true; });
    (GZ.undraw || []).forEach(function (undo) { undo(); });
    var shown = derive(payload, on);
    var points = addPoints(map, shown);
    GZ.markers = points.markers;
    var labels = addLabels(map, shown);
    GZ.placeLabels = labels.place;
    GZ.undraw = [points.remove, labels.remove];
    var box = map.getContainer();
    payload.layers.forEach(function (l) { L.DomUtil[on[l.key] ? "removeClass" : "addClass"](box, "gz-hide-" + l.css); });
    var legend = box.querySelector(".gz-legend-body");
    if (legend) {
      legend.innerHTML = payload.layers.filter(function (l) { return on[l.key]; })
        .map(function (l) { return l.legend; }).join("");
      box.querySelector(".gz-legend-box").style.display = legend.innerHTML ? "" : "none";
    }
    GZ.visible = keys.slice();
  }

  GZ.setLayers = function (keys) {
    if (!GZ.map || (GZ.visible && GZ.visible.join() === keys.join())) return; // nothing changes
    drawLayers(GZ.map, GZ.payload, keys);
  };

  // Only own string values count (the texts arrive escaped by geo.maps.webmap.set_reviews_script).
  GZ.reviews = Object.create(null);
  GZ.setReviews = function (lines) {
    var r = Object.create(null);
    Object.keys(lines || {}).forEach(function (id) {
      if (typeof lines[id] === "string") r[id] = lines[id];
    });
    GZ.reviews = r;
    (GZ.markers || []).forEach(function (m) { if (m.isPopupOpen()) m.getPopup().update(); });
  };

  GZ.init = function (map, payload) {
    document.documentElement.lang = payload.lang === "en" ? "en" : "zh-CN";
    T = payload.text;
    GZ.map = map;
    focusWithoutScrolling(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a> · ' + T.revision);
    L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);
    keepView(map, payload);
    GZ.payload = payload;
    var rules = document.createElement("style");
    rules.textContent = payload.layers.map(function (l) {
      return ".gz-hide-" + l.css + " ." + l.css + "-shape{display:none}";
    }).join("");
    document.head.appendChild(rules);
    addLegend(map, payload);
    // In the app, the layer switches' latest word wins over the payload's (the map may draw
    // itself again after they spoke, e.g. after a reconnection).
    var keys = payload.visible;
    try {
      if (window.parent !== window && Array.isArray(window.parent.GZ_LAYERS)) keys = window.parent.GZ_LAYERS;
    } catch (e) { /* another origin: the payload's */ }
    try {
      if (window.parent !== window && window.parent.GZ_REVIEWS) GZ.setReviews(window.parent.GZ_REVIEWS);
    } catch (e) { /* another origin: no reviews */ }
    drawLayers(map, payload, keys);
    // A map that reports clicks (geo.ui.st_map.show(clicks=True): streamlit-folium's returned
    // objects) is one a reviewer picks a point on: a crosshair says so.
    if (window.__GLOBAL_DATA__ && (window.__GLOBAL_DATA__.returned_objects || []).indexOf("last_clicked") >= 0) {
      L.DomUtil.addClass(map.getContainer(), "gz-picking");
    }
    addFullscreen(map);
    addMinimap(map, payload);
    addCopyLink(map);
    addCoordinates(map, payload);
    watchTiles(map);
  };
})();
