"""The interactive map's state: what the app's map element (and the standalone HTML) hands
geo/maps/web/gzmap.js, which draws the layout documents of geo.maps.payload with Leaflet.

`map_state` is the one entry point (compare geopandas' explore): which documents, the view, the
layers on, the highlight, the basemap's tiles, review lines and whether clicks are reported. It
is a few KB: the layout and popups are URLs (the app) or inline documents (the standalone HTML),
so a rerun that changes the view or the layers sends only this.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TypedDict

from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from geo.crs import wgs84_to_gcj02
from geo.maps.basemaps import Basemap
from geo.maps.symbols import PathOptions, leaflet_style
from geo.safe import html_text
from layers.districts import FOCUS

GUANGZHOU_CENTER = (23.24, 113.46)  # lat, lon
GUANGZHOU_ZOOM = 9.25  # the whole city in a 700 px tall map
ZOOM_SNAP = 0.25
BOTTOM_PX = 40  # along a map's bottom, the scale bar and the pointer's coordinates: no place to frame


class Assets(TypedDict):
    js: list[str]
    css: list[str]


def map_state(*, layout: str | Mapping[str, object], popups: str | Mapping[str, str], assets: Assets,
              basemap: Basemap, view: tuple[tuple[float, float], float], view_token: str,
              visible: Sequence[str], highlight: str | Point | MultiPoint | None = None,
              reviews: Mapping[str, str] | None = None, clicks: bool = False, height: int = 640,
              users_view: bool = False, picked: str | None = None,
              fit: tuple[float, float, float, float] | None = None) -> dict[str, object]:
    """The map as gzmap.js takes it (GZ.mount / GZ.update; the component's arguments).

    `layout` and `popups` are the documents' URLs or the documents; `view` opens the map at
    (centre, zoom) and `view_token` names that view (district, search hit): while the token stays
    the same the browser keeps the user's own centre and zoom, and only a new token moves the
    map. `users_view`: the view is one a user chose (a shared link's): shown exactly as given, never
    nudged clear of the controls, and reported back like one the user moved to. `highlight` is a
    district shape's id (its outline drawn over the map) or points (a ring each: a found place, a
    zone's parts). `reviews`: entry id -> a signed-in reviewer's status line, escaped here, shown
    at the top of that entry's popup. `clicks`: the map reports where it is clicked (a reviewer picking
    a point). `picked`: an entry id (a search hit, a link's place) whose popup opens once per view
    token (gzmap.js openPicked). `fit`: (west, south, east, north) that the app's view must hold:
    a map narrower than the one `view`'s zoom was made for (a phone's) zooms out until it does."""
    spec = basemap.provider
    tiles = None if spec is None else {"url": spec.build_url(), "attribution": spec.html_attribution,
                                        "subdomains": spec.get("subdomains", "abc"),
                                        "max_zoom": spec.get("max_zoom", 18)}
    mark: dict[str, object] | None = None
    if isinstance(highlight, str):
        mark = {"shape": highlight}
    elif highlight is not None:  # on GCJ-02 tiles, where the shifted markers are
        points = [wgs84_to_gcj02(p.x, p.y) if basemap.gcj02 else (p.x, p.y) for p in getattr(highlight, "geoms", [highlight])]
        mark = {"points": [{"lat": lat, "lon": lon} for lon, lat in points]}
    focus: PathOptions = leaflet_style(FOCUS, "gz-highlight")
    framed = None if fit is None else {"bounds": [[fit[1], fit[0]], [fit[3], fit[2]]], "bottom": BOTTOM_PX}
    return {"assets": assets, "layout": layout, "popups": popups, "tiles": tiles,
            "view": {"lat": view[0][0], "lon": view[0][1], "zoom": view[1], "token": view_token,
                     "users": users_view, "fit": framed},
            "visible": list(visible), "highlight": mark, "focus_style": focus,
            "reviews": {str(entry): html_text(text) for entry, text in (reviews or {}).items()},
            "clicks": clicks, "height": height, "open": picked}


def script_literal(data: object) -> str:
    """JSON as a JavaScript literal inside <script>: compact, with the only sequences that could
    end the script or open a comment broken."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def view_for(geometry: BaseGeometry, width_px: int = 640, height_px: int = 600) -> tuple[tuple[float, float], float]:
    """Centre (lat, lon) and the largest web-mercator zoom (in ZOOM_SNAP steps) at which the
    geometry fits in the part of the map the legend leaves free."""
    minx, miny, maxx, maxy = geometry.bounds
    if isinstance(geometry, Point):
        return (geometry.y, geometry.x), 14

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zx = math.log2(width_px * 360 / (256 * max(maxx - minx, 1e-6)))
    zy = math.log2(height_px * 2 * math.pi / (256 * max(merc_y(maxy) - merc_y(miny), 1e-9)))
    zoom = max(1.0, min(16.0, math.floor(min(zx, zy) / ZOOM_SNAP) * ZOOM_SNAP))
    return ((miny + maxy) / 2, (minx + maxx) / 2), zoom
