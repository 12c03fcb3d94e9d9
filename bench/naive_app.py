"""The naive stack on the same data, for bench/run.py: the layers as GeoDataFrames, drawn with
GeoDataFrame.explore() (one m = gdf.explore(...), the other layers explore(m=m)) and shown with
streamlit_folium.st_folium. Nothing of the app's own map code (geo.maps) is used.

Offline like the app: folium's CDN links (Leaflet, jQuery, Bootstrap, Font Awesome, awesome
markers) are replaced by Leaflet and jQuery from the installed xstatic packages, served by
Streamlit as component folders (nothing is copied or written). explore() draws points as circle
markers, so Bootstrap, Font Awesome and awesome-markers are not needed (leaving them out makes
the naive page smaller, not larger). No basemap tiles, as in the app's default.

    BENCH_DISTRICTS=/tmp/…/districts_full.geojson streamlit run bench/naive_app.py
"""
from __future__ import annotations

import naive_data  # bench/, on sys.path as the script's folder
import streamlit as st
import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
from streamlit.components.v1 import declare_component
from streamlit_folium import st_folium

from layers import layer_titles

st.set_page_config(page_title="naive stack", layout="wide")

_leaflet = declare_component("leaflet", path=xleaflet.BASE_DIR)
_jquery = declare_component("jquery", path=xjquery.BASE_DIR)
JS = [("leaflet", f"/component/{_leaflet.name}/leaflet.js"), ("jquery", f"/component/{_jquery.name}/jquery.min.js")]
CSS = [("leaflet_css", f"/component/{_leaflet.name}/leaflet.css")]


@st.cache_resource
def frames():
    return naive_data.load_frames()


data = frames()
names = [naive_data.CITY] + sorted(data["district"].name_zh)
asked = st.query_params.get("district")
with st.sidebar:
    district = st.selectbox("行政区", names, index=names.index(asked) if asked in names else 0)
    query = st.text_input("查找地点", key="query")  # the key bench/run.py types into, as in the app
    visible = [k for k, title in layer_titles(lang="zh").items() if st.checkbox(title, value=True)]

layers, hits = naive_data.shown(data, visible, district, query)
m = None
for kind, gdf in layers:
    style = {"color": naive_data.COLORS[kind], "style_kwds": {"weight": 2, "fillOpacity": 0.2},
             "marker_kwds": {"radius": 6}, "name": kind}
    m = gdf.explore(tiles=None, **style) if m is None else gdf.explore(m=m, **style)
if m is not None and hits is not None:
    hits.explore(m=m, color="#ffeb3b", marker_kwds={"radius": 14}, name="hits")
    (x0, y0, x1, y1) = hits.total_bounds
    m.fit_bounds([[y0 - 0.01, x0 - 0.01], [y1 + 0.01, x1 + 0.01]])
st.title("naive stack: GeoDataFrame.explore() + st_folium")
if m is not None:
    m.default_js, m.default_css = JS, CSS
    st_folium(m, key="map", height=640, use_container_width=True, returned_objects=[])
