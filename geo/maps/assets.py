"""The web map's scripts and styles, from installed packages and this folder: no internet needed.

Leaflet comes from the pinned PyPI package xstatic-leaflet; the project's own drawing code and
the map's component page from geo/maps/web/. The app serves these files under URLs named by their
content (geo/ui/routes.py), the standalone HTML inlines them.

Controls beyond gzmap.js's own come one per file (gz-<control>.js, in the manner of folium's
plugins), loaded after gzmap.js: each registers itself in GZ.plugins.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

WEB = Path(__file__).parent / "web"  # gzmap.js/css, the controls, the component page (index.html, component.js)
PLUGINS = ("gz-toast.js", "gz-title.js", "gz-measure.js", "gz-print.js")  # toast first: the others use it
FILES = {"leaflet.js": Path(xleaflet.BASE_DIR) / "leaflet.js", "leaflet.css": Path(xleaflet.BASE_DIR) / "leaflet.css",
         "gzmap.js": WEB / "gzmap.js", "gzmap.css": WEB / "gzmap.css"} | {name: WEB / name for name in PLUGINS}
JS = ("leaflet.js", "gzmap.js", *PLUGINS)  # in loading order
CSS = ("leaflet.css", "gzmap.css")
PAGE = {"index.html": WEB / "index.html", "component.js": WEB / "component.js"}  # the component page's parts
SLOT = "<!--gzmap: component.js, then the styles and scripts of geo.maps.assets (geo.maps.assets.component_page)-->"


def component_page(*, css: Sequence[str], js: Sequence[str]) -> str:
    """The map's component page: index.html with component.js inline first in its head (it tells
    Streamlit the page is ready at once), then the styles and the scripts at these URLs (CSS's,
    JS's), the scripts deferred: they load in parallel while the page waits for its first render
    and run in order once it is parsed."""
    script = PAGE["component.js"].read_text(encoding="utf-8")
    if "</script" in script.lower():  # it would end the inline <script> early
        raise ValueError("component.js must not contain '</script'")
    tags = [f"<script>{script}</script>"]
    tags += [f'<link rel="stylesheet" href="{escape(url)}">' for url in css]
    tags += [f'<script defer src="{escape(url)}"></script>' for url in js]
    page = PAGE["index.html"].read_text(encoding="utf-8")
    if page.count(SLOT) != 1:
        raise ValueError(f"index.html must hold {SLOT} once")
    return page.replace(SLOT, "\n".join(tags))
