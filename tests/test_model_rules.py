"""One model under every view (issue 19): one findings rule shared by the validator, the popups
and the district sheets; the sheet order from the registry; stable, language-free row keys; and
the data revision on every view and export."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path

import pyogrio
import pytest
import shapely
import yaml
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import geo.__main__
from geo.__main__ import main
from geo.data.kinds import KINDS, PARK, TASK
from geo.data.validate import load_checked, validate
from geo.exports.district_sheet import district_sheet
from geo.i18n import LANGS
from geo.maps.details import details_html
from tests.conftest import DATA_DIR, edit_yaml
from tests.shipped import shipped

CHECKED = shipped()
DISTRICTS = [d.name_zh for d in CHECKED.districts]
VALIDATOR = {p.entry_id: p.message for p in validate(check_quotes=False).problems if p.level == "finding"}
ROOT = Path(__file__).resolve().parents[1]


def expected_findings(data: Path) -> dict[str, tuple[set[str], str]]:
    """Entry id -> (the districts it concerns, its boundary_note), straight from the YAML and the
    GeoJSON: an entry whose own record declares its district(s), while its point (its own, else
    its first place's) lies in none of them."""
    polygons = {f["properties"]["name_zh"]: shapely.geometry.shape(f["geometry"])
                for f in json.loads((data / "districts.geojson").read_text(encoding="utf-8"))["features"]}
    cores = yaml.safe_load((data / "cores.yaml").read_text(encoding="utf-8"))
    places = cores["cores"] + cores["core_areas"] + yaml.safe_load((data / "parks.yaml").read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in places}
    out = {}
    for e in places + yaml.safe_load((data / "platforms.yaml").read_text(encoding="utf-8")):
        own = e.get("district") or []
        own = {own} if isinstance(own, str) else set(own)
        hosts = [by_id[i] for i in e.get("places", []) if i in by_id]
        point = e.get("location") or (hosts[0]["location"] if hosts else None)
        if not own or point is None:
            continue
        lies_in = {n for n, poly in polygons.items() if poly.covers(shapely.Point(point["lon"], point["lat"]))}
        if lies_in and not lies_in & own:
            out[e["id"]] = (own | lies_in, e.get("boundary_note") or "")
    return out


FINDINGS = expected_findings(DATA_DIR)


def test_the_validator_reports_the_findings_the_rule_gives():
    assert set(VALIDATOR) == set(FINDINGS)
    assert set(VALIDATOR) >= {"park-bio-island", "platform-guangzhou-lab"}
    # A platform placed at 生物岛 that declares no district of its own is covered by the park's finding.
    assert "platform-bio-island-bsl3-lab" not in VALIDATOR


@pytest.mark.parametrize("district", DISTRICTS)
def test_a_sheets_findings_are_the_validators_in_that_district_each_explained(district: str):
    want = {i for i, (districts, _) in FINDINGS.items() if district in districts}
    for lang in LANGS:
        rows = district_sheet(CHECKED, district, lang=lang).group("finding")
        assert sorted(i for r in rows for i in r.ids) == sorted(want), lang
        for row in rows:
            note = FINDINGS[row.ids[0]][1]
            assert note and row.basis == note  # the explanation, as the data gives it
            assert note in VALIDATOR[row.ids[0]]  # ...and as the validator reports it


def test_a_platform_inheriting_its_district_shows_its_places_explained_finding():
    html = details_html(CHECKED, CHECKED.entries["platform-bio-island-bsl3-lab"], lang="zh")
    note = FINDINGS["park-bio-island"][1]
    assert "gz-finding" in html and "广州国际生物岛：" in html
    assert html.count("gz-finding") == 1 and note.split("。")[0] in html
    haizhu = district_sheet(CHECKED, "海珠区", lang="zh")
    assert [r.group.startswith("platform-") for r in haizhu.rows if "platform-bio-island-bsl3-lab" in r.ids] == [True]


def test_an_unexplained_finding_is_marked_everywhere(data_copy: Path):
    def drop_note(parks: list[dict]) -> None:
        next(p for p in parks if p["id"] == "park-bio-island").pop("boundary_note")

    edit_yaml(data_copy / "parks.yaml", drop_note)
    checked = load_checked(data_copy)
    message = next(p.message for p in validate(data_copy, check_quotes=False).problems
                   if p.level == "finding" and p.entry_id == "park-bio-island")
    row = next(r for r in district_sheet(checked, "黄埔区", lang="en").group("finding") if r.ids == ("park-bio-island",))
    popup = details_html(checked, checked.entries["park-bio-island"], lang="zh")
    assert "UNEXPLAINED" in message and "UNEXPLAINED" in row.basis and "UNEXPLAINED" in popup


# ------------------------------------------------------------------ sheet order


def test_the_sheet_order_follows_the_registry(monkeypatch):
    groups = list(district_sheet(CHECKED, "黄埔区", lang="zh").counts())
    tiers = [g for g in groups if g.startswith("platform-")]
    assert tiers == ["platform-national-lab", "platform-tech-innovation-centre", "platform-major-facility",
                     "platform-provincial-lab", "platform-research-institute", "platform-other"]
    assert groups == ["segment", "axis_node", "core", "park", *tiers, "task", "common_task", "finding"]
    # Parks first, the tasks (and the common tasks with them) between parks and platforms.
    monkeypatch.setitem(KINDS, PARK, dataclasses.replace(KINDS[PARK], table_order=-1))
    monkeypatch.setitem(KINDS, TASK, dataclasses.replace(KINDS[TASK], table_order=4.5))
    groups = list(district_sheet(CHECKED, "黄埔区", lang="zh").counts())
    assert groups == ["park", "segment", "axis_node", "core", "task", "common_task", *tiers, "finding"]


# ------------------------------------------------------------------ row keys


def keys(checked, district: str, lang: str = "zh") -> list[str]:
    return [r.key for r in district_sheet(checked, district, lang=lang).rows]


@pytest.mark.parametrize("district", ["海珠区", "黄埔区", "南沙区"])
def test_row_keys_are_language_free_and_unique(district: str):
    zh, en = keys(CHECKED, district, "zh"), keys(CHECKED, district, "en")
    assert zh == en and len(zh) == len(set(zh))
    rows = district_sheet(CHECKED, district, lang="zh").rows
    assert all(r.key == f"{r.group}:{r.ids[-1]}" for r in rows)


def test_row_keys_survive_an_unrelated_entry_and_a_reordered_file(data_copy: Path):
    before = {d: keys(CHECKED, d) for d in DISTRICTS}

    def add_park(parks: list[dict]) -> None:
        new = dict(next(p for p in parks if p["id"] == "park-conghua-eda"), id="park-test-added", name_zh="测试新园区")
        parks.insert(0, new)  # first in the file: every row after it moves

    edit_yaml(data_copy / "parks.yaml", add_park)
    checked = load_checked(data_copy)
    for d in DISTRICTS:
        if d == "从化区":
            assert set(keys(checked, d)) == set(before[d]) | {"park:park-test-added"}
        else:
            assert keys(checked, d) == before[d], d
    edit_yaml(data_copy / "platforms.yaml", lambda platforms: platforms.reverse())
    reordered = load_checked(data_copy)
    assert all(set(keys(reordered, d)) == set(keys(checked, d)) for d in DISTRICTS)


# ------------------------------------------------------------------ data revision


def test_the_revision_is_the_data_files_content(data_copy: Path):
    assert re.fullmatch(r"[0-9a-f]{12}", CHECKED.revision)
    assert load_checked(data_copy).revision == CHECKED.revision  # same bytes, same revision
    (data_copy / "notes.txt").write_text("not a data file", encoding="utf-8")
    assert load_checked(data_copy).revision == CHECKED.revision  # a file the loader never reads
    geojson = data_copy / "districts.geojson"
    geojson.write_bytes(geojson.read_bytes() + b"\n")
    edited_districts = load_checked(data_copy).revision
    assert edited_districts != CHECKED.revision
    edit_yaml(data_copy / "units.yaml", lambda units: units.reverse())
    assert load_checked(data_copy).revision not in (CHECKED.revision, edited_districts)


def test_every_sheet_and_export_shows_the_revision(data_copy: Path, tmp_path: Path, monkeypatch):
    edit_yaml(data_copy / "parks.yaml", lambda parks: parks[0].update(role_zh="改过的定位"))
    edited = load_checked(data_copy)
    revision = edited.revision
    assert revision != CHECKED.revision
    # Each command's own code end to end, on the edited data validated once (not once a command).
    monkeypatch.setattr(geo.__main__, "load_checked", lambda directory: {data_copy: edited}[directory])
    out = tmp_path / "out"
    out.mkdir()

    def run(*args: str) -> Path:
        assert main(["--data", str(data_copy), *args[:-1], "--out", str(out / args[-1])]) == 0
        return out / args[-1]

    book = load_workbook(run("sheet", "--district", "海珠区", "--format", "xlsx", "s.xlsx"))
    assert f"数据版本 {revision}" in [c.value for row in book.worksheets[0].iter_rows() for c in row]
    rows = list(csv.DictReader(io.StringIO(run("sheet", "--district", "海珠区", "--format", "csv", "s.csv")
                                           .read_text(encoding="utf-8-sig"))))
    assert rows and {r["数据版本"] for r in rows} == {revision} and all(r["行键"] for r in rows)
    pages = PdfReader(run("sheet", "--district", "海珠区", "--format", "pdf", "s.pdf")).pages
    assert all(revision in p.extract_text() for p in pages)
    feature_collection = json.loads(run("export-data", "--format", "geojson", "d.geojson").read_text(encoding="utf-8"))
    assert feature_collection["revision"] == revision
    assert {f["properties"]["revision"] for f in feature_collection["features"]} == {revision}
    gpkg = run("export-data", "--format", "gpkg", "d.gpkg")
    assert set(pyogrio.read_dataframe(gpkg, layer="park")["revision"]) == {revision}
    table = list(csv.DictReader(io.StringIO(run("export-data", "--format", "csv", "d.csv").read_text(encoding="utf-8-sig"))))
    assert {r["revision"] for r in table} == {revision}
    sheet = load_workbook(run("export-data", "--format", "xlsx", "d.xlsx"))["park"]
    column = [c.value for c in sheet[1]].index("revision")
    assert {row[column].value for row in sheet.iter_rows(min_row=2)} == {revision}
    assert revision in PdfReader(run("export-map", "--format", "pdf", "m.pdf")).pages[0].extract_text()
    assert f"Data revision {revision}" in run("export-html", "--lang", "en", "m.html").read_text(encoding="utf-8")


def test_the_app_footer_names_the_revision():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert at.caption[-1].value == f"数据版本 {CHECKED.revision}"
