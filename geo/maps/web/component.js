/* The map's Streamlit component page (index.html, made by geo.maps.assets.component_page), speaking
 * Streamlit's component protocol by hand (the messages of streamlit-component-lib, without npm):
 * it says it is ready, and each "streamlit:render" message carries the map state of
 * geo.maps.webmap.map_state as its args.
 *
 * This script is in the page itself, and Leaflet's and gzmap's styles and scripts are in its head
 * (deferred, at URLs named by their content, cached for good): they load while the page tells
 * Streamlit it is ready and waits for the first render. The layout document the frame's URL
 * names (#layout=…, geo.ui.map_component.frame_url) is asked for at once too; the first render
 * names the one to draw. The map is mounted once both are in; later renders hand the new state
 * to GZ.update. With args.clicks, a click on the map is sent back as the component's value
 * ({"last_clicked": {"lat", "lng"}}, in the map's own datum: GCJ-02 on GCJ-02 tiles). With
 * args.report_view, the view the map shows is reported too ({"view": {west, south, east, north,
 * zoom, token}}, debounced; see reportView).
 */
(function () {
  "use strict";
  var first = null;    // the args of the first render (they start the loading)
  var latest = null;   // the args of the latest render
  var mounted = false;
  var height = null;

  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    Object.keys(data).forEach(function (k) { msg[k] = data[k]; });
    window.parent.postMessage(msg, "*");
  }

  function setHeight(h) {
    if (typeof h !== "number" || h === height) return;
    height = h;
    send("streamlit:setFrameHeight", { height: h });
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  // The layout the frame's URL names (a path on this server), asked for as the page opens.
  var early = null;
  var named = new URLSearchParams(location.hash.slice(1)).get("layout");
  if (named && /^\/[^\/]/.test(named)) {
    early = { url: named, doc: fetchJSON(named) };
    early.doc.catch(function () {}); // reported where it is used; unused, it is no error
  }

  // The page's own deferred scripts (and the styles before them) have run once it is parsed.
  var parsed = new Promise(function (resolve) {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", resolve);
  });

  // A <link> or <script> of args.assets that the page does not have yet (a page made before a
  // file changed), in <head>, settled once it has loaded. Scripts made by a script run as soon as
  // each arrives unless async is off: then in the order they were added (Leaflet first).
  function load(tag, url) {
    var attr = tag === "link" ? "href" : "src";
    var have = [].some.call(document.querySelectorAll(tag + "[" + attr + "]"), function (el) {
      return el.getAttribute(attr) === url;
    });
    if (have) return parsed;
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      if (tag === "link") { el.rel = "stylesheet"; el.href = url; } else { el.async = false; el.src = url; }
      el.onload = resolve;
      el.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(el);
    });
  }

  // The component's value: the last click (args.clicks) and the view shown (args.report_view).
  var value = {};
  function report(part) {
    Object.keys(part).forEach(function (k) { value[k] = part[k]; });
    send("streamlit:setComponentValue", { dataType: "json", value: value });
  }

  // The view, VIEW_DELAY_MS after the map stops moving, when it differs from the last one sent by
  // a quarter zoom step or a tenth of its size (each report reruns the page, for the exports).
  var VIEW_DELAY_MS = 800;
  var viewTimer = null;
  function reportView(bounds, zoom, token) {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(function () {
      var v = { west: bounds.getWest(), south: bounds.getSouth(), east: bounds.getEast(),
                north: bounds.getNorth(), zoom: zoom, token: token };
      var old = value.view;
      var w = v.east - v.west, h = v.north - v.south;
      if (old && old.token === v.token && Math.abs(old.zoom - v.zoom) < 0.25 &&
          Math.abs(old.west - v.west) < w / 10 && Math.abs(old.south - v.south) < h / 10) return;
      report({ view: v });
    }, VIEW_DELAY_MS);
  }

  function start(args) {
    var layout = typeof args.layout !== "string" ? args.layout :
      early && early.url === args.layout ? early.doc : fetchJSON(args.layout);
    var assets = args.assets || {};
    var loading = [parsed].concat((assets.css || []).map(function (url) { return load("link", url); }))
      .concat((assets.js || []).map(function (url) { return load("script", url); }));
    Promise.all(loading).then(function () {
      var GZ = window.GZ;
      GZ.onClick = function (ll) { report({ last_clicked: { lat: ll.lat, lng: ll.lng } }); };
      if (first.report_view) GZ.onView = reportView;
      GZ.mount(document.getElementById("map"), first, layout);
      mounted = true;
      if (latest !== first) GZ.update(latest); // renders that came while loading
    }).catch(function (e) {
      console.error("gzmap component:", e);
    });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.type !== "streamlit:render") return;
    latest = data.args || {};
    setHeight(latest.height);
    if (!first) {
      first = latest;
      start(first);
    } else if (mounted) {
      window.GZ.update(latest);
    }
  });

  send("streamlit:componentReady", { apiVersion: 1 });
})();
