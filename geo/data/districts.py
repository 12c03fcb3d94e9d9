"""District polygons (data/districts.geojson) and point-in-district look-ups."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import area_km2
from geo.data.load import MAX_NESTING, MAX_NUMBER_DIGITS, nesting_problem, number_problem, read_text
from geo.data.problems import DataError, Problem
from geo.data.records import GROUPS as DISTRICT_GROUPS
from geo.data.records import excerpt
from geo.data.revision import Revision
from geo.safe import clean_text, file_name_problem, shorten

WGS84_NAMES = {"EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326",
               "OGC:CRS84", "CRS84"}
# Guangzhou lies within lon 112.9–114.1, lat 22.5–23.9; anything far outside is not WGS84 lon/lat.
LON_RANGE, LAT_RANGE = (112.0, 115.0), (22.0, 24.5)
# Limits far above the real file (11 districts, 998 vertices in the largest, 5,184 in all):
# past them the map page, the exports and the sheets would take minutes and tens of MB.
MAX_DISTRICTS = 100
MAX_DISTRICT_VERTICES = 100_000
MAX_VERTICES = 400_000
# Neighbours share a border; digitising may leave slivers, never more than this (the real
# districts overlap by 0 km²). Measured in an equal-area projection, never in degrees.
OVERLAP_TOLERANCE_KM2 = 0.1


@dataclass(frozen=True)
class District:
    adcode: str
    name_zh: str
    name_en: str
    group: str
    area_km2: float
    geometry: BaseGeometry


def _text(props: dict, key: str) -> str:
    value = props.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be non-empty text, got {excerpt(value)}")
    return clean_text(value.strip())


def _number(props: dict, key: str) -> float:
    value = props.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {excerpt(value)}")
    return float(value)


def _crs_problem(doc: dict) -> str | None:
    """RFC 7946 GeoJSON is WGS84; an old-style `crs` member naming anything else is refused."""
    crs = doc.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(name, str) and name.strip() in WGS84_NAMES:
        return None
    return f"declares the coordinate system {excerpt(name or crs)}; the file must be WGS84 (EPSG:4326) lon/lat"


def _range_problem(geoms: list[BaseGeometry]) -> str | None:
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    inside = LON_RANGE[0] <= minx and maxx <= LON_RANGE[1] and LAT_RANGE[0] <= miny and maxy <= LAT_RANGE[1]
    if inside:
        return None
    swapped = LAT_RANGE[0] <= minx and maxx <= LAT_RANGE[1] and LON_RANGE[0] <= miny and maxy <= LON_RANGE[1]
    if swapped:
        return "coordinates look swapped (latitude first): GeoJSON positions are [longitude, latitude]"
    return (f"coordinates span x {minx:.6g}…{maxx:.6g}, y {miny:.6g}…{maxy:.6g}: not WGS84 lon/lat "
            "around Guangzhou (a projected file, e.g. EPSG:3857, must be reprojected to EPSG:4326)")


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH = {"[": 1, "{": 1, "]": -1, "}": -1}


def _nesting_line(text: str) -> int | None:
    """The line where the JSON text nests deeper than MAX_NESTING, or None: found by counting
    brackets outside strings, before json.loads recurses into it."""
    blank = _JSON_STRING.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', text)  # same length
    brackets = _NOT_BRACKET.sub("", blank)
    if not brackets or max(accumulate(map(_DEPTH.__getitem__, brackets))) <= MAX_NESTING:
        return None
    depth = 0
    for m in re.finditer(r"[\[\]{}]", blank):
        depth += _DEPTH[m.group()]
        if depth > MAX_NESTING:
            return text.count("\n", 0, m.start()) + 1
    return None


class _LongNumber(ValueError):
    pass


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:  # int() refuses past 4,300 digits anyway
        raise _LongNumber(digits)
    return int(digits)


def _read_json(name: str, text: str) -> object:
    if (line := _nesting_line(text)) is not None:
        raise DataError([Problem.error(name, "-", f"line {line}", nesting_problem(MAX_NESTING))])
    try:
        return json.loads(text, parse_int=_bounded_int)
    except _LongNumber as err:
        digits = str(err)
        line = text.count("\n", 0, max(text.find(digits), 0)) + 1
        raise DataError([Problem.error(name, "-", f"line {line}",
                                       number_problem(len(digits.lstrip("-"))))]) from None
    except json.JSONDecodeError as err:
        raise DataError([Problem.error(name, "-", f"line {err.lineno}", f"not valid JSON: {err.msg}")]) from None
    except RecursionError:  # not expected under MAX_NESTING; still a message, never a traceback
        raise DataError([Problem.error(name, "-", "-", nesting_problem(MAX_NESTING))]) from None


def _vertices(geometry: object) -> int:
    """Positions in a (Multi)Polygon's coordinates, counted before shapely builds anything."""
    if not isinstance(geometry, dict) or not isinstance(coords := geometry.get("coordinates"), list):
        return 0
    polygons = coords if geometry.get("type") == "MultiPolygon" else [coords]
    return sum(len(ring) for poly in polygons if isinstance(poly, list) for ring in poly if isinstance(ring, list))


def _feature_name(feat: object, i: int) -> str:
    props = feat.get("properties") if isinstance(feat, dict) else None
    name = props.get("name_zh") if isinstance(props, dict) else None
    return shorten(name.strip(), 60) if isinstance(name, str) and name.strip() else f"feature #{i + 1}"


def _size_problems(name: str, features: list) -> list[Problem]:
    """Too many districts or vertices: refused before any geometry is built."""
    if len(features) > MAX_DISTRICTS:
        return [Problem.error(name, "-", "features", f"{len(features):,} features, over the limit of "
                              f"{MAX_DISTRICTS} districts")]
    counts = [_vertices(f.get("geometry")) if isinstance(f, dict) else 0 for f in features]
    if sum(counts) > MAX_VERTICES:
        return [Problem.error(name, "-", "geometry", f"{sum(counts):,} vertices in all, over the limit of "
                              f"{MAX_VERTICES:,}: simplify the boundaries (e.g. mapshaper -simplify)")]
    return [Problem.error(name, _feature_name(f, i), "geometry",
                          f"{n:,} vertices, over the limit of {MAX_DISTRICT_VERTICES:,} for one district: "
                          "simplify the boundary (e.g. mapshaper -simplify)")
            for i, (f, n) in enumerate(zip(features, counts)) if n > MAX_DISTRICT_VERTICES]


def _overlap_problems(name: str, districts: list[District]) -> list[Problem]:
    """Neighbours may share a border, not land: an overlap over the tolerance is refused (named
    on the district that overlaps the most others), and so is a polygon that reaches over
    another district's label point (where the maps write its name)."""
    geoms = [d.geometry for d in districts]
    tree = shapely.STRtree(geoms)
    pairs = []
    for i, j in zip(*tree.query(geoms, predicate="intersects")):
        if i < j and (km2 := area_km2(geoms[i].intersection(geoms[j]))) > OVERLAP_TOLERANCE_KM2:
            pairs.append((int(i), int(j), km2))
    partners = [0] * len(districts)
    for i, j, _ in pairs:
        partners[i] += 1
        partners[j] += 1
    out = []
    for i, j, km2 in pairs:
        blamed, other = (i, j) if partners[i] > partners[j] else (j, i)
        out.append(Problem.error(name, districts[blamed].name_zh, "geometry",
                                 f"overlaps {districts[other].name_zh} by {km2:,.2f} km² (more than the "
                                 f"{OVERLAP_TOLERANCE_KM2} km² tolerance): neighbouring districts share "
                                 "only their border"))
    for d in districts:
        label = d.geometry.representative_point()
        for j in tree.query(label, predicate="within"):
            if geoms[j] is not d.geometry:
                out.append(Problem.error(
                    name, districts[j].name_zh, "geometry",
                    f"covers the label point of {d.name_zh} (lon {label.x:.5f}, lat {label.y:.5f}), "
                    "inside that district: a district's polygon must not reach into another"))
    return out


def load_districts(path: Path, *, revision: Revision | None = None) -> list[District]:
    """Read the districts (their bytes going into `revision`); raise DataError naming the file,
    feature and field on bad input."""
    name = path.name
    text, problems = read_text(path, revision=revision)
    if text is None:
        raise DataError(problems)
    doc = _read_json(name, text)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataError([Problem.error(name, "-", "type", "must be a GeoJSON FeatureCollection object")])
    if (crs := _crs_problem(doc)) is not None:
        raise DataError([Problem.error(name, "-", "crs", crs)])
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise DataError([Problem.error(name, "-", "features", "must be a non-empty list of district features")])
    if too_big := _size_problems(name, features):
        if too_big[0].entry_id == "-":
            raise DataError(too_big)
        problems += too_big
    too_big_ids = {p.entry_id for p in too_big}
    out: list[District] = []
    for i, feat in enumerate(features):
        fid = _feature_name(feat, i)
        if fid in too_big_ids:
            continue
        if not isinstance(feat, dict):
            problems.append(Problem.error(name, fid, "-", "feature must be a GeoJSON Feature object"))
            continue
        props = feat.get("properties")
        if not isinstance(props, dict):
            problems.append(Problem.error(name, fid, "properties", "must be an object of district attributes"))
            continue
        values: dict = {}
        for key, read in (("adcode", _text), ("name_zh", _text), ("name_en", _text), ("group", _text),
                          ("area_km2", _number)):
            try:
                values[key] = read(props, key)
            except ValueError as err:
                problems.append(Problem.error(name, fid, key, str(err)))
        for key in ("name_zh", "name_en"):  # sheets and maps are saved under these names
            if key in values and (why := file_name_problem(values[key])) is not None:
                problems.append(Problem.error(name, fid, key, f"cannot be a file name: it {why}"))
                values.pop(key)
        if "adcode" in values and not re.fullmatch(r"\d{6}", values["adcode"]):
            problems.append(Problem.error(name, fid, "adcode",
                                          f"must be a 6-digit code (GB/T 2260), got {excerpt(values['adcode'])}"))
            continue
        if "group" in values and values["group"] not in DISTRICT_GROUPS:
            problems.append(Problem.error(name, fid, "group",
                                          f"must be one of {', '.join(DISTRICT_GROUPS)}, got {excerpt(values['group'])}"))
            continue
        try:
            raw = feat["geometry"]
            if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
                raise ValueError("must be a GeoJSON Polygon or MultiPolygon")
            geom = shape(raw)
            if not geom.is_valid:
                raise ValueError("not a valid (multi)polygon")
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            problems.append(Problem.error(name, fid, "geometry", shorten(str(err), 200) or "not a valid (multi)polygon"))
            continue
        if len(values) == 5:
            out.append(District(geometry=geom, **values))
    for key in ("name_zh", "adcode"):
        seen: set[str] = set()
        for d in out:
            if getattr(d, key) in seen:
                problems.append(Problem.error(name, d.name_zh, key, f"district {key} {excerpt(getattr(d, key))} appears twice"))
            seen.add(getattr(d, key))
    if out and (where := _range_problem([d.geometry for d in out])) is not None:
        problems.append(Problem.error(name, "-", "geometry", where))
    elif out:
        problems += _overlap_problems(name, out)
    if problems:
        raise DataError(problems)
    return out


def on_border(candidates: Iterable[District], declared: Iterable[str] = ()) -> District:
    """The one district a point counts for when it lies on the border of several: one the entry
    declares, else the lowest adcode; the same answer whatever the order of the file."""
    candidates = sorted(candidates, key=lambda d: d.adcode)
    declared = set(declared)
    return next((d for d in candidates if d.name_zh in declared), candidates[0])


def district_at(districts: list[District], lon: float, lat: float) -> str | None:
    """Name of the district polygon containing the point, or None outside Guangzhou."""
    pt = shapely.Point(lon, lat)
    found = [d for d in districts if d.geometry.covers(pt)]
    return on_border(found).name_zh if found else None
