"""The spreadsheet round trip of district reviews (issue 20): the XLSX a reviewer fills in (a
drop-down of the four results, a comment, hidden key and version, an additions sheet) and its
import: a good file; one from another district, with an unknown key, a bad result, from an older
data revision, with a formula as comment, saved by WPS Office, too large, not a workbook — each
with a message naming where, and nothing saved when it fails. Run on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.validate import load_checked
from geo.exports.district_sheet import district_sheet
from geo.review.form import GROUP_COLUMNS, review_table, reviews_to_csv, to_xlsx
from geo.review.model import RECHECK, User
from geo.review.rows import state_of
from geo.review.store import ReviewStore, open_store
from geo.review.workbook import MAX_BYTES, WorkbookError, import_workbook, read_workbook
from tests.conftest import edit_yaml
from tests.shipped import shipped

CHECKED = shipped()
NANSHA = User("nansha", "reviewer", frozenset({"南沙区"}))
TIANHE = User("tianhe", "reviewer", frozenset({"天河区"}))
PARK = "axis_node:park-mingzhu"  # 明珠科学园, a park and axis node on 南沙区's sheet
TASK = next(r.key for r in district_sheet(CHECKED, "南沙区", lang="zh").rows if r.group == "task")


@pytest.fixture
def store(db_url: str) -> ReviewStore:
    s = open_store(url=db_url)
    for u in (NANSHA, TIANHE):
        s.add_user(name=u.name, password=None, districts=u.districts, role=u.role)
    return s


def export(checked=CHECKED, lang="zh", reviews=None) -> bytes:
    return to_xlsx(checked, district_sheet(checked, "南沙区", lang=lang), reviews=reviews)


def columns(ws: Worksheet) -> dict[str, int]:
    """Header title -> column number."""
    return {c.value: c.column for c in ws[1]}


def edit(data: bytes, change: Callable[[dict[str, Worksheet]], None]) -> bytes:
    """The workbook with `change` made to its sheets (by name), saved again as Excel would."""
    book = load_workbook(io.BytesIO(data))
    change({ws.title: ws for ws in book.worksheets})
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def fill(data: bytes, answers: dict[str, tuple[str, str]], added: list[tuple[str, str, str]] = ()) -> bytes:
    """A reviewer's work: row key -> (result, comment) on the group sheets; additions (name, kind, comment)."""
    def change(sheets: dict[str, Worksheet]) -> None:
        for ws in sheets.values():
            col = columns(ws)
            if "行键" in col and "核对结果" in col:
                for row in range(2, ws.max_row + 1):
                    key = ws.cell(row, col["行键"]).value
                    if key in answers:
                        ws.cell(row, col["核对结果"]).value, ws.cell(row, col["意见"]).value = answers[key]
        extra = sheets["补充条目"]
        for values in added:
            extra.append(list(values))
    return edit(data, change)


def row_of(data: bytes, key: str) -> tuple[str, int]:
    """Sheet name and row number (as Excel shows it) of a row key."""
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets[1:]:
        col = columns(ws)
        for row in range(2, ws.max_row + 1):
            if "行键" in col and ws.cell(row, col["行键"]).value == key:
                return ws.title, row
    raise KeyError(key)


def refused(store: ReviewStore, data: bytes, user: User = NANSHA, checked=CHECKED) -> WorkbookError:
    with pytest.raises(WorkbookError) as err:
        import_workbook(store=store, data=data, checked=checked, user=user, file_name="南沙核对.xlsx")
    assert store.reviews(district="南沙区") == {} and store.audit() == []  # nothing partially applied
    assert "南沙核对.xlsx" in str(err.value) and "南沙核对.xlsx" in err.value.text("zh")
    return err.value


def test_the_export_is_a_form_with_a_drop_down_hidden_keys_and_an_additions_sheet():
    book = load_workbook(io.BytesIO(export()))
    parks = book["多点园区"]
    col = columns(parks)
    assert {"核对结果", "意见", "行键", "核对版本", "数据版本"} <= set(col)
    letter = lambda title: parks.cell(1, col[title]).column_letter  # noqa: E731
    assert parks.column_dimensions[letter("行键")].hidden and parks.column_dimensions[letter("核对版本")].hidden
    assert not parks.column_dimensions[letter("核对结果")].hidden
    (drop_down,) = parks.data_validations.dataValidation
    assert drop_down.type == "list" and drop_down.formula1 == '"未核对,无误,有误,需补充"'
    assert f"{letter('核对结果')}2:{letter('核对结果')}{parks.max_row}" in str(drop_down.sqref)
    assert {parks.cell(r, col["核对结果"]).value for r in range(2, parks.max_row + 1)} == {"未核对"}
    assert [c.value for c in book["补充条目"][1]] == ["名称", "类别", "意见", "行键", "核对版本"]
    summary = [[c.value for c in row] for row in book["汇总"].iter_rows()]
    assert ["行政区", "南沙区"] in [r[:2] for r in summary]
    assert f"数据版本 {CHECKED.revision}" in [r[0] for r in summary]
    english = load_workbook(io.BytesIO(export(lang="en")))
    assert english["Parks"].data_validations.dataValidation[0].formula1 == '"Unchecked,Confirmed,Disputed,Needs addition"'


def test_a_good_file_is_imported_and_exported_again_filled_in(store: ReviewStore):
    data = fill(export(), {PARK: ("有误", "位置应在横沥岛尖"), TASK: ("无误", "")},
                added=[("南沙国际人工智能价值创新园", "多点园区", "规划有安排，图上没有")])
    report = import_workbook(store=store, data=data, checked=CHECKED, user=NANSHA, file_name="n.xlsx")
    got = store.reviews(district="南沙区")
    assert len(report.saved) == 3 and report.flagged == [] and len(got) == 3
    assert (got[PARK].status, got[PARK].comment, got[PARK].version, got[PARK].user) == (
        "disputed", "位置应在横沥岛尖", 1, "nansha")
    assert got[PARK].seen["name"] == "明珠科学园" and got[PARK].revision == CHECKED.revision
    assert got[TASK].status == "confirmed"
    (added,) = [r for k, r in got.items() if k.startswith("addition:")]
    assert (added.added_name, added.added_kind, added.status) == ("南沙国际人工智能价值创新园", "park", "addition")
    assert {e.action for e in store.audit(district="南沙区")} == {"import"}
    # Exported again, the file shows the answers and their versions; imported untouched, nothing changes.
    again = export(reviews=got)
    book = load_workbook(io.BytesIO(again))
    sheet, row = row_of(again, PARK)
    col = columns(book[sheet])
    assert [book[sheet].cell(row, col[c]).value for c in ("核对结果", "意见", "核对版本")] == ["有误", "位置应在横沥岛尖", 1]
    assert [c.value for c in book["补充条目"][2]][:3] == ["南沙国际人工智能价值创新园", "多点园区", "规划有安排，图上没有"]
    report = import_workbook(store=store, data=again, checked=CHECKED, user=NANSHA, file_name="n.xlsx")
    assert (report.saved, report.unchanged) == ([], 3) and store.reviews(district="南沙区") == got
    # Changed in that file, the row is saved as its version 2.
    changed = fill(again, {PARK: ("无误", "已核实")})
    import_workbook(store=store, data=changed, checked=CHECKED, user=NANSHA, file_name="n.xlsx")
    assert store.reviews(district="南沙区")[PARK].version == 2


def test_the_english_file_takes_english_results(store: ReviewStore):
    def change(sheets: dict[str, Worksheet]) -> None:
        ws = sheets["Axis nodes"]
        col = columns(ws)
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Row key"]).value == PARK)
        ws.cell(row, col["Review"]).value = "Disputed"
    import_workbook(store=store, data=edit(export(lang="en"), change), checked=CHECKED, user=NANSHA, file_name="e.xlsx")
    review = store.reviews(district="南沙区")[PARK]
    assert (review.status, review.lang, review.seen["name"]) == ("disputed", "en", "Mingzhu Science Park")


def test_another_districts_file_is_refused(store: ReviewStore):
    err = refused(store, fill(export(), {PARK: ("有误", "x")}), user=TIANHE)
    assert "南沙区" in err.text("zh") and "tianhe" in str(err) and "may not review" in str(err)


def test_an_unknown_key_is_named_with_its_sheet_and_row(store: ReviewStore):
    data = fill(export(), {TASK: ("无误", "好"), PARK: ("有误", "x")})  # a good row first: not saved either
    sheet, row = row_of(data, PARK)
    data = edit(data, lambda s: s[sheet].cell(row, columns(s[sheet])["行键"]).__setattr__("value", "park:park-nowhere"))
    err = refused(store, data)
    assert f"表“{sheet}”第 {row} 行" in err.text("zh") and "park:park-nowhere" in err.text("zh")
    assert f"sheet “{sheet}”, row {row}, “Row key”" in str(err)


def test_a_status_not_in_the_list_is_named(store: ReviewStore):
    data = fill(export(), {TASK: ("无误", ""), PARK: ("差不多", "")})
    sheet, row = row_of(data, PARK)
    err = refused(store, data)
    assert f"表“{sheet}”第 {row} 行，“核对结果”：“差不多”不是核对结果（可选：未核对、无误、有误、需补充）" in err.text("zh")


def test_a_too_long_comment_and_a_deleted_key_column_are_refused(store: ReviewStore):
    data = fill(export(), {PARK: ("有误", "长" * 2001)})
    assert "“意见”：有 2001 个字符，超过上限 2000" in refused(store, data).text("zh")
    sheet, _ = row_of(data, PARK)
    err = refused(store, edit(data, lambda s: s[sheet].delete_cols(columns(s[sheet])["行键"])))
    assert f"表“{sheet}”缺少“行键”列" in err.text("zh")


def test_an_older_revision_is_imported_with_the_changed_rows_flagged(store: ReviewStore, data_copy: Path):
    data = fill(export(), {PARK: ("无误", ""), TASK: ("无误", "")})
    edit_yaml(data_copy / "parks.yaml", lambda parks: next(p for p in parks if p["id"] == "park-mingzhu").update(
        role_zh="改过的定位"))
    newer = load_checked(data_copy)
    assert newer.revision != CHECKED.revision
    report = import_workbook(store=store, data=data, checked=newer, user=NANSHA, file_name="old.xlsx")
    assert len(report.saved) == 2 and report.revision == CHECKED.revision
    (flag,) = report.flagged
    assert (flag.key, flag.name, flag.changed, flag.place) == (PARK, "明珠科学园", ("定位/任务",),
                                                               type(flag.place)(*row_of(data, PARK)))
    saved = store.reviews(district="南沙区")
    assert state_of(saved[PARK], checked=newer) == (RECHECK, ["role"])  # shows as 待复核
    assert state_of(saved[TASK], checked=newer) == ("confirmed", [])


def test_a_formula_in_a_comment_is_stored_as_text_and_exported_inert(store: ReviewStore):
    formula = '=HYPERLINK("http://evil.example","点我")'
    data = fill(export(), {PARK: ("有误", formula)})
    sheet, row = row_of(data, PARK)
    comment = GROUP_COLUMNS.index("comment") + 1
    assert load_workbook(io.BytesIO(data))[sheet].cell(row, comment).data_type == "f"  # Excel would run it
    import_workbook(store=store, data=data, checked=CHECKED, user=NANSHA, file_name="f.xlsx")
    reviews = store.reviews(district="南沙区")
    assert reviews[PARK].comment == formula
    cell = load_workbook(io.BytesIO(export(reviews=reviews)))[sheet].cell(row, comment)
    assert (cell.value, cell.data_type) == ("'" + formula, "s")
    table = list(csv.reader(io.StringIO(reviews_to_csv(review_table(CHECKED, list(reviews.values()), lang="zh"))
                                        .lstrip("\ufeff"))))
    assert table[1][table[0].index("意见")] == "'" + formula
    # Imported again untouched, the guarded cell is the same comment, not a new one.
    again = import_workbook(store=store, data=export(reviews=reviews), checked=CHECKED, user=NANSHA, file_name="f.xlsx")
    assert again.saved == [] and store.reviews(district="南沙区")[PARK].comment == formula


def wps(data: bytes) -> bytes:
    """The workbook as WPS Office saves it: every string inline (t="inlineStr", no sharedStrings
    part), its own docProps/app.xml, the drop-downs and the hidden flags gone."""
    src = zipfile.ZipFile(io.BytesIO(data))
    shared = re.findall(r"<si>(.*?)</si>", src.read("xl/sharedStrings.xml").decode(), flags=re.S) \
        if "xl/sharedStrings.xml" in src.namelist() else []  # openpyxl 3.1 writes strings inline already
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/sharedStrings.xml":
                continue
            text = src.read(info.filename).decode()
            if info.filename.startswith("xl/worksheets/"):
                text = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?) t="s"([^>]*)><v>(\d+)</v></c>',
                              lambda m: f'<c r="{m[1]}"{m[2]} t="inlineStr"{m[3]}><is>{shared[int(m[4])]}</is></c>', text)
                text = re.sub(r"<dataValidations.*?</dataValidations>", "", text, flags=re.S)
                text = text.replace(' hidden="1"', "").replace("<is><t>", '<is><t xml:space="preserve">')
            elif info.filename == "docProps/app.xml":
                text = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.'
                        'openxmlformats.org/officeDocument/2006/extended-properties"><Application>WPS 表格</Application>'
                        '<AppVersion>12.0000</AppVersion></Properties>')
            elif info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                text = re.sub(r"<(Override|Relationship)[^>]*sharedStrings[^>]*/>", "", text)
            dst.writestr(info.filename, text)
    return out.getvalue()


def test_a_file_saved_by_wps_office_is_imported(store: ReviewStore):
    data = wps(fill(export(), {PARK: ("有误", "位置偏东"), TASK: ("无误", "")}, added=[("某园区", "", "缺")]))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "xl/sharedStrings.xml" not in names and "WPS 表格" in zipfile.ZipFile(io.BytesIO(data)).read(
        "docProps/app.xml").decode()
    nodes = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet3.xml").decode()
    assert 't="inlineStr"' in nodes and "dataValidation" not in nodes and 'hidden="1"' not in nodes
    report = import_workbook(store=store, data=data, checked=CHECKED, user=NANSHA, file_name="wps.xlsx")
    got = store.reviews(district="南沙区")
    assert len(report.saved) == 3 and (got[PARK].status, got[PARK].comment) == ("disputed", "位置偏东")
    assert got[PARK].seen["name"] == "明珠科学园"


def test_a_5_mb_file_and_a_zip_bomb_are_refused_unread(store: ReviewStore):
    big = fill(export(), {PARK: ("有误", "x")})
    padded = io.BytesIO(big)
    with zipfile.ZipFile(padded, "a", zipfile.ZIP_STORED) as z:
        z.writestr("xl/media/photo.bin", bytes(range(256)) * (5 * 1024 * 4))
    assert len(padded.getvalue()) > 5 * 1024 * 1024
    err = refused(store, padded.getvalue())
    assert "too large (5.0 MB; the limit is 2.0 MB)" in str(err) and "过大（5.0 MB，上限 2.0 MB）" in err.text("zh")
    bomb = io.BytesIO(big)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/zeros.bin", bytes(MAX_BYTES * 50))
    assert len(bomb.getvalue()) < MAX_BYTES
    assert re.search(r"too large \(100\.\d MB; the limit is 2\.0 MB\)", str(refused(store, bomb.getvalue())))


@pytest.mark.parametrize("data", [b"", b"not a workbook at all", b"PK\x03\x04 broken zip",
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)],  # an old .xls
                         ids=["empty", "text", "broken-zip", "xls"])
def test_a_file_that_is_not_a_workbook_is_refused(store: ReviewStore, data: bytes):
    assert "is not an Excel workbook (.xlsx)" in str(refused(store, data))


def test_a_zip_that_is_not_a_workbook_is_refused(store: ReviewStore):
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "不是 Excel 工作簿" in refused(store, other.getvalue()).text("zh")


def test_a_row_saved_since_the_export_conflicts_and_nothing_is_saved(store: ReviewStore):
    import_workbook(store=store, data=fill(export(), {PARK: ("无误", "")}), checked=CHECKED, user=NANSHA,
                    file_name="a.xlsx")
    stale = export(reviews=store.reviews(district="南沙区"))  # made at version 1
    import_workbook(store=store, data=fill(stale, {PARK: ("有误", "同事改的")}), checked=CHECKED, user=NANSHA,
                    file_name="b.xlsx")  # version 2
    before = store.reviews(district="南沙区")
    data = fill(stale, {TASK: ("无误", ""), PARK: ("需补充", "我的")})
    sheet, row = row_of(data, PARK)
    with pytest.raises(WorkbookError) as err:
        import_workbook(store=store, data=data, checked=CHECKED, user=NANSHA, file_name="c.xlsx")
    assert f"表“{sheet}”第 {row} 行无法保存：此行在导出后已由 nansha 修改（版本 2）" in err.value.text("zh")
    assert store.reviews(district="南沙区") == before  # the task row was not saved either


def test_rows_left_unchecked_are_not_recorded():
    got = read_workbook(data=export(), checked=CHECKED, user=NANSHA, file_name="blank.xlsx")
    assert got.answers == [] and got.district == "南沙区" and got.lang == "zh"
