"""The web map's scripts and styles, from installed packages and this folder: no internet needed.

Leaflet comes from the pinned PyPI package xstatic-leaflet; the project's own drawing code and
the map's component page from geo/maps/web/. The app serves these files under URLs named by their
content (geo/ui/routes.py), the standalone HTML inlines them.

Controls beyond gzmap.js's own come one per file (gz-<control>.js, in the manner of folium's
plugins), loaded after gzmap.js: each registers itself in GZ.plugins.
"""
from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

WEB = Path(__file__).parent / "web"  # gzmap.js/css, the controls, the component page (index.html, component.js)
PLUGINS = ("gz-toast.js", "gz-title.js", "gz-measure.js", "gz-print.js")  # toast first: the others use it
FILES = {"leaflet.js": Path(xleaflet.BASE_DIR) / "leaflet.js", "leaflet.css": Path(xleaflet.BASE_DIR) / "leaflet.css",
         "gzmap.js": WEB / "gzmap.js", "gzmap.css": WEB / "gzmap.css"} | {name: WEB / name for name in PLUGINS}
JS = ("leaflet.js", "gzmap.js", *PLUGINS)  # in loading order
CSS = ("leaflet.css", "gzmap.css")
