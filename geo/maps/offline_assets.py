"""Leaflet and jQuery served by the app itself, so the map works with no internet.

folium's defaults load Leaflet, jQuery, Bootstrap and fonts from public CDNs. The interactive
map only needs Leaflet and jQuery (folium's popups use `$`); both come from the pinned PyPI
packages xstatic-leaflet and xstatic-jquery and are served straight from their installed
folders: each folder is declared as a Streamlit component, which Streamlit serves under
/component/<name>/. Nothing is copied, so the app writes nothing into the source tree.
"""
from __future__ import annotations

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
from streamlit.components.v1 import declare_component

# Component name -> folder. Streamlit names a component after the module that declares it.
FOLDERS = {"leaflet": xleaflet.BASE_DIR, "jquery": xjquery.BASE_DIR}
URL_PREFIX = f"/component/{__name__}"  # absolute: the map runs in a component iframe
JS = [("leaflet", f"{URL_PREFIX}.leaflet/leaflet.js"), ("jquery", f"{URL_PREFIX}.jquery/jquery.min.js")]
CSS = [("leaflet_css", f"{URL_PREFIX}.leaflet/leaflet.css")]


def serve() -> None:
    """Register the asset folders with the running Streamlit server (call from the app)."""
    for name, folder in FOLDERS.items():
        declare_component(name, path=folder)
