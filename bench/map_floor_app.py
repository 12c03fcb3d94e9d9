"""The floor of any Streamlit page that shows this map, for bench/run.py: the city map alone, drawn
by the app's own gzmap.js from the same layout document, in Streamlit's own page (a components v2
element: no iframe, no frame page to load), its scripts, styles and layout inline in the element
(no request after the page's own), and nothing else on the page: no sidebar, no title, no sheet.
Popups are left out (the app loads them after the first paint). The app cannot draw its markers
sooner than this page does."""
import streamlit as st

from geo.data.validate import load_checked
from geo.maps import assets
from geo.maps.basemaps import BASEMAPS
from geo.maps.payload import layout_payload
from geo.maps.view import CITY, view_of
from geo.maps.webmap import map_state
from layers import build_layers


@st.cache_resource
def element() -> tuple[object, dict[str, object]]:
    checked = load_checked()
    layers = build_layers(checked, lang="zh")
    view = view_of(checked, CITY)
    state = map_state(layout=layout_payload(checked, layers, gcj02=False, lang="zh"), popups={},
                      assets={"js": [], "css": []}, basemap=BASEMAPS["none"], view=(view.center, view.zoom),
                      view_token="floor", visible=[layer.key for layer in layers])
    code = "\n;".join(assets.FILES[name].read_text(encoding="utf-8") for name in assets.JS)
    js = ("export default function ({ parentElement, data }) {\n  if (!window.GZ) {" + code + "}\n"
          "  GZ.mount(parentElement.querySelector('#map'), data);\n}")
    css = "\n".join(assets.FILES[name].read_text(encoding="utf-8") for name in assets.CSS)
    html = '<div id="map" style="height: 640px"></div>'
    return st.components.v2.component("map_floor", html=html, css=css, js=js, isolate_styles=False), state


mount, state = element()
mount(data=state, key="map")
