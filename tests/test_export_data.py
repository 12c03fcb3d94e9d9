"""The typed model and what GIS users get (issue 9): frames, GeoPackage, GeoJSON, CSV, XLSX, the
JSON Schema, and the registry of kinds."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import jsonschema
import pyogrio
import pytest
import shapely
import yaml
from openpyxl import load_workbook
from shapely.geometry import shape

import geo
from geo.__main__ import main
from geo.data.kinds import KINDS
from geo.data.schema import json_schemas, readme_path, readme_with_tables
from tests.conftest import DATA_DIR, edit_yaml

CHECKED = geo.load_checked()
COUNTS = Counter(e.kind for e in CHECKED.entries.values())


def raw_entries(file: str, section: str | None = None) -> list[dict]:
    doc = yaml.safe_load((DATA_DIR / file).read_text(encoding="utf-8"))
    return doc if section is None else doc[section]


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "layout.gpkg"
    assert main(["export-data", "--format", "gpkg", "--out", str(out)]) == 0
    return out


def test_geopackage_has_a_layer_per_kind_in_wgs84_with_every_attribute(gpkg: Path):
    layers = dict(pyogrio.list_layers(gpkg))
    assert set(layers) == set(KINDS) | {"district"}
    for kind in KINDS:
        frame = gpd.read_file(gpkg, layer=kind) if layers[kind] else None
        if frame is None:  # an attribute table (tasks, node lists)
            frame = pyogrio.read_dataframe(gpkg, layer=kind, read_geometry=False)
        else:
            assert frame.crs.to_epsg() == 4326, kind
        assert len(frame) == COUNTS[kind], kind
        for column in ("id", "name_zh", "sources"):
            assert column in frame.columns or kind == "node_list", (kind, column)
    parks = gpd.read_file(gpkg, layer="park")
    assert {"name_en", "role_zh", "aliases", "notes", "district", "located_in", "group", "platforms",
            "lon", "lat", "precision_m", "location_method"} <= set(parks.columns)
    tasks = pyogrio.read_dataframe(gpkg, layer="task", read_geometry=False)
    assert {"lead_units", "districts", "district_scope"} <= set(tasks.columns)
    platforms = gpd.read_file(gpkg, layer="platform")
    assert platforms["tier"].notna().all()
    # Counted from the YAML, not from the loader: every park and every platform is there.
    assert set(parks["id"]) == {p["id"] for p in raw_entries("parks.yaml")}
    assert set(platforms["id"]) == {p["id"] for p in raw_entries("platforms.yaml")}


def test_the_district_join_agrees_with_the_boundaries_for_every_placed_entry(gpkg: Path):
    districts = gpd.read_file(gpkg, layer="district")
    assert len(districts) == 11 and districts.crs.to_epsg() == 4326
    for kind in ("core", "park", "platform", "axis_node"):
        frame = gpd.read_file(gpkg, layer=kind)
        placed = frame[frame["lon"].notna()]
        assert len(placed) > 0
        for row in placed.itertuples():
            pt = shapely.Point(row.lon, row.lat)
            inside = [d.name_zh for d in districts.itertuples() if d.geometry.covers(pt)]
            assert row.located_in == inside[0], (row.id, row.located_in, inside)
            assert CHECKED.located[row.id] == row.located_in


def test_bio_island_is_declared_huangpu_and_located_in_haizhu():
    parks = geo.frames(CHECKED)["park"].set_index("id")
    assert parks.loc["park-bio-island", "district"] == "黄埔区"
    assert parks.loc["park-bio-island", "located_in"] == "海珠区"
    assert "人类细胞谱系大科学研究设施" in parks.loc["park-bio-island", "platforms"]


def test_geojson_holds_every_kind_with_its_properties(tmp_path: Path):
    out = tmp_path / "layout.geojson"
    assert main(["export-data", "--format", "geojson", "--out", str(out)]) == 0
    feats = json.loads(out.read_text(encoding="utf-8"))["features"]
    counts = Counter(f["properties"]["kind"] for f in feats)
    assert counts == {**COUNTS, "district": 11}
    assert len({f["properties"]["id"] for f in feats}) == len(feats)
    yuzhu = next(f for f in feats if f["properties"]["id"] == "area-yuzhu")
    from geo.crs import area_km2

    assert area_km2(shape(yuzhu["geometry"])) == pytest.approx(25, rel=0.01)  # the published area
    for f in feats:
        if f["properties"]["kind"] in ("task", "node_list"):
            assert f["geometry"] is None


def test_csv_has_lon_lat_columns_and_no_wkt(tmp_path: Path):
    out = tmp_path / "layout.csv"
    assert main(["export-data", "--format", "csv", "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == sum(COUNTS.values()) + 11
    assert "wkt" not in rows[0] and max(len(v) for r in rows for v in r.values()) < 3000
    bio = next(r for r in rows if r["id"] == "park-bio-island")
    assert bio["located_in"] == "海珠区" and float(bio["lon"]) == pytest.approx(113.371)


def test_xlsx_has_a_sheet_per_kind(tmp_path: Path):
    out = tmp_path / "layout.xlsx"
    assert main(["export-data", "--format", "xlsx", "--out", str(out)]) == 0
    book = load_workbook(out)
    assert set(book.sheetnames) == set(KINDS) | {"district"}
    parks = book["park"]
    header = [c.value for c in parks[1]]
    assert header[:3] == ["id", "kind", "name_zh"] and parks.max_row == COUNTS["park"] + 1
    assert parks.freeze_panes == "A2"


def test_the_json_schema_rejects_an_unknown_field_and_a_wrong_tier():
    schemas = json_schemas()
    platforms = raw_entries("platforms.yaml")
    jsonschema.validate(platforms, schemas["platforms.schema.json"])  # the shipped file passes
    typo = [{**platforms[0], "teir": "national-lab"}]
    with pytest.raises(jsonschema.ValidationError, match="teir"):
        jsonschema.validate(typo, schemas["platforms.schema.json"])
    wrong = [{**platforms[0], "tier": "world-lab"}]
    with pytest.raises(jsonschema.ValidationError, match="world-lab"):
        jsonschema.validate(wrong, schemas["platforms.schema.json"])
    axis = yaml.safe_load((DATA_DIR / "axis.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(axis, schemas["axis.schema.json"])


def test_published_schemas_and_readme_tables_are_generated_from_the_models():
    for name, schema in json_schemas().items():
        shipped = json.loads((DATA_DIR / "schema" / name).read_text(encoding="utf-8"))
        assert shipped == schema, f"data/schema/{name} is stale: run python -m geo schema --readme"
    text = readme_path().read_text(encoding="utf-8")
    assert readme_with_tables(text) == text, "data/README.md is stale: run python -m geo schema --readme"
    assert text.count("<!-- fields: ") >= len(KINDS) - 1
    for file in {k.file for k in KINDS.values()}:
        first = (DATA_DIR / file).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=schema/{file.replace('.yaml', '.schema.json')}"


def test_validate_without_the_documents_says_so_once(tmp_path: Path, capsys):
    assert main(["validate", "--seeds", str(tmp_path / "nowhere")]) == 0
    out = capsys.readouterr().out
    assert out.count("quotes were not checked") == 1 and str(tmp_path / "nowhere") in out
    assert "0 error(s)" in out


# Sources as programs read them (issue 23): a JSON array of {doc, section, quote} per entry, in
# every format, read back with the reader a GIS user or a script would use.
COLON_SECTION = "第二章：第一节 以“一区三城”为主阵地"  # a section holding "：", as "doc section：quote" text could not show


def geojson_sources(path: Path) -> dict[str, list]:
    """As a script reads it: the property is the array itself."""
    return {f["properties"]["id"]: f["properties"]["sources"]
            for f in json.loads(path.read_text(encoding="utf-8"))["features"] if "sources" in f["properties"]}


def gdal_sources(path: Path) -> dict[str, list]:
    """As GDAL (QGIS, geopandas) reads it: a JSON field, which pyogrio hands over parsed."""
    out: dict[str, list] = {}
    for layer, _ in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        if "sources" in frame:
            fields = pyogrio.read_info(path, layer=layer)
            assert dict(zip(fields["fields"], fields["ogr_subtypes"]))["sources"] == "OFSTJSON", layer
            # a GeoJSON is one layer: its districts, which cite nothing, have no sources
            out |= {i: s for i, s in zip(frame["id"], frame["sources"]) if not i.startswith("district-")}
    return out


def sqlite_sources(path: Path) -> dict[str, list]:
    """As a program without GDAL reads a GeoPackage: SQLite text, parsed with json.loads."""
    out: dict[str, list] = {}
    with closing(sqlite3.connect(path)) as db:
        for (layer,) in db.execute("SELECT table_name FROM gpkg_contents").fetchall():
            columns = [c[1] for c in db.execute(f'PRAGMA table_info("{layer}")')]
            if "sources" in columns:
                out |= {i: json.loads(s) for i, s in db.execute(f'SELECT id, sources FROM "{layer}"')}
    return out


def csv_sources(path: Path) -> dict[str, list]:
    rows = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")))
    return {r["id"]: json.loads(r["sources"]) for r in rows if r["sources"]}


def xlsx_sources(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for sheet in load_workbook(path, read_only=True).worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows))
        if "sources" in header:
            out |= {r[header.index("id")]: json.loads(r[header.index("sources")]) for r in rows}
    return out


READERS = {"geojson": [geojson_sources, gdal_sources], "gpkg": [gdal_sources, sqlite_sources],
           "csv": [csv_sources], "xlsx": [xlsx_sources]}


@pytest.mark.parametrize("fmt", list(READERS))
def test_every_format_gives_each_entry_s_sources_as_doc_section_and_quote(fmt: str, data_copy: Path,
                                                                          tmp_path: Path):
    edit_yaml(data_copy / "parks.yaml", lambda parks: parks[0]["sources"][0].update(section=COLON_SECTION))
    out = tmp_path / f"layout.{fmt}"
    assert main(["--data", str(data_copy), "export-data", "--format", fmt, "--out", str(out)]) == 0
    checked = geo.load_checked(data_copy)
    expected = {e.id: [{"doc": s.doc, "section": s.section, "quote": s.quote} for s in e.sources]
                for e in checked.entries.values()}
    for read in READERS[fmt]:
        got = read(out)
        assert got == expected, read.__name__
        park = raw_entries("parks.yaml")[0]["id"]
        assert got[park][0]["section"] == COLON_SECTION, read.__name__
        assert got[park][0]["quote"] == checked.entries[park].sources[0].quote


def test_the_readable_sources_column_stays_beside_the_json():
    parks = geo.frames(CHECKED)["park"].set_index("id")
    bio = CHECKED.entries["park-bio-island"]
    assert parks.loc["park-bio-island", "sources_text"].splitlines()[0] == \
        f"{bio.sources[0].doc} {bio.sources[0].section}：{bio.sources[0].quote}"


def test_a_zone_s_parts_are_one_json_array_with_their_points():
    """QGIS's from_json("parts") or a script's json.loads reads a zone's parts, points and all."""
    platforms = geo.frames(CHECKED)["platform"].set_index("id")
    parts = json.loads(platforms.loc["platform-shipai-wushan-longdong-university-cluster", "parts"])
    assert [p["name_zh"] for p in parts] == ["石牌", "五山", "龙洞"]
    assert all(113 < p["location"]["lon"] < 114 and 22 < p["location"]["lat"] < 24 for p in parts)


def sheet_citations(rows: list[dict], lang: str) -> dict[str, list]:
    """Row key -> parsed citations of each district-sheet row, the columns found by their titles."""
    sheet = geo_sheet(lang)
    key, cited = sheet.header("key"), sheet.header("sources_json")
    return {r[key]: json.loads(r[cited]) for r in rows if r.get(key)}


def geo_sheet(lang: str):
    from geo.exports.district_sheet import district_sheet

    return district_sheet(CHECKED, "南沙区", lang=lang)


def cited_by(ids: list[str]) -> list[dict]:
    """What a row cites: its entries' sources (a place row's nodes first), each once."""
    once = dict.fromkeys(s for i in ids for s in CHECKED.entries[i].sources)
    return [{"doc": s.doc, "section": s.section, "quote": s.quote} for s in once]


@pytest.mark.parametrize(("fmt", "lang"), [("csv", "zh"), ("xlsx", "en")])
def test_the_district_sheet_gives_each_row_s_sources_as_json(fmt: str, lang: str, tmp_path: Path):
    out = tmp_path / f"nansha.{fmt}"
    assert main(["sheet", "--lang", lang, "--district", "南沙区", "--format", fmt, "--out", str(out)]) == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    else:
        rows = []
        for ws in load_workbook(out, read_only=True).worksheets:
            table = list(ws.iter_rows(values_only=True))
            if table and geo_sheet(lang).header("sources_json") in table[0]:
                rows += [dict(zip(table[0], (v or "" for v in r))) for r in table[1:]]
    found = sheet_citations(rows, lang)
    assert len(found) == len(geo_sheet(lang).rows) > 20
    for row in geo_sheet(lang).rows:
        assert found[row.key] == cited_by(list(row.ids)), row.key
