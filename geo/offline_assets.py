"""Leaflet and jQuery served by the app itself, so the map works with no internet.

folium's defaults load Leaflet, jQuery, Bootstrap and fonts from public CDNs. The interactive
map only needs Leaflet and jQuery (folium's popups use `$`); both come from the pinned PyPI
packages xstatic-leaflet and xstatic-jquery, copied into Streamlit's static folder at start-up
and served at /app/static/ (server.enableStaticServing).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import xstatic.pkg.jquery as xjquery
import xstatic.pkg.leaflet as xleaflet

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
URL_PREFIX = "/app/static/vendor"  # absolute: the map runs in a component iframe
FILES = {  # name under static/vendor -> source file
    "leaflet/leaflet.js": Path(xleaflet.BASE_DIR) / "leaflet.js",
    "leaflet/leaflet.css": Path(xleaflet.BASE_DIR) / "leaflet.css",
    "jquery/jquery.min.js": Path(xjquery.BASE_DIR) / "jquery.min.js",
}
JS = [("leaflet", f"{URL_PREFIX}/leaflet/leaflet.js"), ("jquery", f"{URL_PREFIX}/jquery/jquery.min.js")]
CSS = [("leaflet_css", f"{URL_PREFIX}/leaflet/leaflet.css")]


def install_static(static_dir: Path = STATIC_DIR) -> None:
    """Copy the vendored files (and Leaflet's images) where Streamlit serves them."""
    for name, src in FILES.items():
        dst = static_dir / "vendor" / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    shutil.copytree(Path(xleaflet.BASE_DIR) / "images", static_dir / "vendor" / "leaflet" / "images",
                    dirs_exist_ok=True)
