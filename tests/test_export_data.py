"""`python -m geo export-data` (issue 2): every layer in one file for GIS users."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from shapely.geometry import shape

from geo.__main__ import main
from geo.model import LAYERS
from geo.validate import load_checked

CHECKED = load_checked()


@pytest.fixture(scope="module")
def geojson(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("export") / "layout.geojson"
    assert main(["export-data", "--format", "geojson", "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_geojson_holds_every_layer_with_the_documented_properties(geojson):
    feats = geojson["features"]
    counts = Counter(f["properties"]["layer"] for f in feats)
    assert set(counts) == set(LAYERS)
    assert counts["district"] == 11 and counts["park"] == 28 and counts["axis_node"] == 10
    assert counts["axis"] == 1 + 6  # the line and its six district segments
    assert len({f["properties"]["id"] for f in feats}) == len(feats)
    unplaced = [f for f in feats if f["properties"]["layer"] == "platform" and f["geometry"] is None]
    assert len(unplaced) == len([p for p in CHECKED.layout.layer("platform") if not p.location and not p.places])
    for f in feats:
        props = f["properties"]
        assert {"id", "layer", "name_zh", "name_en", "district", "located_in", "group", "role_zh",
                "platforms", "sources"} <= set(props)
        if props["layer"] == "task":
            assert f["geometry"] is None
        elif props["layer"] != "platform":  # platforms the plans give no place stay null
            assert f["geometry"] is not None
        if props["layer"] not in ("district",):
            assert props["sources"] and all({"doc", "section", "quote"} <= set(s) for s in props["sources"])


def test_located_in_is_computed_from_geometry_and_can_differ_from_the_plan(geojson):
    bio = next(f for f in geojson["features"] if f["properties"]["id"] == "park-bio-island")
    assert bio["properties"]["district"] == "黄埔区" and bio["properties"]["located_in"] == "海珠区"
    knowledge = next(f for f in geojson["features"] if f["properties"]["id"] == "core-knowledge-city")
    assert "中新国际联合研究院" in knowledge["properties"]["platforms"]


def test_core_areas_are_circles_of_their_published_area(geojson):
    from geo.crs import area_km2

    yuzhu = next(f for f in geojson["features"] if f["properties"]["id"] == "area-yuzhu")
    assert area_km2(shape(yuzhu["geometry"])) == pytest.approx(25, rel=0.01)


def test_csv_opens_in_excel_with_chinese_and_the_same_rows(tmp_path, geojson):
    out = tmp_path / "layout.csv"
    assert main(["export-data", "--format", "csv", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(geojson["features"])
    bio = next(r for r in rows if r["id"] == "park-bio-island")
    assert bio["located_in"] == "海珠区" and "001_c53a813f44610f0f.txt" in bio["sources"]
    assert bio["wkt"].startswith("POINT")
