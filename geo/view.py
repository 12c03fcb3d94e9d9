"""What the app shows for a choice of layers, district and search hit: plain functions,
tested without Streamlit."""
from __future__ import annotations

from dataclasses import dataclass

import shapely

from geo.geometry import point_of
from geo.validate import CheckedLayout
from geo.webmap import GUANGZHOU_CENTER, GUANGZHOU_ZOOM, view_for

CITY = "全市"


@dataclass(frozen=True)
class View:
    center: tuple[float, float]  # lat, lon
    zoom: float
    highlight: shapely.Geometry | None


def district_geometry(checked: CheckedLayout, name: str) -> shapely.Geometry | None:
    return next((d.geometry for d in checked.districts if d.name_zh == name), None)


def view_of(checked: CheckedLayout, district: str = CITY, hit: str | None = None) -> View:
    """A search hit wins over the district focus; with neither, the whole city."""
    if hit and hit in checked.layout.entries:
        pt = point_of(checked.layout, checked.layout.entries[hit])
        if pt is not None:
            return View((pt.y, pt.x), 14, pt)
    geom = district_geometry(checked, district) if district != CITY else None
    if geom is not None:
        center, zoom = view_for(geom)
        return View(center, zoom, geom)
    return View(GUANGZHOU_CENTER, GUANGZHOU_ZOOM, None)
