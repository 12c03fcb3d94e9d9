"""District sheets (issue 11): what the plans assign to each district, as XLSX, CSV and PDF; and
the print-map fixes (platforms never hide poles or cores, legends list only what is on the page)."""
from __future__ import annotations

import csv
import io
import re
from functools import cache
from pathlib import Path

import pytest
import shapely
import yaml
from openpyxl import load_workbook
from pypdf import PdfReader

from geo.__main__ import main
from geo.data.validate import load_checked
from geo.exports.district_sheet import COLUMNS, district_sheet
from geo.exports.sheet_export import to_csv
from geo.exports.sheet_pdf import sheet_pdf
from geo.review.form import GROUP_COLUMNS, to_xlsx
from tests.conftest import DATA_DIR, edit_yaml
from tests.shipped import shipped

CHECKED = shipped()
DISTRICTS = [d.name_zh for d in CHECKED.districts]


@cache  # read by each district's test: parsed once (the callers only read it)
def raw(file: str, section: str | None = None) -> list[dict]:
    doc = yaml.load((DATA_DIR / file).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return doc if section is None else doc[section]


def districts_of(entry: dict) -> set[str]:
    d = entry.get("district") or []
    return {d} if isinstance(d, str) else set(d)


def expected(district: str) -> dict[str, set[str]]:
    """What the data files assign to a district, read straight from the YAML and the GeoJSON."""
    import json

    polygons = {f["properties"]["name_zh"]: shapely.geometry.shape(f["geometry"])
                for f in json.loads((DATA_DIR / "districts.geojson").read_text(encoding="utf-8"))["features"]}

    def lies_in(loc: dict | None) -> bool:
        return loc is not None and polygons[district].covers(shapely.Point(loc["lon"], loc["lat"]))

    places = {e["id"]: e for e in raw("cores.yaml", "cores") + raw("cores.yaml", "core_areas") + raw("parks.yaml")}
    out = {"segments": {s["id"] for s in raw("axis.yaml", "segments") if district in districts_of(s)},
           "places": {i for i, e in places.items() if district in districts_of(e) or lies_in(e["location"])}}
    out["nodes"] = {n["id"] for n in raw("axis.yaml", "nodes") if n["place"] in out["places"]}
    platforms = set()
    for p in raw("platforms.yaml"):
        hosts = [places[i] for i in p.get("places", []) if i in places]
        declared = districts_of(p) or {d for h in hosts for d in districts_of(h)}
        point = p.get("location") or (hosts[0]["location"] if hosts else None)
        if district in declared or lies_in(point):
            platforms.add(p["id"])
    out["platforms"] = platforms
    tasks = raw("tasks.yaml")
    out["tasks"] = {t["id"] for t in tasks if district in t.get("districts", [])}
    out["common"] = {t["id"] for t in tasks if t["district_scope"] in ("all", "relevant")}
    return out


@pytest.mark.parametrize("district", DISTRICTS)
def test_the_sheet_lists_exactly_what_the_data_assigns_to_the_district(district: str):
    sheet = district_sheet(CHECKED, district, lang="zh")
    want = expected(district)
    ids = {g: {i for r in sheet.rows if r.group == g for i in r.ids} for g in {r.group for r in sheet.rows}}
    assert ids.get("segment", set()) == want["segments"]
    place_rows = ids.get("axis_node", set()) | ids.get("core", set()) | ids.get("park", set())
    assert place_rows == want["places"] | want["nodes"]
    platforms = {i for g, v in ids.items() if g.startswith("platform-") for i in v}
    assert platforms == want["platforms"]
    assert ids.get("task", set()) == want["tasks"]
    assert ids.get("common_task", set()) == want["common"]
    # A place is one row whatever it is: no id on two place rows.
    place_ids = [i for r in sheet.rows if r.group in ("axis_node", "core", "park") for i in r.ids]
    assert len(place_ids) == len(set(place_ids))


def test_a_node_that_is_also_a_core_is_one_row_with_both_roles():
    rows = [r for r in district_sheet(CHECKED, "南沙区", lang="zh").rows if "core-nansha-science-city" in r.ids]
    assert len(rows) == 1 and rows[0].group == "axis_node"
    assert "创新核：" in rows[0].role and "一轴极点" in rows[0].role


def test_bio_island_disagreement_shows_on_both_districts():
    for district in ("海珠区", "黄埔区"):
        rows = district_sheet(CHECKED, district, lang="zh").group("finding")
        assert any("park-bio-island" in r.ids for r in rows), district


def test_a_place_spanning_its_declared_districts_is_not_a_disagreement():
    panyu = district_sheet(CHECKED, "番禺区", lang="zh")
    assert not any("area-pazhou" in r.ids for r in panyu.group("finding"))
    row = next(r for r in panyu.rows if "area-pazhou" in r.ids)
    assert "跨海珠区、番禺区" in row.basis


def test_tasks_carry_text_units_period_and_sources():
    rows = district_sheet(CHECKED, "南沙区", lang="zh").group("task")
    assert rows and all(r.role and r.lead_units and r.period and r.sources for r in rows)
    assert {r.period for r in rows} <= {"2019—2021", "2021"}
    assert all("《" in r.sources and "（20" in r.sources for r in rows)  # short title and year


def test_xlsx_has_a_summary_and_a_sheet_per_group(tmp_path: Path):
    out = tmp_path / "nansha.xlsx"
    assert main(["sheet", "--district", "Nansha", "--format", "xlsx", "--out", str(out)]) == 0
    book = load_workbook(out)
    sheet = district_sheet(CHECKED, "南沙区", lang="zh")
    assert book.sheetnames[0] == "汇总" and book.sheetnames[-1] == "补充条目"
    assert len(book.sheetnames) == 2 + len(sheet.counts())
    for ws in book.worksheets[1:-1]:
        assert [c.value for c in ws[1]] == [sheet.header(c) for c in GROUP_COLUMNS]
        assert set(COLUMNS) < set(GROUP_COLUMNS)
        assert ws.freeze_panes == "C2" and ws.auto_filter.ref
    parks = book["多点园区"]
    assert parks.max_row == 1 + len(sheet.group("park"))


def test_csv_opens_with_chinese_intact(tmp_path: Path):
    out = tmp_path / "nansha.csv"
    assert main(["sheet", "--district", "440115", "--format", "csv", "--out", str(out)]) == 0
    raw_bytes = out.read_bytes()
    assert raw_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw_bytes.decode("utf-8-sig"))))
    assert list(rows[0]) == [district_sheet(CHECKED, "南沙区", lang="zh").header(c) for c in COLUMNS]
    assert any(r["名称"] == "明珠科学园" for r in rows)


def test_a_formula_like_cell_stays_text(data_copy: Path):
    edit_yaml(data_copy / "tasks.yaml", lambda d: next(t for t in d if t["id"] == "task-003-09").update(
        role_zh='=HYPERLINK("http://evil.example","x")'))
    checked = load_checked(data_copy)
    sheet = district_sheet(checked, "南沙区", lang="zh")
    book = load_workbook(io.BytesIO(to_xlsx(checked, sheet)))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)
    assert "'=HYPERLINK" in to_csv(sheet)


def test_the_pdf_sheet_has_the_map_then_the_table_with_page_numbers(tmp_path: Path):
    out = tmp_path / "huangpu.pdf"
    assert main(["sheet", "--district", "黄埔", "--format", "pdf", "--out", str(out)]) == 0
    pages = [p.extract_text() for p in PdfReader(out).pages]
    text = "".join(pages)
    assert len(pages) >= 2 and "黄埔区" in pages[0]
    assert "广州国际生物岛" in text  # a park
    task = next(t for t in CHECKED.of_kind("task") if "黄埔区" in t.districts)
    assert task.lead_units[0] in text  # a task's lead unit
    assert f"第 1 页 / 共 {len(pages)} 页" in pages[0]


def squashed(text: str) -> str:
    """Text without line breaks and spaces: a cell wrapped over several lines reads as one."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_sheet_shows_every_group_row_finding_and_source_in_columns_that_fit():
    sheet = district_sheet(CHECKED, "黄埔区", lang="zh")
    reader = PdfReader(io.BytesIO(sheet_pdf(CHECKED, sheet)))
    pages = [p.extract_text() for p in reader.pages]
    text, flat = "\n".join(pages[1:]), squashed("".join(pages[1:]))
    lines = set(text.splitlines())
    assert "黄埔区：规划安排清单" in pages[1] and all("黄埔区：规划安排清单（续）" in p for p in pages[2:])
    for n, page in enumerate(pages, start=1):  # every page: its number, of how many, and the revision
        assert f"第 {n} 页 / 共 {len(pages)} 页" in page and f"数据版本 {CHECKED.revision}" in page
    for group, count in sheet.counts().items():
        assert f"■ {sheet.title(group)}（{count} 项）" in lines
    for row in sheet.rows:
        assert squashed(row.name) in flat and squashed(row.role) in flat
        assert squashed(f"依据：{row.basis}") in flat  # why it is listed; a finding's explanation
        assert squashed(f"来源：{row.sources_short}") in flat
        for value in (row.lead_units, row.supporting_units, row.placed):
            assert squashed(value) in flat
    # Sources under the row, across the page (not in a narrow column): a short one is one line;
    # and a period column as wide as its content.
    assert {f"来源：{r.sources_short}" for r in sheet.rows if len(r.sources_short) < 40} <= lines
    assert {r.period for r in sheet.group("task")} <= lines
    assert sheet.group("finding") and sheet.group("task")  # both were checked above
    # Only the project's subset font, embedded (no Helvetica a viewer must substitute).
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert fonts and all("GZMap" in f for f in fonts), fonts


def test_markup_in_data_prints_literally_in_the_pdf_sheet(data_copy: Path):
    sheet_pdf(CHECKED, district_sheet(CHECKED, "黄埔区", lang="zh"))  # its map page is kept (sheet_pdf.map_pdf)
    hostile = "<b>x</b>&<font size=40>"
    edit_yaml(data_copy / "parks.yaml", lambda d: next(p for p in d if p["id"] == "park-yunpu").update(
        name_zh=hostile, role_zh="甲 &amp; 乙 <br/> 丙"))
    checked = load_checked(data_copy)
    pages = PdfReader(io.BytesIO(sheet_pdf(checked, district_sheet(checked, "黄埔区", lang="zh")))).pages
    table = "".join(p.extract_text() for p in pages[1:])
    assert hostile in table and "甲 &amp; 乙 <br/> 丙" in table
    # the edited data's own map page, not the one kept for the old revision
    assert checked.revision != CHECKED.revision and f"数据版本 {checked.revision}" in pages[0].extract_text()


def test_unknown_district_lists_the_valid_ones(tmp_path: Path, capsys):
    assert main(["sheet", "--district", "东城区", "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "东城区" in err and "南沙区（Nansha District, 440115）" in err


def test_all_districts_write_one_file_each(tmp_path: Path):
    assert main(["sheet", "--district", "all", "--format", "csv", "--out", str(tmp_path / "sheets")]) == 0
    assert sorted(p.name for p in (tmp_path / "sheets").iterdir()) == sorted(f"{d}_规划安排.csv" for d in DISTRICTS)


# ------------------------------------------------------------------ print maps


def marker_centres(fig, prefix: str) -> dict[str, tuple[float, float]]:
    """Page positions (points) of the markers drawn for a layer (gid layer:id) inside the map."""
    out = {}
    for artist in fig.findobj(lambda a: (a.get_gid() or "").startswith(prefix)):
        x, y = artist.get_xydata()[0]
        px, py = artist.axes.transData.transform((x, y))
        if artist.axes.bbox.contains(px, py):
            out[artist.get_gid()] = (px * 72 / fig.dpi, py * 72 / fig.dpi)
    return out


def test_platform_symbols_never_sit_on_a_pole_or_core_on_the_nansha_map():
    from geo.maps.static_map import map_figure
    from layers import build_layers

    fig = map_figure(CHECKED, build_layers(CHECKED, lang="zh"), "南沙区", "南沙区", lang="zh")
    fig.canvas.draw()
    hosts = marker_centres(fig, "axis:node-") | marker_centres(fig, "cores:core-")
    platforms = marker_centres(fig, "platforms:")
    pole = hosts["axis:node-nansha-science-city"]
    near = [p for p in platforms.values() if abs(p[0] - pole[0]) < 40 and abs(p[1] - pole[1]) < 40]
    assert len(near) >= 3  # the three facilities at 南沙科学城 are drawn beside it ...
    for host in hosts.values():  # ... and never on top of any pole or core
        for p in platforms.values():
            assert max(abs(p[0] - host[0]), abs(p[1] - host[1])) > 8, (host, p)
    zorder = {a.get_gid(): a.get_zorder() for a in fig.findobj(lambda a: a.get_gid() is not None)}
    assert zorder["axis:node-nansha-science-city"] > max(z for g, z in zorder.items() if g.startswith("platforms:"))


def test_legends_list_only_what_is_on_the_page(tmp_path: Path):
    out = tmp_path / "nansha.pdf"
    assert main(["export-map", "--district", "南沙区", "--format", "pdf", "--out", str(out)]) == 0
    text = PdfReader(out).pages[0].extract_text()
    assert "平台 · 重大科技基础设施" in text and "极点" in text
    assert "平台 · 国家实验室" not in text  # 广州实验室 is on 生物岛, far from 南沙
    assert "未上图" not in text  # the city-wide count of unplaced entries belongs on the city map


# ------------------------------------------------------------------ the XLSX printed and its tabs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_xlsx_sheet_prints_landscape_on_the_page_width_with_its_header_on_each_page(lang: str):
    sheet = district_sheet(CHECKED, "黄埔区", lang=lang)
    book = load_workbook(io.BytesIO(to_xlsx(CHECKED, sheet)))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title  # as many pages down as it takes
        assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every printed page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_tabs_are_full_valid_names_in_both_languages(lang: str):
    """Every group's tab is its name from the catalogue, whole (Excel allows 31 characters), with
    nothing cut and no stray space; one tab per group, all different."""
    every: set[str] = set()
    for district in DISTRICTS:
        sheet = district_sheet(CHECKED, district, lang=lang)
        names = load_workbook(io.BytesIO(to_xlsx(CHECKED, sheet))).sheetnames
        tabs = [sheet.tab(g) for g in sheet.counts()]
        assert names[1:-1] == tabs, district
        assert len(set(names)) == len(names)
        for tab in names:
            assert 0 < len(tab) <= 31 and tab == tab.strip() and not re.search(r"[\\/?*\[\]:]", tab), tab
        every |= set(names)
    if lang == "en":
        assert {"Tech innovation centers", "Parks", "Other platforms"} <= every


# ------------------------------------------------------------------ the district page's HTML


def test_the_page_summary_names_the_cores_filed_under_axis_nodes_as_cores():
    """知识城 and 科学城 are axis nodes' rows; the summary still lists them as cores (from the
    registry: every entry a row holds), and the cores' group says where they are."""
    from geo.exports.district_sheet import elsewhere_note
    from geo.exports.sheet_html import summary_html

    sheet = district_sheet(CHECKED, "黄埔区", lang="zh")
    cores = {CHECKED.entries[i].name_zh for r in sheet.rows if r.group != "finding" for i in r.ids
             if CHECKED.entries[i].kind == "core"}
    assert {"中新广州知识城", "广州科学城"} <= cores
    html = summary_html(CHECKED, sheet)
    listed = re.search(r"<dt>创新核（(\d+)）</dt><dd>(.*?)</dd>", html)
    assert listed and int(listed.group(1)) == len(cores) and all(c in listed.group(2) for c in cores)
    assert "（见“一轴节点”）" in listed.group(2)
    assert f"规划与边界不一致 <b>{len(sheet.group('finding'))}</b>" in html  # the findings counted
    note = elsewhere_note(CHECKED, sheet, "core")
    assert note.startswith("创新核，列在“一轴节点”下：") and all(c in note for c in cores)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_tables_show_no_internal_ids_and_label_every_cell_for_the_phone_cards(lang: str):
    from geo.exports.sheet_html import group_html
    from geo.i18n import colon
    from geo.safe import html_text

    sheet = district_sheet(CHECKED, "黄埔区", lang=lang)
    for group in sheet.counts():
        html = group_html(sheet, group, quotes=True, review={})
        for row in sheet.group(group):
            assert row.key not in html and not any(i in html for i in row.ids), row.key
        assert sheet.header("ids") not in html and sheet.header("key") not in html
        cells = re.findall(r'<td class="gz-col-(\w+)" data-label="([^"]+)">', html)
        assert cells and all(label for _, label in cells)  # a card names each of its cells
        # The sources under the role, across its width: no narrow column of their own.
        assert "sources" not in {c for c, _ in cells}
        for row in sheet.group(group):
            assert html_text(f"{sheet.header('sources')}{colon(lang)}{row.sources}") in html
    assert "segment-huangpu" not in group_html(sheet, "segment", quotes=False)
