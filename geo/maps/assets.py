"""The web map's scripts and styles, from installed packages and this folder: no internet needed.

Leaflet comes from the pinned PyPI package xstatic-leaflet; the project's own drawing code and
the map's component page from geo/maps/web/. The app serves the four files under URLs named by
their content (geo/ui/routes.py), the standalone HTML inlines them.
"""
from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

WEB = Path(__file__).parent / "web"  # gzmap.js/css, and the component page (index.html, component.js)
FILES = {"leaflet.js": Path(xleaflet.BASE_DIR) / "leaflet.js", "leaflet.css": Path(xleaflet.BASE_DIR) / "leaflet.css",
         "gzmap.js": WEB / "gzmap.js", "gzmap.css": WEB / "gzmap.css"}
JS = ("leaflet.js", "gzmap.js")  # in loading order
CSS = ("leaflet.css", "gzmap.css")
