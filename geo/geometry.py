"""Geometry derived from the layout: points, the axis line, segments, schematic extents.

Pure functions of a resolved Layout and the district polygons; nothing here reads files.
"""
from __future__ import annotations

import math

import shapely
from shapely.geometry import LineString, Point

from geo.crs import EQUAL_AREA, WGS84, project
from geo.districts import District, district_at
from geo.model import Entry, Layout, Location


def location_of(layout: Layout, entry: Entry) -> Location | None:
    """An entry's own location, else (platforms, axis nodes) the location of its first place."""
    if entry.location is not None:
        return entry.location
    ref = entry.place or (entry.places[0] if entry.places else "")
    target = layout.entries.get(ref)
    return target.location if target is not None else None


def point_of(layout: Layout, entry: Entry) -> Point | None:
    loc = location_of(layout, entry)
    return Point(loc.lon, loc.lat) if loc else None


def axis_nodes(layout: Layout) -> list[Entry]:
    """The axis nodes in line order, as listed in axis.yaml."""
    return layout.layer("axis_node")


def axis_line(layout: Layout) -> LineString:
    """The axis drawn through its nodes in order: the plans publish no line, only the nodes."""
    pts = [point_of(layout, n) for n in axis_nodes(layout)]
    return LineString([(p.x, p.y) for p in pts if p is not None])


def segment_geometry(layout: Layout, districts: list[District], segment: Entry) -> shapely.Geometry:
    """The part of the axis line inside the segment's district(s)."""
    polys = [d.geometry for d in districts if d.name_zh in segment.districts]
    return axis_line(layout).intersection(shapely.union_all(polys))


def schematic_circle(loc: Location, area_km2: float) -> shapely.Geometry:
    """A circle of the published area around the location: the plans give the area, not the shape."""
    centre = project(Point(loc.lon, loc.lat), EQUAL_AREA)
    radius_m = math.sqrt(area_km2 * 1e6 / math.pi)
    return project(centre.buffer(radius_m, 64), WGS84, src=EQUAL_AREA)


def extent_of(entry: Entry) -> shapely.Geometry | None:
    if entry.extent == "schematic-circle" and entry.location and entry.area_km2_published:
        return schematic_circle(entry.location, entry.area_km2_published)
    return None


def located_in(layout: Layout, districts: list[District], entry: Entry) -> str | None:
    """The district whose polygon contains the entry's point (not its declared district)."""
    loc = location_of(layout, entry)
    return district_at(districts, loc.lon, loc.lat) if loc else None
