"""District polygons (data/districts.geojson) and point-in-district look-ups."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape

from geo.data.load import read_text
from geo.data.problems import DataError, Problem
from geo.data.records import GROUPS as DISTRICT_GROUPS
from geo.safe import clean_text

WGS84_NAMES = {"EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326",
               "OGC:CRS84", "CRS84"}
# Guangzhou lies within lon 112.9–114.1, lat 22.5–23.9; anything far outside is not WGS84 lon/lat.
LON_RANGE, LAT_RANGE = (112.0, 115.0), (22.0, 24.5)


@dataclass(frozen=True)
class District:
    adcode: str
    name_zh: str
    name_en: str
    group: str
    area_km2: float
    geometry: shapely.Geometry


def _text(props: dict, key: str) -> str:
    value = props.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be non-empty text, got {value!r}")
    return clean_text(value.strip())


def _number(props: dict, key: str) -> float:
    value = props.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value!r}")
    return float(value)


def _crs_problem(doc: dict) -> str | None:
    """RFC 7946 GeoJSON is WGS84; an old-style `crs` member naming anything else is refused."""
    crs = doc.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(name, str) and name.strip() in WGS84_NAMES:
        return None
    return f"declares the coordinate system {name or crs!r}; the file must be WGS84 (EPSG:4326) lon/lat"


def _range_problem(geoms: list[shapely.Geometry]) -> str | None:
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    inside = LON_RANGE[0] <= minx and maxx <= LON_RANGE[1] and LAT_RANGE[0] <= miny and maxy <= LAT_RANGE[1]
    if inside:
        return None
    swapped = LAT_RANGE[0] <= minx and maxx <= LAT_RANGE[1] and LON_RANGE[0] <= miny and maxy <= LON_RANGE[1]
    if swapped:
        return "coordinates look swapped (latitude first): GeoJSON positions are [longitude, latitude]"
    return (f"coordinates span x {minx:.6g}…{maxx:.6g}, y {miny:.6g}…{maxy:.6g}: not WGS84 lon/lat "
            "around Guangzhou (a projected file, e.g. EPSG:3857, must be reprojected to EPSG:4326)")


def load_districts(path: Path) -> list[District]:
    """Read the districts; raise DataError naming the file, feature and field on bad input."""
    name = path.name
    text, problems = read_text(path)
    if text is None:
        raise DataError(problems)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError([Problem.error(name, "-", f"line {err.lineno}", f"not valid JSON: {err.msg}")]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataError([Problem.error(name, "-", "type", "must be a GeoJSON FeatureCollection object")])
    if (crs := _crs_problem(doc)) is not None:
        raise DataError([Problem.error(name, "-", "crs", crs)])
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise DataError([Problem.error(name, "-", "features", "must be a non-empty list of district features")])
    out: list[District] = []
    for i, feat in enumerate(features):
        fid = f"feature #{i + 1}"
        if not isinstance(feat, dict):
            problems.append(Problem.error(name, fid, "-", "feature must be a GeoJSON Feature object"))
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            problems.append(Problem.error(name, fid, "properties", "must be an object of district attributes"))
            continue
        if isinstance(props.get("name_zh"), str) and props["name_zh"].strip():
            fid = props["name_zh"].strip()
        values: dict = {}
        for key, read in (("adcode", _text), ("name_zh", _text), ("name_en", _text), ("group", _text),
                          ("area_km2", _number)):
            try:
                values[key] = read(props, key)
            except ValueError as err:
                problems.append(Problem.error(name, fid, key, str(err)))
        if "adcode" in values and not re.fullmatch(r"\d{6}", values["adcode"]):
            problems.append(Problem.error(name, fid, "adcode", f"must be a 6-digit code (GB/T 2260), got {values['adcode']!r}"))
            continue
        if "group" in values and values["group"] not in DISTRICT_GROUPS:
            problems.append(Problem.error(name, fid, "group",
                                          f"must be one of {', '.join(DISTRICT_GROUPS)}, got {values['group']!r}"))
            continue
        try:
            geom = shape(feat["geometry"])
            if not geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError("not a valid (multi)polygon")
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            problems.append(Problem.error(name, fid, "geometry", str(err) or "not a valid (multi)polygon"))
            continue
        if len(values) == 5:
            out.append(District(geometry=geom, **values))
    for key in ("name_zh", "adcode"):
        seen: set[str] = set()
        for d in out:
            if getattr(d, key) in seen:
                problems.append(Problem.error(name, d.name_zh, key, f"district {key} {getattr(d, key)!r} appears twice"))
            seen.add(getattr(d, key))
    if out and (where := _range_problem([d.geometry for d in out])) is not None:
        problems.append(Problem.error(name, "-", "geometry", where))
    if problems:
        raise DataError(problems)
    return out


def district_at(districts: list[District], lon: float, lat: float) -> str | None:
    """Name of the district polygon containing the point, or None outside Guangzhou."""
    pt = shapely.Point(lon, lat)
    for d in districts:
        if d.geometry.covers(pt):
            return d.name_zh
    return None
