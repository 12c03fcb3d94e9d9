"""District boundaries (issue 2): complete, true to area, shared borders with no gaps or overlaps.

That the outlines are WGS84 and not Amap's raw GCJ-02 is checked where they are made, by
scripts/build_districts.py against cnmaps' own conversion (cnmaps pulls in cartopy, SciPy and
netCDF4, which the tests do not need)."""
from __future__ import annotations

import itertools

import shapely

from geo.crs import area_km2
from geo.data.districts import load_districts
from tests.conftest import DATA_DIR

DISTRICTS = load_districts(DATA_DIR / "districts.geojson")


def test_eleven_districts_with_groups_from_the_plan():
    groups = {d.name_zh: d.group for d in DISTRICTS}
    assert len(groups) == 11
    # 001 §三: 中部 荔湾、越秀、天河、海珠、番禺; 东部北部 黄埔、增城、白云、花都、从化; 南部 南沙.
    assert {n for n, g in groups.items() if g == "中部"} == {"荔湾区", "越秀区", "天河区", "海珠区", "番禺区"}
    assert {n for n, g in groups.items() if g == "南部"} == {"南沙区"}
    assert all(d.adcode.startswith("4401") for d in DISTRICTS)


def test_areas_sum_to_guangzhou_within_one_percent():
    total = sum(area_km2(d.geometry) for d in DISTRICTS)
    assert abs(total - 7434) / 7434 < 0.01, total
    for d in DISTRICTS:  # the stored property is the computed one
        assert abs(area_km2(d.geometry) - d.area_km2) < 0.1


def test_no_gap_or_overlap_between_neighbours_over_001_km2():
    for a, b in itertools.combinations(DISTRICTS, 2):
        overlap = a.geometry.intersection(b.geometry)
        assert area_km2(overlap) < 0.01, (a.name_zh, b.name_zh)
    union = shapely.union_all([d.geometry for d in DISTRICTS])
    holes = [shapely.Polygon(r) for p in getattr(union, "geoms", [union]) for r in p.interiors]
    assert all(area_km2(h) < 0.01 for h in holes)
