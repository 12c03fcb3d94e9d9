"""What the app shows for a choice of district and search hit: plain functions, tested without
Streamlit."""
from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point

from geo.data.model import CheckedLayout, schematic_circle
from geo.maps.webmap import GUANGZHOU_CENTER, GUANGZHOU_ZOOM, view_for
from layers.districts import item_id

CITY = "全市"
# A found place is shown with its surroundings: at most this zoom (a 1 km scale bar, the
# district lines and the neighbouring places in sight), less where its area or the uncertainty
# of its point is larger.
HIT_ZOOM = 13.0


@dataclass(frozen=True)
class View:
    center: tuple[float, float]  # lat, lon
    zoom: float
    # a district's map item id (its outline), a found place (its point, or a zone's parts), or nothing
    highlight: str | Point | MultiPoint | None


def view_of(checked: CheckedLayout, district: str = CITY, hit: str | None = None) -> View:
    """A search hit wins over the district focus; with neither, the whole city. A hit is framed
    with its whole extent (a core area's schematic circle, else the circle its point's precision
    allows), centred on its point, at HIT_ZOOM at most; a zone drawn at its parts with every part
    in view and ringed."""
    if hit and (loc := checked.points.get(hit)) is not None:
        shape = checked.geometries.get(hit)
        area = shape if shape is not None and not isinstance(shape, Point) else \
            schematic_circle(loc, math.pi * (loc.precision_m / 1000) ** 2)
        if parts := [point for _, point in checked.placed_parts(checked.entries[hit])]:
            center, zoom = view_for(shapely.union_all([area, *parts]))
            return View(center, min(zoom, HIT_ZOOM), MultiPoint(parts))
        zoom = view_for(area)[1]
        return View((loc.lat, loc.lon), min(zoom, HIT_ZOOM), Point(loc.lon, loc.lat))
    found = checked.district(district) if district != CITY else None
    if found is not None:
        center, zoom = view_for(found.geometry)
        return View(center, zoom, item_id(found))
    return View(GUANGZHOU_CENTER, GUANGZHOU_ZOOM, None)
