"""District polygons (data/districts.geojson) and point-in-district look-ups."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape

from geo.problems import DataError, Problem

REQUIRED = ("adcode", "name_zh", "name_en", "group", "area_km2")


@dataclass(frozen=True)
class District:
    adcode: str
    name_zh: str
    name_en: str
    group: str
    area_km2: float
    geometry: shapely.Geometry


def load_districts(path: Path) -> list[District]:
    """Read the districts; raise DataError naming the file, feature and field on bad input."""
    name = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise DataError([Problem.error(name, "-", "-", f"cannot read GeoJSON: {err}")]) from None
    problems, out = [], []
    for i, feat in enumerate(doc.get("features", [])):
        props = feat.get("properties") or {}
        fid = str(props.get("name_zh") or f"feature #{i + 1}")
        missing = [k for k in REQUIRED if props.get(k) in (None, "")]
        for k in missing:
            problems.append(Problem.error(name, fid, k, "missing property"))
        try:
            geom = shape(feat["geometry"])
            if not geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError("not a valid (multi)polygon")
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            problems.append(Problem.error(name, fid, "geometry", str(err)))
            continue
        if not missing:
            out.append(District(str(props["adcode"]), props["name_zh"], props["name_en"],
                                props["group"], float(props["area_km2"]), geom))
    if not out and not problems:
        problems.append(Problem.error(name, "-", "features", "no district features"))
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
