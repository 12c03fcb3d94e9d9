"""Leaflet, jQuery and the map's own controls served by the app itself: no internet needed.

folium's defaults load Leaflet, jQuery, Bootstrap and fonts from public CDNs. The interactive
map only needs Leaflet and jQuery (folium's popups use `$`), which come from the pinned PyPI
packages xstatic-leaflet and xstatic-jquery, and the project's own controls (geo/maps/web/).
Each folder is served straight from where it is: declared as a Streamlit component, it is served
under /component/<name>/. Nothing is copied, so the app writes nothing into the source tree.
"""
from __future__ import annotations

import threading
from pathlib import Path

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet
from streamlit.components.v1 import declare_component

# Component name -> folder. Streamlit names a component after the module that declares it.
WEB = Path(__file__).parent / "web"
FOLDERS = {"leaflet": xleaflet.BASE_DIR, "jquery": xjquery.BASE_DIR, "gzmap": str(WEB)}
URL_PREFIX = f"/component/{__name__}"  # absolute: the map runs in a component iframe
JS = [("leaflet", f"{URL_PREFIX}.leaflet/leaflet.js"), ("jquery", f"{URL_PREFIX}.jquery/jquery.min.js"),
      ("gzmap", f"{URL_PREFIX}.gzmap/gzmap.js")]
CSS = [("leaflet_css", f"{URL_PREFIX}.leaflet/leaflet.css"), ("gzmap_css", f"{URL_PREFIX}.gzmap/gzmap.css")]


def local_file(url: str) -> Path:
    """The installed file behind one of the URLs above (the standalone HTML inlines it)."""
    component, name = url.removeprefix(URL_PREFIX + ".").split("/", 1)
    return Path(FOLDERS[component]) / name


_declared = threading.Lock()
_done: list[bool] = []


def serve() -> None:
    """Register the asset folders with the running Streamlit server (call from the app), once per
    process: sessions run in threads, and declaring is not thread-safe (inspect.getmodule)."""
    with _declared:
        if not _done:
            for name, folder in FOLDERS.items():
                declare_component(name, path=folder)
            _done.append(True)
