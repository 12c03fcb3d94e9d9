"""Every reading works (issue 18, item 3): each of the five documents (`?doc=000`…`004`,
`--document 000`…) and each platform-system reading, in both languages, opens the app's map and
district-sheet pages and renders every export. A reading without the axis (000 cites no place at
all, 004 does not describe the axis) draws none and says so beside the legend."""
from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import pytest
import shapely
from openpyxl import load_workbook
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import geo.__main__ as cli
from geo.data.kinds import labelled
from geo.data.validate import load_checked
from geo.exports.district_sheet import district_sheet
from geo.exports.export_data import export
from geo.exports.sheet_export import to_csv
from geo.review.form import to_xlsx
from geo.exports.sheet_pdf import sheet_pdf
from geo.exports.standalone import standalone_html
from geo.i18n import LANGS, t
from geo.maps.static_map import export_map
from layers import build_layers
from tests.mapdocs import served
from tests.shipped import shipped

ROOT = Path(__file__).resolve().parents[1]
CHECKED = shipped()
DOCS = [d[:3] for d in CHECKED.documents]  # 000 … 004, as links and --document name them
SYSTEMS = [s.id for s in CHECKED.of_kind("platform_system")]
CASES = [(doc, lang) for doc in DOCS for lang in LANGS]
DISTRICT = "南沙区"  # every reading but 000 assigns it something


def read(doc: str | None = None, system: str | None = None):
    full = next((d for d in CHECKED.documents if d.startswith(doc)), None) if doc else None
    return CHECKED.as_read(full, system)


def flat(text: str) -> str:
    """Text as extracted from a page, lines joined: a wrapped note compares whole."""
    return re.sub(r"\s+", "", text)


def notes(reading, lang: str) -> list[str]:
    return [layer.note for layer in build_layers(reading, None, lang=lang) if layer.note]


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def said(reading, lang: str) -> str:
    """A name the reading puts on the map: the place that print maps label first (a pole, a core,
    a park: geo.data.kinds.labelled), or (000 cites nothing) a district."""
    items = [i for layer in build_layers(reading, None, lang=lang) for i in layer.items
             if i.entry is not None and isinstance(i.geometry, shapely.Point)]
    drawn = sorted((i for i in items if i.entry.kind in labelled()), key=lambda i: labelled().index(i.entry.kind))
    return drawn[0].label if drawn else CHECKED.district_name(DISTRICT, lang)


def test_readings_without_the_axis_say_so_and_the_others_draw_it():
    assert read("004").axis is None and read("000").axis is None
    for lang in LANGS:
        assert notes(read("004"), lang)[-1] == t("layer.axis.absent", lang)
        assert t("layer.axis.no_line", lang) in notes(read("003"), lang)  # cites the axis, names no node
        assert notes(read("000"), lang)  # cites nothing: every layer but the districts says so
        for reading in (CHECKED, read("001"), read("002"), *(read(system=s) for s in SYSTEMS)):
            axis = next(layer for layer in build_layers(reading, None, lang=lang) if layer.key == "axis")
            assert not axis.note and axis.items[0].entry.kind == "axis"


# --- the app: ?doc=00N&lang=… on the map page and on a district's sheet -------------------------

def run_app(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def assert_page_works(at: AppTest, lang: str, reading) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]  # "internal error" was all the page showed
    maps = at.get("component_instance")
    assert maps, "no map on the page"
    layout = served(json.loads(maps[0].proto.json_args)["layout"], CHECKED)  # the reading's, in `lang`
    assert layout["lang"] == lang
    legend = html.unescape(" ".join(layer["legend"] for layer in layout["layers"]))
    for note in notes(reading, lang):  # in the map's legend
        assert note in legend


@pytest.mark.parametrize("doc,lang", CASES)
def test_app_pages_open_for_every_document(doc: str, lang: str):
    reading = read(doc)
    at = run_app(doc=doc, lang=lang)
    assert_page_works(at, lang, reading)
    assert at.query_params["doc"] == doc  # the page shows that reading, and its link says so
    at = run_app(doc=doc, lang=lang, page="sheet", district=DISTRICT)
    assert_page_works(at, lang, reading)
    label = CHECKED.district_name(DISTRICT, lang)
    assert any(label in h.value for h in at.header)
    assert len(at.get("download_button")) == 3  # XLSX, CSV and PDF made with the page


@pytest.mark.parametrize("system", SYSTEMS)
def test_app_pages_open_for_every_platform_system_reading(system: str):
    for lang, page in (("zh", "map"), ("en", "sheet")):
        at = run_app(system=system, lang=lang, page=page, **({"district": DISTRICT} if page == "sheet" else {}))
        assert_page_works(at, lang, read(system=system))
        assert at.query_params["system"] == system


def test_choosing_a_document_without_the_axis_in_the_sidebar():
    at = run_app()
    for doc in ("004_", "000_"):
        at.selectbox(key="document").select(next(d for d in CHECKED.documents if d.startswith(doc))).run()
        assert_page_works(at, "zh", read(doc[:3]))


# --- the command line: every command for every document -----------------------------------------

@pytest.fixture
def loaded_once(monkeypatch):
    """The CLI's own code end to end, but the data validated once (0.45 s a command otherwise)."""
    monkeypatch.setattr(cli, "load_checked", lambda directory=None: CHECKED)


def run_cli(*argv: str) -> None:
    assert cli.main([*argv]) == 0, argv


MAP_FORMATS = ("png", "svg", "pdf")
SHEET_FORMATS = ("xlsx", "csv", "pdf")
DATA_FORMATS = ("gpkg", "geojson", "csv", "xlsx")


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{d}-{lang}" for d, lang in CASES])
def test_every_command_renders_every_document(i: int, tmp_path: Path, loaded_once):
    doc, lang = CASES[i]
    reading, opts = read(doc), ("--lang", lang)
    base = ("--document", doc)
    # Formats turn over across the cases, so each is hit for several documents and both languages.
    fmt = MAP_FORMATS[i % 3]
    out = tmp_path / f"map.{fmt}"
    run_cli(*base, "export-map", "--format", fmt, "--dpi", "40", "--out", str(out), *opts)
    data = out.read_bytes()
    if fmt == "png":
        assert data.startswith(b"\x89PNG") and len(data) > 20_000
    elif fmt == "svg":  # text is drawn as outlines; each item carries its layer and id
        drawn = [f"{layer.key}:{item.id}" for layer in build_layers(reading, None, lang=lang) for item in layer.items]
        assert all(f'id="{gid}"' in data.decode() for gid in drawn)
    else:
        text = flat(pdf_text(data))
        assert all(flat(note) in text for note in notes(reading, lang)) and flat(said(reading, lang)) in text

    fmt = SHEET_FORMATS[(i // 2 + i) % 3]  # differs between the two languages of one document
    out = tmp_path / f"sheet.{fmt}"
    run_cli(*base, "sheet", "--district", DISTRICT, "--format", fmt, "--out", str(out), *opts)
    sheet = district_sheet(reading, DISTRICT, lang=lang)
    first = sheet.rows[0].name if sheet.rows else None  # 000 assigns nothing: an empty sheet
    if fmt == "xlsx":
        cells = [str(c.value) for ws in load_workbook(out) for row in ws.iter_rows() for c in row]
        assert any((first or sheet.district_label) in c for c in cells)
    elif fmt == "csv":
        assert (first or sheet.header("name")) in out.read_text(encoding="utf-8-sig")
    else:
        assert flat(sheet.district_label) in flat(pdf_text(out.read_bytes()))

    out = tmp_path / "map.html"
    run_cli(*base, "export-html", "--out", str(out), *opts)
    html = out.read_text(encoding="utf-8")
    assert said(reading, lang) in html and all(note in html for note in notes(reading, lang))

    fmt = DATA_FORMATS[i % 4]
    out = tmp_path / f"layout.{fmt}"
    run_cli(*base, "export-data", "--format", fmt, "--out", str(out))
    assert out.stat().st_size > 0
    if fmt in ("geojson", "csv") and reading.entries:
        text = out.read_text(encoding="utf-8-sig")
        assert all(key in text for key in reading.entries)  # every entry of the reading, and only those
        assert fmt != "geojson" or len(json.loads(text)["features"]) >= len(reading.entries)


# The atlas is 12 maps (6-13 s a reading here): the readings whose maps lack the axis line, each
# in one language; 001 and 002 draw the axis as the whole layout does (tests/test_static_export.py).
@pytest.mark.parametrize("doc,lang", [("000", "zh"), ("003", "en"), ("004", "en")])
def test_the_atlas_renders_the_readings_without_an_axis_line(doc: str, lang: str, tmp_path: Path, loaded_once):
    out = tmp_path / "atlas.pdf"
    run_cli("--document", doc, "atlas", "--out", str(out), "--lang", lang)
    pages = PdfReader(out).pages
    assert len(pages) == 1 + len(CHECKED.districts)
    text = flat(pages[0].extract_text())
    assert all(flat(note) in text for note in notes(read(doc), lang))


# --- the platform-system readings, through the library (the CLI reads documents only) ----------

@pytest.mark.parametrize("system", SYSTEMS)
def test_every_export_renders_every_platform_system_reading(system: str, tmp_path: Path):
    reading = read(system=system)
    members = {p for ids in CHECKED.entries[system].members.values() for p in ids}
    assert {e.id for e in reading.of_kind("platform")} == members
    lang = LANGS[SYSTEMS.index(system) % 2]
    layers = build_layers(reading, None, lang=lang)
    fmt = MAP_FORMATS[SYSTEMS.index(system) % 3]
    assert len(export_map(reading, layers, tmp_path / f"m.{fmt}", fmt, DISTRICT, dpi=40, lang=lang)) > 10_000
    sheet = district_sheet(reading, DISTRICT, lang=lang)
    assert to_csv(sheet) and to_xlsx(reading, sheet) and sheet_pdf(reading, sheet).startswith(b"%PDF")
    assert said(reading, lang) in standalone_html(reading, None, lang=lang)
    export(reading, "geojson", tmp_path / "l.geojson")
    ids = {f["properties"]["id"] for f in json.loads((tmp_path / "l.geojson").read_text())["features"]}
    assert members <= ids

