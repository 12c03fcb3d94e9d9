"""What the app shows for a choice of district and search hit: plain functions, tested without
Streamlit."""
from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point

from geo.data.model import CheckedLayout
from geo.maps.webmap import GUANGZHOU_CENTER, GUANGZHOU_ZOOM, view_for
from layers.districts import item_id

CITY = "全市"


@dataclass(frozen=True)
class View:
    center: tuple[float, float]  # lat, lon
    zoom: float
    highlight: str | Point | None  # a district's map item id (its outline), a found place, or nothing


def view_of(checked: CheckedLayout, district: str = CITY, hit: str | None = None) -> View:
    """A search hit wins over the district focus; with neither, the whole city."""
    if hit and (loc := checked.points.get(hit)) is not None:
        return View((loc.lat, loc.lon), 14, Point(loc.lon, loc.lat))
    found = checked.district(district) if district != CITY else None
    if found is not None:
        center, zoom = view_for(found.geometry)
        return View(center, zoom, item_id(found))
    return View(GUANGZHOU_CENTER, GUANGZHOU_ZOOM, None)
