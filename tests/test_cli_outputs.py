"""What the command line writes, and where (issue 18 items 1, 7, 11, 12).

- File names made from data never lead out of --out, even when validation lets a name through;
- no XLSX cell or CSV cell from data or documents becomes a formula, and CSV quotes `;`;
- a broken or unwritable font cache costs one build per process, never a failed export;
- every --out mistake is one line on stderr, never a traceback, and --district all keeps going.
"""
from __future__ import annotations

import csv
import errno
import io
import json
import logging
import shutil
import sys
import warnings
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from openpyxl import load_workbook

from geo import fonts
from geo.__main__ import main
from geo.data.validate import load_checked
from geo.exports import output
from tests.conftest import DATA_DIR, edit_yaml

DISTRICTS = 11


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def stderr_lines(capsys) -> list[str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.strip()]


def rename_district(data: Path, old: str, new: str) -> None:
    """`old` becomes `new` as a district's name_zh and wherever data/ names it."""
    for path in [*data.glob("*.yaml"), data / "districts.geojson"]:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch) -> Path:
    """A copy of data/ where 从化区's name_zh holds '../../' and 荔湾区's name_en is an absolute
    path (tmp_path/evil), with validation told to let both names through, so that what is tested
    is the command line's own guard."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    rename_district(data, "从化区", "../../从化区")
    path = data / "districts.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    next(f for f in doc["features"] if f["properties"]["name_zh"] == "荔湾区")["properties"]["name_en"] = \
        str(tmp_path / "evil")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # validate refuses such names (geo.data); any data module's own check is switched off here.
    for name, module in list(sys.modules.items()):
        if name.startswith("geo.data") and hasattr(module, "file_name_problem"):
            monkeypatch.setattr(module, "file_name_problem", lambda _name: None)
    assert any(d.name_zh == "../../从化区" for d in load_checked(data).districts)
    return data


# ------------------------------------------------------------------ item 1: no path out of --out


@pytest.mark.parametrize("lang, bad", [("en", "evil"), ("zh", "../../从化区")])
def test_sheet_all_writes_nothing_outside_out(hostile: Path, tmp_path: Path, capsys, lang: str,
                                               bad: str):
    out = tmp_path / "a" / "b" / "out"
    before = files_under(tmp_path)
    code = main(["--data", str(hostile), "sheet", "--district", "all", "--lang", lang, "--format", "xlsx",
                 "--out", str(out)])
    lines = stderr_lines(capsys)
    assert code != 0
    written = files_under(tmp_path) - before
    assert written and all(p.parent == out for p in written), sorted(written)
    assert len(written) == DISTRICTS - 1  # the others are still written
    assert not (tmp_path / "evil_plan_assignments.xlsx").exists() and not list(tmp_path.glob("a/从化区*"))
    assert len(lines) == 1 and lines[0].startswith("failed ") and bad in lines[0]


def test_export_map_all_keeps_going_past_a_slash_and_stays_in_its_folder(hostile: Path, tmp_path: Path,
                                                                           capsys):
    out = tmp_path / "a" / "b" / "maps" / "m.png"
    out.parent.mkdir(parents=True)
    before = files_under(tmp_path)
    code = main(["--data", str(hostile), "export-map", "--district", "all", "--format", "png", "--dpi", "12",
                 "--layers", "districts", "--out", str(out)])
    lines = stderr_lines(capsys)
    assert code == 1
    written = files_under(tmp_path) - before
    assert all(p.parent == out.parent for p in written), sorted(written)
    # 从化区 is tenth of eleven: the eleventh (增城区) is written too.
    expected = [f"m_{d.name_zh}.png" for d in load_checked(hostile).districts if "/" not in d.name_zh]
    assert sorted(p.name for p in written) == sorted(expected)
    assert len(lines) == 1 and lines[0].startswith("failed ../../从化区: ")


def test_a_file_name_from_data_must_stay_in_its_folder(tmp_path: Path):
    assert output.file_in(folder=tmp_path, name="南沙区_规划安排.csv") == tmp_path / "南沙区_规划安排.csv"
    for name in ("../x.csv", "/etc/passwd", "a/b.csv", "..", "CON.csv", ""):
        with pytest.raises(ValueError):
            output.file_in(folder=tmp_path, name=name)


# ------------------------------------------------------------------ item 7: no formula from data

HYPERLINK = '=HYPERLINK("http://x","y")'
SEMI = "a;=cmd|' /C calc'!A0"


@pytest.fixture
def formula_data(data_copy: Path) -> Path:
    def docs(d):
        d[0]["short_zh"], d[0]["title_zh"] = HYPERLINK, "=1+1"
        d[0]["short_en"], d[0]["title_en"] = HYPERLINK, "=1+1"
        d[0].pop("year", None)
    edit_yaml(data_copy / "documents.yaml", docs)
    rename_district(data_copy, "越秀区", "=2+2越秀区")
    edit_yaml(data_copy / "parks.yaml",
              lambda d: next(p for p in d if p["id"] == "park-huanghuagang").update(role_zh=SEMI))
    return data_copy


def formula_cells(path: Path) -> list[tuple[str, str, object]]:
    book = load_workbook(path)
    return [(ws.title, c.coordinate, c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_has_no_formula_cell(formula_data: Path, tmp_path: Path, lang: str):
    out, layout = tmp_path / "s.xlsx", tmp_path / "layout.xlsx"
    assert main(["--data", str(formula_data), "sheet", "--district", "=2+2越秀区", "--lang", lang,
                 "--format", "xlsx", "--out", str(out)]) == 0
    assert main(["--data", str(formula_data), "export-data", "--format", "xlsx", "--out", str(layout)]) == 0
    assert formula_cells(out) == [] and formula_cells(layout) == []
    # the data shows, as text
    text = [str(c.value) for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row]
    assert f"'{HYPERLINK}" in text and "'=1+1" in text
    if lang == "zh":
        assert any("=2+2越秀区" in v for v in text)


def test_csv_quotes_a_cell_holding_a_semicolon(formula_data: Path, tmp_path: Path):
    sheet, data = tmp_path / "s.csv", tmp_path / "layout.csv"
    assert main(["--data", str(formula_data), "sheet", "--district", "=2+2越秀区", "--format", "csv",
                 "--out", str(sheet)]) == 0
    assert main(["--data", str(formula_data), "export-data", "--format", "csv", "--out", str(data)]) == 0
    for path in (sheet, data):
        raw = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(raw)))
        cells = [v for row in rows for v in row if SEMI in v]
        assert cells and all('"' + v.replace('"', '""') + '"' in raw for v in cells), path.name
        assert not any(v.startswith(("=", "+", "-", "@")) for row in rows for v in row if v)


def test_csv_cell_quoting():
    assert output.csv_cell("a;b") == '"a;b"' and output.csv_cell('say "x"') == '"say ""x"""'
    assert output.csv_cell("a\nb") == '"a\nb"' and output.csv_cell("=1+1") == "'=1+1"
    assert output.csv_cell("南沙区") == "南沙区" and output.csv_cell(3.5) == "3.5" and output.csv_cell(None) == ""


# ------------------------------------------------------------------ item 11: the font cache

SMALL = set("广州市区科技创新规划南沙天河海珠黄埔番禺越秀荔湾白云花都从化增城")


@pytest.fixture
def font_cache(tmp_path: Path, monkeypatch):
    """A cache of our own, a small character set (a build takes well under a second instead of
    nine), and a count of builds; chinese_font's per-process memo is emptied before and after."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GZMAP_CACHE", str(cache))
    monkeypatch.setattr(fonts, "gb2312_chars", lambda: set(SMALL))
    monkeypatch.setattr(fonts, "_warned_unwritable", False, raising=False)
    builds = []
    real = fonts.subset.Subsetter.subset

    def counted(self, font):  # the subsetting step of a build (the slow part)
        builds.append(font)
        return real(self, font)
    monkeypatch.setattr(fonts.subset.Subsetter, "subset", counted)
    fonts.chinese_font.cache_clear()
    with warnings.catch_warnings():  # a glyph missing from the subset is a box on the page
        warnings.filterwarnings("error", message=".*missing from font.*")
        yield cache, builds
    fonts.chinese_font.cache_clear()


def export_png(tmp_path: Path, name: str) -> Path:
    out = tmp_path / f"{name}.png"
    assert main(["export-map", "--district", "越秀区", "--format", "png", "--dpi", "20", "--layers", "districts",
                 "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    return out


def test_a_truncated_cached_font_is_rebuilt(font_cache, tmp_path: Path):
    cache, builds = font_cache
    export_png(tmp_path, "first")
    [font] = cache.glob("*.ttf")
    good = font.read_bytes()
    font.write_bytes(good[: len(good) // 2])  # a disk that filled up, a copy cut short
    fonts.chinese_font.cache_clear()  # a new process: our memo and matplotlib's open fonts forgotten
    font_manager._get_font.cache_clear()
    export_png(tmp_path, "second")
    assert len(builds) == 2 and len(font.read_bytes()) == len(good) and fonts.cached_font_ok(font)
    assert "glyf" in TTFont(font) and len(TTFont(font).getGlyphOrder()) > len(SMALL)  # whole again


def test_an_unwritable_cache_builds_once_per_process_and_says_so(font_cache, tmp_path: Path, monkeypatch,
                                                                  caplog):
    cache, builds = font_cache
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GZMAP_CACHE", str(blocker / "cache"))  # ENOTDIR, even for root
    with caplog.at_level(logging.WARNING, logger="geo.fonts"):
        export_png(tmp_path, "first")
        export_png(tmp_path, "second")
    assert len(builds) == 1
    assert [r.levelname for r in caplog.records if "cannot be written" in r.getMessage()] == ["WARNING"]


def test_a_full_cache_builds_once_per_process(font_cache, tmp_path: Path, monkeypatch):
    cache, builds = font_cache

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(fonts, "write_atomic", full)
    export_png(tmp_path, "first")
    export_png(tmp_path, "second")
    assert len(builds) == 1 and not list(cache.glob("*.ttf"))


# ------------------------------------------------------------------ item 12: --out mistakes


@pytest.mark.parametrize("command", [
    ["export-data", "--format", "csv"],
    ["export-html"],
    ["sheet", "--district", "南沙区", "--format", "csv"],
    ["export-map", "--district", "南沙区", "--format", "png", "--dpi", "12"],
    ["atlas"],
])
@pytest.mark.parametrize("where", ["missing folder", "a folder", "under a file"])
def test_an_out_mistake_is_one_line(tmp_path: Path, capsys, command: list[str], where: str):
    (tmp_path / "existing").mkdir()
    (tmp_path / "file.txt").write_text("keep me")
    out = {"missing folder": tmp_path / "nowhere" / "x.out", "a folder": tmp_path / "existing",
           "under a file": tmp_path / "file.txt" / "x.out"}[where]
    before = {p: p.read_bytes() for p in files_under(tmp_path)}
    assert main([*command, "--out", str(out)]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "--out" in lines[0] and str(out) in lines[0], lines
    assert {p: p.read_bytes() for p in files_under(tmp_path)} == before
    assert not (tmp_path / "nowhere").exists()


def test_sheet_all_onto_an_existing_file_is_one_line(tmp_path: Path, capsys):
    out = tmp_path / "sheets.txt"
    out.write_text("keep me")
    assert main(["sheet", "--district", "all", "--format", "csv", "--out", str(out)]) == 2
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "is a file" in lines[0] and out.read_text() == "keep me"


def test_a_write_that_fails_is_one_line(tmp_path: Path, capsys, monkeypatch):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr("geo.exports.export_data.write_atomic", full)
    assert main(["export-data", "--format", "csv", "--out", str(tmp_path / "l.csv")]) == 1
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "No space left on device" in lines[0]
