"""What the app shows for a choice of district and search hit: plain functions, tested without
Streamlit."""
from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from geo.data.model import CheckedLayout, schematic_circle
from geo.maps.webmap import BOTTOM_PX, GUANGZHOU_CENTER, GUANGZHOU_ZOOM, view_for
from layers.districts import item_id

CITY = "全市"
# A found place is shown with its surroundings: at most this zoom (a 1 km scale bar, the
# district lines and the neighbouring places in sight), less where its area or the uncertainty
# of its point is larger.
HIT_ZOOM = 13.0
MAP_PAGE_HEIGHT = 640  # px: the map page's map (app.py): a laptop's first screen, most of a phone's


@dataclass(frozen=True)
class View:
    center: tuple[float, float]  # lat, lon
    zoom: float
    # a district's map item id (its outline), a found place (its point, or a zone's parts), or nothing
    highlight: str | Point | MultiPoint | None
    # (west, south, east, north), WGS84: what the view must hold on any screen; the zoom above fits
    # it in a map `map_height` tall and 640 px wide, and a narrower map (a phone's) zooms out to it
    extent: tuple[float, float, float, float] | None = None


def view_of(checked: CheckedLayout, district: str = CITY, hit: str | None = None, *,
            map_height: int = MAP_PAGE_HEIGHT) -> View:
    """A search hit wins over the district focus; with neither, the whole city. A hit is framed
    with its whole extent (a core area's schematic circle, else the circle its point's precision
    allows), centred on its point, at HIT_ZOOM at most; a zone drawn at its parts with every part
    in view and ringed. A district or hit fits a map `map_height` px tall and 640 px wide; its
    extent lets a narrower map fit it too (gzmap.js)."""
    def fit(geometry: BaseGeometry) -> tuple[tuple[float, float], float]:
        return view_for(geometry, height_px=map_height - BOTTOM_PX)

    if hit and (loc := checked.points.get(hit)) is not None:
        shape = checked.geometries.get(hit)
        area = shape if shape is not None and not isinstance(shape, Point) else \
            schematic_circle(loc, math.pi * (loc.precision_m / 1000) ** 2)
        if parts := [point for _, point in checked.placed_parts(checked.entries[hit])]:
            framed = shapely.union_all([area, *parts])
            center, zoom = fit(framed)
            return View(center, min(zoom, HIT_ZOOM), MultiPoint(parts), framed.bounds)
        zoom = fit(area)[1]
        return View((loc.lat, loc.lon), min(zoom, HIT_ZOOM), Point(loc.lon, loc.lat), area.bounds)
    found = checked.district(district) if district != CITY else None
    if found is not None:
        center, zoom = fit(found.geometry)
        return View(center, zoom, item_id(found), found.geometry.bounds)
    return View(GUANGZHOU_CENTER, GUANGZHOU_ZOOM, None)
