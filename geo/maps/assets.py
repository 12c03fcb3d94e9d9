"""The web map's scripts and styles, from installed packages: no internet needed.

folium's defaults load Leaflet, jQuery, Bootstrap and fonts from public CDNs. The interactive
map only needs Leaflet and jQuery (folium's popups use `$`), which come from the pinned PyPI
packages xstatic-leaflet and xstatic-jquery, and the project's own controls (geo/maps/web/).
The map names them by URL; the app serves each folder under that URL (geo/ui/offline_assets.py)
and the standalone HTML inlines the files (`local_file`).
"""
from __future__ import annotations

from pathlib import Path

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet

# Component name -> folder.
WEB = Path(__file__).parent / "web"
FOLDERS = {"leaflet": xleaflet.BASE_DIR, "jquery": xjquery.BASE_DIR, "gzmap": str(WEB)}
# Streamlit serves a component under /component/<declaring module>.<name>/; the declaring module
# checks at import that it is this one. Absolute: the map runs in a component iframe.
SERVING_MODULE = "geo.ui.offline_assets"
URL_PREFIX = f"/component/{SERVING_MODULE}"
JS = [("leaflet", f"{URL_PREFIX}.leaflet/leaflet.js"), ("jquery", f"{URL_PREFIX}.jquery/jquery.min.js"),
      ("gzmap", f"{URL_PREFIX}.gzmap/gzmap.js")]
CSS = [("leaflet_css", f"{URL_PREFIX}.leaflet/leaflet.css"), ("gzmap_css", f"{URL_PREFIX}.gzmap/gzmap.css")]


def local_file(url: str) -> Path:
    """The installed file behind one of the URLs above (the standalone HTML inlines it)."""
    component, name = url.removeprefix(URL_PREFIX + ".").split("/", 1)
    return Path(FOLDERS[component]) / name
