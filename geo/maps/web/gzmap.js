/* The layout's web map, drawn with Leaflet from the map state (geo.maps.webmap.map_state) and the
 * two documents of geo.maps.payload, served from the app like Leaflet (no CDN).
 *
 * GZ.mount(container, state, layout?) makes the map once, at the state's view and tiles, and
 * draws the layout document (state.layout: its URL, fetched, or the document; `layout` may hand
 * over a fetch already under way): one keyboard-reachable marker per place (everything at one
 * point shares it; its popup lists all of them), labels that never overlap (placed in priority
 * order, a label that does not fit is hidden until it does), lines and areas under the markers,
 * a collapsible legend, fullscreen, pointer coordinates, a metric scale, an optional minimap, a
 * notice when basemap tiles fail, and the user's view kept across reruns (sessionStorage, reset
 * when the server names a new view). The popups document comes after the first paint (or at
 * once when a marker is opened before that).
 * GZ.update(state) applies a new state to that map without making it again: only what changed
 * (a new layout URL — language, reading or basemap datum — is fetched and drawn anew, keeping
 * map, view and controls).
 * The layout holds every layer; GZ.setLayers(keys) shows some of them, in the browser alone:
 * markers, labels and legend are drawn again from the members on those layers, and the lines
 * and areas of the others are hidden by a class on the map.
 * GZ.setReviews(lines) puts a signed-in user's review status (entry id -> text) at the top of the
 * popups standing for those entries: the popups are the same for every user, so the lines are
 * added in the browser when a popup opens.
 * Every text it shows comes escaped from the server (geo.safe.html_text), in the layout's
 * language (layout.lang, layout.text: geo/ui_strings.yaml's web.* texts); no HTML is made here
 * from anything else.
 */
(function () {
  "use strict";
  var GZ = (window.GZ = window.GZ || {});
  var T = {};           // the interface texts of the layout drawn
  var doc = null;       // the layout document drawn
  var S = null;         // the latest state
  var done = {};        // what of the state the map shows: sources, view token, keys of the rest
  var POPUPS = null;    // entry id -> popup html, once arrived
  var popupsSource = null, popupsFetch = null;
  var layoutAsked = 0;  // the latest layout asked for wins over slower earlier ones
  var ui = {};          // the controls whose texts follow the layout's language
  var VIEW_KEY = "gz-view";
  var POPUP = { maxWidth: 360, maxHeight: 380, autoPanPaddingTopLeft: [58, 12],
                autoPanPaddingBottomRight: [12, 24], className: "gz-popup" };

  // Names arrive HTML-escaped (they also go into popup HTML); for text-only DOM uses (title,
  // aria-label, textContent) they are decoded, which a textarea does without running anything.
  function plain(escaped) {
    var t = document.createElement("textarea");
    t.innerHTML = escaped || "";
    return t.value;
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  // A document's source in the state: its URL (fetched) or the document itself.
  function obtain(source) {
    return typeof source === "string" ? fetchJSON(source) : Promise.resolve(source);
  }

  function sameSource(a, b) {
    return a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));
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
  function derive(layout, on) {
    var points = [], labels = [];
    layout.places.forEach(function (place) {
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
                    members: ms });
      var top = ms[0];
      if (top.priority) {
        labels.push({ lat: place.lat, lon: place.lon, text: top.label, kind: top.strong ? "strong" : "place",
                      marker: points.length - 1, priority: top.priority, gap: Math.floor(sym.size / 2) + 3,
                      always: ms.some(function (m) { return m.always; }) });
      }
    });
    if (on.districts) {
      layout.districts.forEach(function (d) {
        labels.push({ lat: d.lat, lon: d.lon, text: d.text, kind: "district", marker: -1, priority: d.priority, gap: 0 });
      });
    }
    return { points: points, labels: labels };
  }

  // A popup's content when it opens: the review lines of that moment, then the details — or,
  // before the popups document is in, a line saying it is coming (it is asked for at once and
  // fills the open popup when it arrives).
  function popupContent(ms) {
    return function () {
      if (!POPUPS) {
        loadPopups();
        return reviewLines(ms) + '<div class="gz-loading">' + (T.loading || "…") + "</div>";
      }
      return reviewLines(ms) + popupHtml(ms);
    };
  }

  // One member: its details; several: the place's name once, then each member by its kind (and
  // its own name where it has another), the one picked (state.open) open, else the first.
  function popupHtml(ms) {
    var html = function (m) { return POPUPS[m.id] || ""; };
    if (ms.length === 1) return html(ms[0]);
    var name = ms[0].label, out = '<div class="gz-group"><div class="gz-name">' + name + "</div>";
    var open = ms.filter(function (m) { return S && m.id === S.open; })[0] || ms[0];
    ms.forEach(function (m) {
      out += "<details" + (m === open ? " open" : "") + "><summary>" + m.kind + (m.label === name ? "" : T.colon + m.label) + "</summary>" +
        html(m) + "</details>";
    });
    return out + "</div>";
  }

  // The review status lines of a popup's members (GZ.reviews: entry id -> escaped text), after
  // the member's name when the popup stands for several (the status has a colon of its own).
  function reviewLines(ms) {
    return ms.filter(function (m) { return GZ.reviews[m.id] !== undefined; }).map(function (m) {
      return '<div class="gz-review">' + (ms.length > 1 ? m.label + " · " : "") + GZ.reviews[m.id] + "</div>";
    }).join("");
  }

  // Open popups make their content again (popups arrived, review lines changed).
  function refreshPopups() {
    if (!GZ.map) return;
    GZ.map.eachLayer(function (l) { if (l.isPopupOpen && l.isPopupOpen()) l.getPopup().update(); });
  }

  function loadPopups() {
    if (POPUPS || popupsFetch || popupsSource === null || popupsSource === undefined) return;
    var source = popupsSource;
    popupsFetch = obtain(source).then(function (p) {
      if (source !== popupsSource) return; // another language was asked for meanwhile
      POPUPS = p || {};
      GZ.popupsLoaded = true;
      refreshPopups();
    }).catch(function (e) {
      console.error("gzmap: popups", e);
    }).then(function () {
      if (source === popupsSource) popupsFetch = null; // a failed fetch is tried again on the next click
    });
  }

  // The popups once the frame that shows the map has been painted (they are not needed for it);
  // at the latest a second later: a hidden frame paints nothing. loadPopups runs once.
  function popupsSoon() {
    requestAnimationFrame(function () { setTimeout(loadPopups, 0); });
    setTimeout(loadPopups, 1000);
  }

  function pane(map, name, z) {
    var p = map.getPane(name) || map.createPane(name);
    p.style.zIndex = z;
    return p;
  }

  function addPoints(map, shown) {
    pane(map, "gz-points", 640); // above lines, areas and Leaflet's own markers
    var markers = [];
    shown.points.forEach(function (p) {
      var m = L.marker([p.lat, p.lon], {
        // A focusable marker is focused on mousedown, and the focus scroll then turns the click
        // into a click on the map: keyboard users get one button per marker instead (below).
        icon: svgIcon(p), pane: "gz-points", keyboard: false, title: plain(p.name), riseOnHover: true, autoPanOnFocus: false,
      });
      // Padding keeps an open popup clear of the zoom and fullscreen buttons on the left.
      m.bindPopup(popupContent(p.members), POPUP);
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
        return { m: m, x0: p.x, y0: p.y, x: p.x, y: p.y, s: shown.points[i].size };
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
    list.setAttribute("aria-label", plain(T.places));
    markers.forEach(function (m, i) {
      var b = L.DomUtil.create("button", "gz-a11y-item", list);
      b.type = "button";
      b.textContent = plain(shown.points[i].name);
      b.dataset.ids = shown.points[i].ids.join(" ");
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

  // A label's spot: where it stands from its anchor (the symbol's centre), as a share of its own
  // width and height (fx, fy) plus pixels (px, py).
  function spot(fx, px, fy, py) { return { fx: fx, px: px, fy: fy, py: py }; }
  function spotTransform(s, dx, dy) {
    return "translate(calc(" + s.fx * 100 + "% + " + (s.px + dx) + "px),calc(" + s.fy * 100 + "% + " + (s.py + dy) + "px))";
  }
  // The box of a label at spot s, from its box `a` unmoved.
  function spotBox(a, s, dx, dy) {
    var left = a.left + dx + s.fx * a.width + s.px, top = a.top + dy + s.fy * a.height + s.py;
    return { left: left, top: top, right: left + a.width, bottom: top + a.height, width: a.width, height: a.height };
  }

  // Labels by importance (geo.data.kinds): the cores' and poles' labels, and the chosen place's
  // (the found place, an open popup's), are never left off. They are placed first, in any of eight
  // spots around their symbol, on one line or wrapped, and where no spot is clear, where they cover
  // least; the others (nodes, core areas, parks, then district names) take what room is left, and
  // one that finds none is hidden until it does. No label covers another, a symbol or a control.
  function addLabels(map, shown) {
    pane(map, "gz-labels", 630).style.pointerEvents = "none";
    var labels = shown.labels.map(function (l) {
      var icon = L.divIcon({ className: "gz-label gz-label-" + l.kind, html: "<span>" + l.text + "</span>",
                             iconSize: null, iconAnchor: [0, 0] });
      var m = L.marker([l.lat, l.lon], { icon: icon, pane: "gz-labels", interactive: false, keyboard: false });
      m.addTo(map);
      var g = l.gap, d = Math.round(g * 0.7);  // room for the symbol: beside, above, below, then aslant
      var spots = l.kind === "district" ?
        [spot(-0.5, 0, -0.5, 0), spot(-0.5, 0, -1.5, 0), spot(-0.5, 0, 0.5, 0), spot(-1.1, 0, -0.5, 0), spot(0.1, 0, -0.5, 0)] :
        [spot(0, g, -0.5, 0), spot(-1, -g, -0.5, 0), spot(-0.5, 0, -1, -g), spot(-0.5, 0, 0, g),
         spot(0, d, -1, -d), spot(0, d, 0, d), spot(-1, -d, -1, -d), spot(-1, -d, 0, d)];
      return { marker: m, priority: l.priority, always: !!l.always, owner: l.marker, spots: spots, lat: l.lat, lon: l.lon };
    });
    // Whether a label is the chosen place's: the place found (the state's highlight points) or the
    // one whose popup is open.
    function chosen(l) {
      var h = S && S.highlight;
      if (h && (h.points || []).some(function (p) { return Math.abs(p.lat - l.lat) < 1e-5 && Math.abs(p.lon - l.lon) < 1e-5; })) return true;
      var m = l.owner >= 0 && GZ.markers && GZ.markers[l.owner];
      return !!(m && m.isPopupOpen && m.isPopupOpen());
    }
    // The labels never left off first, then the registry's label order (geo.data.kinds.label_rank;
    // district names declare theirs there too): each priority is a list, compared item by item.
    function order(a, b) {
      if (a.must !== b.must) return a.must ? -1 : 1;
      for (var i = 0; i < Math.max(a.priority.length, b.priority.length); i++) {
        var d = (a.priority[i] || 0) - (b.priority[i] || 0);
        if (d) return d;
      }
      return 0;
    }
    function overlap(r, o) {  // the area two boxes share, with a margin of 2 px across and 1 px down
      var w = Math.min(r.right, o.right + 2) - Math.max(r.left, o.left - 2);
      var h = Math.min(r.bottom, o.bottom + 1) - Math.max(r.top, o.top - 1);
      return w > 0 && h > 0 ? w * h : 0;
    }
    function place() {
      // Markers are obstacles too: a label never covers a symbol.
      var symbols = (GZ.markers || []).map(function (m, i) {
        var el = m.getElement();
        var r = el ? el.getBoundingClientRect() : null;
        return r && r.width > 0 ? { r: r, owner: i } : null;
      }).filter(Boolean);
      // The legend and the buttons are obstacles too: a label never hides under a control.
      var taken = controlBoxes(map);
      var box = map.getContainer().getBoundingClientRect(); // a label never runs off the map
      var outside = function (q) {
        var w = Math.min(q.right, box.right) - Math.max(q.left, box.left);
        var h = Math.min(q.bottom, box.bottom) - Math.max(q.top, box.top);
        return q.width * q.height - (w > 0 && h > 0 ? w * h : 0);
      };
      var bounds = map.getBounds(); // a label is never left off where its marker shows
      labels.forEach(function (l) { l.must = (l.always || chosen(l)) && bounds.contains([l.lat, l.lon]); });
      // Every label is measured unmoved and on one line in a single layout (all written, then all
      // read; a layout forced for each label was ~70 ms of a page load); a wrapped label, tried for
      // a label never left off when no spot is clear, is measured when tried.
      var drawn = labels.filter(function (l) { return l.marker.getElement(); });
      drawn.forEach(function (l) {
        var el = l.marker.getElement(), span = el.firstChild;
        el.style.visibility = "visible";
        span.style.transform = "none";
        L.DomUtil.removeClass(span, "gz-wrap");
      });
      drawn.forEach(function (l) { l.box = l.marker.getElement().firstChild.getBoundingClientRect(); });
      drawn.sort(order).forEach(function (l) {
        var el = l.marker.getElement(), span = el.firstChild;
        // Spots are around the symbol as drawn (markers that would overlap are set apart on screen);
        // each spot's box is worked out from the label's box unmoved (measuring each spot forced a
        // layout each time).
        var sym = l.owner >= 0 ? symbols.filter(function (s) { return s.owner === l.owner; })[0] : null;
        // What a spot costs: a label never left off may cover symbols where nothing else is
        // possible, never another label or a control.
        var cost = function (r) {
          var hard = outside(r) + taken.reduce(function (s, o) { return s + overlap(r, o); }, 0);
          var soft = symbols.reduce(function (s, o) { return s + (o.owner !== l.owner ? overlap(r, o.r) : 0); }, 0);
          return hard * 1000 + soft;
        };
        var best = null;
        (l.must ? [false, true] : [false]).some(function (wrap) {
          if (wrap) {
            span.style.transform = "none";
            L.DomUtil.addClass(span, "gz-wrap");
          }
          var a = wrap ? span.getBoundingClientRect() : l.box;
          var dx = sym ? (sym.r.left + sym.r.right) / 2 - a.left : 0, dy = sym ? (sym.r.top + sym.r.bottom) / 2 - a.top : 0;
          return l.spots.some(function (spot) {
            var r = spotBox(a, spot, dx, dy), c = cost(r);
            if (!best || c < best.c) best = { c: c, r: r, transform: spotTransform(spot, dx, dy), wrap: wrap };
            return c === 0;
          });
        });
        if (best && (best.c === 0 || l.must)) {
          L.DomUtil[best.wrap ? "addClass" : "removeClass"](span, "gz-wrap");
          span.style.transform = best.transform;
          taken.push(best.r);
        } else {
          el.style.visibility = "hidden";
        }
      });
    }
    map.on("zoomend moveend resize overlayadd overlayremove popupopen popupclose", place);
    // Again once the page has laid the map out and its fonts are in: sizes change then.
    setTimeout(place, 0);
    setTimeout(place, 400);
    window.addEventListener("load", place);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(place);
    return { place: place, remove: function () {
      map.off("zoomend moveend resize overlayadd overlayremove popupopen popupclose", place);
      window.removeEventListener("load", place);
      labels.forEach(function (l) { l.marker.remove(); });
    } };
  }

  // Lines (a popup each, from the popups document) and areas (districts, schematic extents: not
  // clickable, not tab stops), under the markers and labels, in the layout's drawing order. Each
  // path carries its layer's "<css>-shape" class: the map's gz-hide-<css> class hides it.
  function addShapes(map, layout) {
    pane(map, "gz-areas", 380);
    pane(map, "gz-lines", 420);
    var group = L.layerGroup();
    (layout.shapes || []).forEach(function (s) {
      var layer = L.geoJSON(s.geometry, { style: s.style, interactive: s.line, pane: s.line ? "gz-lines" : "gz-areas" });
      if (s.line) layer.bindPopup(popupContent([{ id: s.id }]), POPUP);
      group.addLayer(layer);
    });
    return group.addTo(map);
  }

  // The selected district's outline (its shape drawn again in the focus style) or the found
  // place's ring, over the lines and areas, not clickable.
  function drawHighlight() {
    var map = GZ.map;
    if (done.highlightLayer) { done.highlightLayer.remove(); done.highlightLayer = null; }
    var h = S && S.highlight;
    if (!h || !doc) return;
    pane(map, "gz-highlight", 450);
    var style = L.extend({}, S.focus_style, { interactive: false, pane: "gz-highlight" });
    if (h.shape !== undefined) {
      var shape = (doc.shapes || []).filter(function (s) { return s.id === h.shape; })[0];
      if (!shape) return;
      done.highlightLayer = L.geoJSON(shape.geometry, { style: style, interactive: false, pane: "gz-highlight" }).addTo(map);
    } else {
      done.highlightLayer = L.featureGroup((h.points || []).map(function (p) {
        return L.circleMarker([p.lat, p.lon], L.extend({}, style, { radius: 16 }));
      })).addTo(map);
    }
  }

  // The legend never hides a marker, nor the outline of the district shown: it opens by itself
  // only where, open, it covers none of the markers in view and no part of the outline (top right,
  // else bottom right), checked again after every move, zoom, resize and layer switch; elsewhere it
  // stays folded. It starts folded on a phone-sized map, and folds on a click on the map; a user
  // who folds it (or clicks the map) keeps it folded, and one who opens it keeps it open as they
  // move the map, until the app sets another view (a district, a place found). A details element:
  // its summary is a keyboard-reachable button.
  function addLegend(map) {
    var div = L.DomUtil.create("div", "gz-legend-box");
    div.style.display = "none"; // until a layer that is on has a legend
    div.innerHTML = '<details class="gz-legend"><summary></summary><div class="gz-legend-body"></div></details>';
    var box = div.firstChild;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    var ctl = L.control({ position: "topright" });
    ctl.onAdd = function () { return div; }; // the same box in whichever corner
    ctl.addTo(map);
    var folded = map.getSize().x < 600; // a phone's legend starts folded
    var opened = null; // the view token under which the user opened it
    box.querySelector("summary").addEventListener("click", function () { // before it toggles
      folded = box.open;
      opened = box.open ? null : done.token;
    });
    map.on("click", function () {
      folded = true;
      opened = null;
      if (box.open) box.open = false;
    });
    // The map and its markers as boxes on the screen: measured once per search (a shift or a
    // corner is tried by arithmetic: measuring each marker for each of 49 shifts was ~300 ms of a
    // page load).
    function markerBoxes() {
      return { view: map.getContainer().getBoundingClientRect(), boxes: (GZ.markers || []).map(function (m) {
        var el = m.getElement(), q = el && el.getBoundingClientRect();
        return q && q.width ? q : null;
      }).filter(Boolean) };
    }
    // The outlined district's rings as points in the map (a found place's rings are circles round
    // its markers, which count as markers): measured once per search, like the markers.
    function outlineRings() {
      var rings = [], hl = done.highlightLayer;
      if (hl && hl.eachLayer) hl.eachLayer(function (layer) {
        if (!layer.getLatLngs) return;
        (function walk(a) {
          if (a.length && !Array.isArray(a[0])) rings.push(a.map(function (p) { return map.latLngToContainerPoint(p); }));
          else a.forEach(walk);
        })(layer.getLatLngs());
      });
      return rings;
    }
    // Whether a side of the outline crosses or lies in the box r (on the screen).
    function hidesOutline(rings, r) {
      var o = map.getContainer().getBoundingClientRect();
      var b = L.bounds([r.left - o.left, r.top - o.top], [r.right - o.left, r.bottom - o.top]);
      return rings.some(function (ring) {
        return ring.some(function (p, i) { return L.LineUtil.clipSegment(p, ring[(i + 1) % ring.length], b) !== false; });
      });
    }
    // Whether one of the markers in view (its centre on the map) overlaps the box r, the markers
    // shifted by dx, dy.
    function covers(marks, r, dx, dy) {
      var view = marks.view;
      dx = dx || 0; dy = dy || 0;
      return marks.boxes.some(function (q) {
        var x = (q.left + q.right) / 2 + dx, y = (q.top + q.bottom) / 2 + dy;
        var inView = x >= view.left && x < view.right && y >= view.top && y < view.bottom;
        return inView && q.left + dx < r.right && q.right + dx > r.left && q.top + dy < r.bottom && q.bottom + dy > r.top;
      });
    }
    // A view the app sets (the city, a district, a place found: a new view token) keeps its markers
    // clear of the buttons, the read-outs and the folded legend: until the user moves the map, it is
    // shifted by up to 60 px, and zoomed out by up to one step, the least that leaves no marker in
    // view under one and what the view frames in sight. Whether the legend may then open is fit()'s.
    var cleared = { token: null, moves: 0 };
    var SHIFTS = [];
    [0, 20, -20, 40, -40, 60, -60].forEach(function (dy) {
      [0, 20, -20, 40, -40, 60, -60].forEach(function (dx) { SHIFTS.push([dx, dy]); });
    });
    SHIFTS.sort(function (a, b) { return Math.abs(a[0]) + Math.abs(a[1]) - Math.abs(b[0]) - Math.abs(b[1]); });
    // Whether what the view frames (view.fit: a district, a found place's extent) stays in sight
    // with the map's content shifted by dx, dy. An open popup (a place found) comes first: it pans
    // the map to be read whole, and the place is at its tip.
    function framing() {
      var f = S && S.view && S.view.fit;
      if (!f || popup) return function () { return true; };
      var b = L.latLngBounds(f.bounds), size = map.getSize();
      var nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
      return function (dx, dy) {
        return nw.x + dx >= -1 && nw.y + dy >= -1 && se.x + dx <= size.x + 1 && se.y + dy <= size.y + 1;
      };
    }
    function clearShift() { // the smallest shift of the markers on screen that leaves none under a control
      var boxes = controlBoxes(map), framed = framing(), marks = markerBoxes();
      return SHIFTS.filter(function (s) {
        return framed(s[0], s[1]) && !boxes.some(function (q) { return covers(marks, q, s[0], s[1]); });
      })[0];
    }
    function keepClear() {
      if (cleared.token !== done.token) cleared = { token: done.token, moves: 0 };
      if (done.usersView || cleared.moves >= 3) return; // the user's view (keepView), or given up
      var open = box.open;
      box.open = false; // measured folded, in its usual corner
      if (ctl.getPosition() !== "topright") ctl.setPosition("topright");
      var zoom = map.getZoom(), shift = clearShift();
      if (!shift || shift[0] || shift[1]) {
        cleared.moves += 1;
        for (var z = 1; !shift && z <= 4; z++) {
          map.setZoom(zoom - z * 0.25, { animate: false });
          shift = clearShift();
        }
        if (!shift) map.setZoom(zoom, { animate: false }); // nothing better: the app's view
        else if (shift[0] || shift[1]) map.panBy([-shift[0], -shift[1]], { animate: false });
        if (popup) popup.update(); // a popup open meanwhile (a place found) pans clear of the buttons again
      }
      box.open = open;
    }
    // Open where it covers no marker and no part of the district's outline (tried open in each
    // corner: no paint happens meanwhile).
    function fit() {
      keepClear();
      if (div.style.display === "none" || div.style.visibility === "hidden") return;
      var was = box.open, corner = null, marks = markerBoxes(), rings = outlineRings();
      var theirs = was && opened === done.token; // the user opened it in this view: it stays open
      box.open = true;
      ["topright", "bottomright"].some(function (pos) {
        if (ctl.getPosition() !== pos) ctl.setPosition(pos);
        var r = div.getBoundingClientRect();
        if (!covers(marks, r) && !hidesOutline(rings, r)) corner = pos;
        return corner;
      });
      if (!corner) ctl.setPosition("topright"); // its usual corner (folded, unless the user opened it)
      box.open = theirs || (!!corner && (was || !folded));
      if (box.open !== was && GZ.placeLabels) GZ.placeLabels();
    }
    var soon = null;
    function fitSoon(again) {
      clearTimeout(soon);
      soon = setTimeout(function () { fit(); if (again) soon = setTimeout(fit, 500); }, 0);
    }
    // Markers drawn anew: once they are set apart, and again once the page has laid the map out.
    ui.fitLegend = function () { fitSoon(true); };
    map.on("moveend resize", function () { fitSoon(false); }); // a move: once is enough
    // Labels keep clear of the legend: place them again when it opens or closes.
    box.addEventListener("toggle", function () {
      if (GZ.placeLabels) GZ.placeLabels();
    });
    // Never over an open popup: on a small map the legend folds and steps aside while one is open.
    var popup = null; // the open popup
    map.on("popupopen", function (e) {
      popup = e.popup;
      if (map.getSize().x >= 900) return;
      box.open = false;
      div.style.visibility = "hidden";
    });
    map.on("popupclose", function () { popup = null; div.style.visibility = ""; });
    return ctl;
  }

  // Where the map's controls (buttons, read-outs, legend) stand on the screen.
  function controlBoxes(map) {
    return [].map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (c) {
      return c.getBoundingClientRect();
    }).filter(function (q) { return q.width > 0; });
  }

  // A button whose title is the text `key` of the layout's language (set by applyTexts); `icon`
  // is the SVG markup of a 14×14 drawing.
  function button(map, position, icon, key, onclick) {
    var ctl = L.control({ position: position });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar gz-button");
      var a = L.DomUtil.create("a", "", div);
      a.href = "#"; a.role = "button";
      a.innerHTML = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" style="vertical-align:middle">' +
        icon + "</svg>";
      L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onclick(a); });
      L.DomEvent.disableClickPropagation(div);
      ui.buttons.push({ a: a, key: key });
      return div;
    };
    return ctl.addTo(map);
  }

  function titled(a, text) {
    a.title = text;
    a.setAttribute("aria-label", text);
  }

  function addFullscreen(map) {
    var icon = '<path d="M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9" fill="none" stroke="#333" stroke-width="2"/>';
    button(map, "topleft", icon, "fullscreen", function () {
      var el = map.getContainer();
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (el.requestFullscreen) { el.requestFullscreen(); }
      setTimeout(function () { map.invalidateSize(); }, 200);
    });
  }

  function addCoordinates(map) {
    var ctl = L.control({ position: "bottomleft" });
    ctl.onAdd = function () { return L.DomUtil.create("div", "gz-coords"); };
    ctl.addTo(map);
    ui.coords = ctl.getContainer();
    map.on("mousemove click", function (e) {
      var lat = e.latlng.lat, lon = e.latlng.lng;
      var text = "WGS84 " + lat.toFixed(5) + ", " + lon.toFixed(5);
      if (doc && doc.gcj02) {
        // On GCJ-02 tiles the map is drawn in GCJ-02: show both readings.
        var w = GZ.gcjToWgs(lon, lat);
        text = "GCJ-02 " + lat.toFixed(5) + ", " + lon.toFixed(5) + " · WGS84 " + w[1].toFixed(5) + ", " + w[0].toFixed(5);
      }
      ui.coords.textContent = text;
    });
  }

  function addMinimap(map) {
    var mini = null, box = null, holder = null;
    var icon = '<rect x="1" y="1" width="12" height="12" fill="none" stroke="#333" stroke-width="1.5"/>' +
      '<rect x="5" y="5" width="5" height="4" fill="#c0392b"/>';
    // The city outline of the layout drawn (its datum follows the basemap's).
    ui.minimapOutline = function () {
      if (!mini || !doc) return;
      if (ui.outline) ui.outline.remove();
      ui.outline = L.geoJSON(doc.outline, { style: { color: "#666", weight: 1, fillColor: "#dde", fillOpacity: 0.6 },
                                            interactive: false }).addTo(mini);
      mini.fitBounds(ui.outline.getBounds());
    };
    button(map, "topleft", icon, "minimap", function () {
      if (mini) { mini.remove(); holder.remove(); mini = null; box = null; ui.outline = null; return; }
      holder = L.DomUtil.create("div", "gz-minimap", map.getContainer());
      L.DomEvent.disableClickPropagation(holder);
      mini = L.map(holder, { attributionControl: false, zoomControl: false, dragging: false,
                              scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false });
      mini.setView(map.getCenter(), 7); // until the outline is in
      ui.minimapOutline();
      box = L.rectangle(map.getBounds(), { color: "#c0392b", weight: 1.5, fill: false, interactive: false }).addTo(mini);
    });
    map.on("moveend", function () { if (box) box.setBounds(map.getBounds()); });
  }

  function addCopyLink(map) {
    // The page's URL already says what is shown (layers, district, basemap, document, place);
    // the view is added at the moment of copying.
    var icon = '<path d="M6 8l2-2M5 5l2-2a2.1 2.1 0 013 3l-2 2M9 9l-2 2a2.1 2.1 0 01-3-3l2-2" fill="none" stroke="#333" stroke-width="1.6"/>';
    button(map, "topleft", icon, "copy_link", function (a) {
      var loc;
      try { loc = new URL(window.parent.location.href); } catch (e) { loc = new URL(window.location.href); }
      var c = map.getCenter();
      loc.searchParams.set("view", c.lat.toFixed(5) + "," + c.lng.toFixed(5) + "," + map.getZoom());
      var url = loc.toString();
      GZ.lastLink = url;
      var copied = function () { titled(a, plain(T.link_copied) + url); GZ.toast(map, plain(T.link_copied_toast)); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(copied, function () { window.prompt(plain(T.copy_prompt), url); });
      } else {
        window.prompt(plain(T.copy_prompt), url);
      }
    });
  }

  // The basemap's tiles (none: the offline background of gzmap.css), and a notice when they fail.
  function setTiles(map, spec) {
    if (ui.tiles) { ui.tiles.remove(); ui.tiles = null; }
    if (ui.notice) { ui.notice.remove(); ui.notice = null; }
    if (!spec) return;
    var layer = (ui.tiles = L.tileLayer(spec.url, { attribution: spec.attribution, subdomains: spec.subdomains,
                                                    maxZoom: spec.max_zoom }));
    var failed = 0;
    layer.on("tileerror", function () {
      failed += 1;
      if (ui.tiles !== layer || ui.notice || failed < 2) return;
      ui.notice = L.control({ position: "topright" });
      ui.notice.onAdd = function () {
        var div = L.DomUtil.create("div", "gz-notice");
        div.setAttribute("role", "status");
        div.textContent = plain(T.tiles_failed);
        return div;
      };
      ui.notice.addTo(map);
    });
    layer.addTo(map);
  }

  // The zoom of a view the app sets: the server's, or less on a map narrower or shorter than the
  // one it was made for (a phone's), so that what the view frames (view.fit: a district, a found
  // place's extent) is all in sight. The bottom strip holds the scale bar and the coordinates.
  function fittedZoom(map, v) {
    if (!v.fit || v.users) return v.zoom;
    return Math.min(v.zoom, map.getBoundsZoom(L.latLngBounds(v.fit.bounds), false, L.point(0, v.fit.bottom)));
  }

  // The view: the state's, unless this tab's session holds the user's own view for the same token.
  // The view becomes the user's (done.usersView) once they touch the map, or when it is the one
  // they left before a reload; a new view from the server (apply) makes it the app's again. Only
  // the user's view is reported (GZ.onView): the server knows its own, and a report reruns the page.
  function keepView(map) {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(VIEW_KEY) || "null");
      if (saved && saved.token === done.token) {
        map.setView([saved.lat, saved.lng], saved.zoom, { animate: false });
        done.usersView = true;
      }
    } catch (e) { /* storage may be off: keep the server's view */ }
    ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
      map.getContainer().addEventListener(type, function () { done.usersView = true; }, { passive: true, capture: true });
    });
    map.on("moveend", function () {
      var c = map.getCenter();
      try {
        window.sessionStorage.setItem(VIEW_KEY, JSON.stringify({ token: done.token, lat: c.lat, lng: c.lng, zoom: map.getZoom() }));
      } catch (e) { /* ignore */ }
      if (GZ.onView && done.usersView) GZ.onView(map.getBounds(), map.getZoom(), done.token); // component.js reports it
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

  // The texts of the controls, in the layout's language.
  function applyTexts(map) {
    document.documentElement.lang = doc.lang === "en" ? "en" : "zh-CN";
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a> · ' + T.revision);
    ui.buttons.forEach(function (b) { titled(b.a, plain(T[b.key])); });
    var zoom = map.zoomControl.getContainer(); // Leaflet's own titles are English
    titled(zoom.querySelector(".leaflet-control-zoom-in"), plain(T.zoom_in));
    titled(zoom.querySelector(".leaflet-control-zoom-out"), plain(T.zoom_out));
    GZ.plugins.forEach(function (p) { if (p.texts) p.texts(map, doc); });
    map.getContainer().querySelector(".gz-legend>summary").innerHTML = T.legend;
    ui.coords.textContent = plain(T.coords);
    if (ui.notice) ui.notice.getContainer().textContent = plain(T.tiles_failed);
    // The popups' own styles (layout.css: geo.maps.details.DETAILS_CSS), and: a layer that is off
    // hides its lines and areas by a class on the map.
    ui.rules.textContent = (doc.css || "") + doc.layers.map(function (l) {
      return ".gz-hide-" + l.css + " ." + l.css + "-shape{display:none}";
    }).join("");
  }

  // Show the layers in `keys`: markers, labels and the legend are drawn again for them; the
  // others' lines and areas are hidden by a class on the map (CSS rules of applyTexts).
  function drawLayers(map, keys) {
    var on = {};
    keys.forEach(function (k) { on[k] = true; });
    (GZ.undraw || []).forEach(function (undo) { undo(); });
    var shown = derive(doc, on);
    var points = addPoints(map, shown);
    GZ.markers = points.markers;
    var labels = addLabels(map, shown);
    GZ.placeLabels = labels.place;
    GZ.undraw = [points.remove, labels.remove];
    var box = map.getContainer();
    doc.layers.forEach(function (l) { L.DomUtil[on[l.key] ? "removeClass" : "addClass"](box, "gz-hide-" + l.css); });
    var legend = box.querySelector(".gz-legend-body");
    legend.innerHTML = doc.layers.filter(function (l) { return on[l.key]; })
      .map(function (l) { return l.legend; }).join("");
    box.querySelector(".gz-legend-box").style.display = legend.innerHTML ? "" : "none";
    ui.fitLegend();
    // With every layer off the map says so, rather than showing an empty box.
    var empty = box.querySelector(".gz-empty") || L.DomUtil.create("div", "gz-empty", box);
    empty.textContent = plain(T.no_layers);
    empty.style.display = keys.length ? "none" : "";
    GZ.visible = keys.slice();
  }

  // Everything that comes from the layout document, drawn anew (map, view and controls stay).
  function drawLayout(map, layout) {
    var first = !doc;
    doc = layout;
    T = layout.text || {};
    GZ.layout = layout;
    applyTexts(map);
    if (ui.shapes) ui.shapes.remove();
    ui.shapes = addShapes(map, layout);
    drawLayers(map, GZ.visible || S.visible || []);
    drawHighlight();
    openPicked();
    ui.minimapOutline();
    GZ.ready = true;
    if (first) popupsSoon();
  }

  function loadLayout(map, source, given) {
    done.layout = source;
    var asked = ++layoutAsked;
    (given !== undefined ? Promise.resolve(given) : obtain(source)).then(function (layout) {
      if (asked === layoutAsked) drawLayout(map, layout);
    }).catch(function (e) {
      console.error("gzmap: layout", e);
    });
  }

  // The place the server names in state.open (an entry id: a search hit, a link's place): its
  // popup opens once per view token, as soon as its marker is drawn (a place on a layer that is
  // off has none).
  function openPicked() {
    var v = S && S.view;
    if (!S || !S.open || !v || done.opened === v.token || !doc || !GZ.markers) return;
    done.opened = v.token;
    GZ.markers.some(function (m) {
      var el = m.getElement();
      if (!el || el.dataset.ids.split(" ").indexOf(S.open) < 0) return false;
      m.openPopup();
      return true;
    });
  }

  // What changed between the state the map shows and `state`, applied.
  function apply(state, given) {
    var map = GZ.map, prev = S;
    S = state;
    var tiles = JSON.stringify(state.tiles || null);
    if (tiles !== done.tiles) { done.tiles = tiles; setTiles(map, state.tiles); }
    var v = state.view;
    if (v && v.token !== done.token) {
      done.token = v.token;
      done.usersView = !!v.users; // a shared link's view is the user's; the app's own views are not
      if (prev) map.setView([v.lat, v.lon], fittedZoom(map, v), { animate: false });
    }
    L.DomUtil[state.clicks ? "addClass" : "removeClass"](map.getContainer(), "gz-picking");
    var reviews = JSON.stringify(state.reviews || {});
    if (reviews !== done.reviews) { done.reviews = reviews; GZ.setReviews(state.reviews); }
    var visible = (state.visible || []).join();
    if (visible !== done.visible) { done.visible = visible; GZ.setLayers(state.visible || []); }
    var highlight = JSON.stringify([state.highlight, state.focus_style]);
    if (highlight !== done.highlight) { done.highlight = highlight; drawHighlight(); }
    openPicked();
    if (!sameSource(state.popups, popupsSource)) {
      popupsSource = state.popups;
      POPUPS = null; popupsFetch = null; GZ.popupsLoaded = false;
      if (doc) popupsSoon(); // a new language: its popups, as soon as the map is painted
    }
    if (given !== undefined || !sameSource(state.layout, done.layout)) loadLayout(map, state.layout, given);
  }

  GZ.setLayers = function (keys) {
    if (!GZ.map || (GZ.visible && GZ.visible.join() === keys.join())) return; // nothing changes
    if (!doc) { GZ.visible = keys.slice(); return; } // drawn with the layout
    drawLayers(GZ.map, keys);
  };

  // Only own string values count (the texts arrive escaped by geo.maps.webmap.map_state).
  GZ.reviews = Object.create(null);
  GZ.setReviews = function (lines) {
    var r = Object.create(null);
    Object.keys(lines || {}).forEach(function (id) {
      if (typeof lines[id] === "string") r[id] = lines[id];
    });
    GZ.reviews = r;
    refreshPopups();
  };

  GZ.ready = false;
  GZ.popupsLoaded = false;

  // For the controls in files of their own (geo/maps/web/gz-*.js): each registers
  // {add(map), texts(map, layout)?} in GZ.plugins; add runs once the map is made, texts whenever a
  // layout (a language) is drawn. They use the same button and text helpers as the controls here.
  GZ.plugins = [];
  GZ.button = button;
  GZ.plain = plain;
  GZ.text = function (key) { return plain(T[key]); };

  GZ.mount = function (container, state, layout) {
    if (GZ.map) { GZ.update(state); return; }
    var v = state.view || {};
    var map = (GZ.map = L.map(container, { center: [v.lat, v.lon], zoom: v.zoom, zoomSnap: 0.25, zoomDelta: 0.5 }));
    map.setZoom(fittedZoom(map, v), { animate: false });
    ui = { buttons: [], rules: document.head.appendChild(document.createElement("style")) };
    focusWithoutScrolling(map);
    L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);
    done.token = v.token;
    done.usersView = !!v.users;
    keepView(map);
    addLegend(map);
    addFullscreen(map);
    addMinimap(map);
    addCopyLink(map);
    addCoordinates(map);
    // The controls of their own files (gz-*.js, loaded after this one: geo.maps.assets.JS).
    GZ.plugins.forEach(function (p) { p.add(map); });
    // Escape closes an open popup wherever the focus is in the page, not only on the map.
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") map.closePopup(); });
    // A map that reports clicks is one a reviewer picks a point on (gz-picking: a crosshair); a
    // click that sets a measuring point (gz-measure.js) picks nothing.
    map.on("click", function (e) { if (S && S.clicks && GZ.onClick && !GZ.measuring) GZ.onClick(e.latlng); });
    apply(state, layout);
  };

  GZ.update = function (state) {
    if (!GZ.map) return;
    apply(state);
  };
})();
