"""A district sheet as CSV (UTF-8 with BOM, for Excel) or XLSX (a summary sheet, then one sheet
per group: header row, column widths, wrapped text, frozen header and names, autofilter). Every row carries
its language-free key and the data revision as its last two columns (one header row, so the CSV
stays machine-readable); the XLSX summary names the district and the revision too.

The XLSX is also a review form (issue 20; read back by geo.review.workbook): each group sheet has
the columns 核对结果 (a drop-down of the four statuses) and 意见, pre-filled from the stored
reviews, and the hidden columns `key` and `version` (the stored review's version, so that a file
made before someone else's answer conflicts instead of overwriting it); a last sheet takes the
additions (what the plans assign and the map lacks). `reviews_to_xlsx` / `reviews_to_csv` write
the bureau's table of every review. No cell or sheet
name can become a formula (geo.safe.sheet_cell): every row goes through `_append`, including the
summary's group titles, document labels and titles, which come from data/. CSV cells holding a
comma, `;`, a quote or a line break are quoted (geo.exports.output.csv_text)."""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.kinds import KINDS, table_kinds
from geo.data.model import CheckedLayout
from geo.exports.district_sheet import COLUMNS, Sheet
from geo.exports.output import csv_text
from geo.i18n import Lang, join, name, paren, t
from geo.exports.district_sheet import Row
from geo.review.model import ADDITION, RECHECK, STATUSES, Review, Status
from geo.review.rows import REMOVED, sheet_rows, state_of
from geo.safe import sheet_cell

WIDTHS = {"group": 14, "name": 28, "role": 60, "lead_units": 22, "supporting_units": 22, "period": 10,
          "basis": 26, "placed": 8, "sources": 40, "quotes": 60, "ids": 24, "key": 30, "revision": 14,
          "status": 12, "comment": 40, "version": 8, "kind": 16, "district": 10, "lon": 12, "lat": 12,
          "point_note": 30, "user": 14, "at": 20, "state": 30}
# A group sheet of the XLSX: the sheet's columns with the review's two before the key and revision,
# and the review's version last; the additions sheet. Titles: sheet.col.<column>.
REVIEW_COLUMNS = ("status", "comment")
GROUP_COLUMNS = (*(c for c in COLUMNS if c not in ("key", "revision")), *REVIEW_COLUMNS, "key", "revision", "version")
ADDITION_COLUMNS = ("name", "kind", "comment", "key", "version")
HIDDEN = ("key", "version")  # the round trip's, not the reader's
# The bureau's table of every review (python -m geo review export).
REVIEWS_COLUMNS = ("key", "district", "ids", "name", "status", "comment", "lon", "lat", "point_note", "user", "at",
                   "revision", "state")
ADDITION_ROWS = 200  # empty rows of the additions sheet that get the kind drop-down
_REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")  # the headers of what a reviewer fills in


def status_label(status: Status, lang: Lang) -> str:
    return t(f"review.status.{status}", lang)


def to_csv(sheet: Sheet) -> str:
    """Every row with every column, the group in its own column; headers in the sheet's language."""
    return csv_text(rows=[[sheet.header(c) for c in COLUMNS],
                          *([sheet.title(v) if c == "group" else v for c, v in row.cells().items()]
                            for row in sheet.rows)])


def _append(ws: Worksheet, values: Sequence[object]) -> None:
    """One row, each cell guarded: openpyxl stores any text starting with '=' as a formula."""
    ws.append([sheet_cell(v) for v in values])


# What Excel refuses in a sheet name; it also allows at most 31 characters and no leading or
# trailing apostrophe (so sheet_cell's apostrophe cannot be used: a guarded name gets "_").
_SHEET_NAME_BAD = re.compile(r"[\\/?*\[\]:]")


def _sheet_name(title: str) -> str:
    name = _SHEET_NAME_BAD.sub("-", title.replace(" · ", "-")).strip("'")
    if sheet_cell(name) != name:
        name = "_" + name
    return name[:31] or "-"


def _table(ws: Worksheet, header: Sequence[object], rows: Sequence[Sequence[object]], widths: list[int]) -> None:
    _append(ws, header)
    for r in rows:
        _append(ws, r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _choices(ws: Worksheet, column: int, labels: Sequence[str], last_row: int, error: str) -> None:
    """A drop-down of `labels` on a column's cells below the header (Excel's list validation)."""
    assert not any("," in x or '"' in x for x in labels)  # the list is written as "a,b,c"
    letter = get_column_letter(column)
    check = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                           showErrorMessage=True, error=error)
    check.add(f"{letter}2:{letter}{max(last_row, 2)}")
    ws.add_data_validation(check)


def _review_form(ws: Worksheet, columns: Sequence[str], *, fill: Sequence[str]) -> None:
    """The headers of the columns to `fill` in marked, the round trip's columns hidden."""
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        if column in fill:
            ws[f"{letter}1"].fill = _REVIEW_FILL
        ws.column_dimensions[letter].hidden = column in HIDDEN


def to_xlsx(checked: CheckedLayout, sheet: Sheet, *, reviews: Mapping[str, Review] | None = None) -> bytes:
    """The district's sheet as a workbook to read and to fill in; `reviews` (key -> the stored
    review of this district) pre-fill the review columns and the additions sheet."""
    reviews = reviews or {}
    book = Workbook()
    summary = book.active
    assert isinstance(summary, Worksheet)  # a new workbook opens on its one worksheet
    lang = sheet.lang
    summary.title = _sheet_name(t("sheet.summary", lang))
    counts = sheet.counts()
    _table(summary, [sheet.header("group"), sheet.header("count")],
           [[sheet.title(g), str(n)] for g, n in counts.items()], [48, 10])
    summary.append([])
    _append(summary, [t("sheet.summary_note", lang, district=sheet.district_label)])
    _append(summary, [t("data.revision", lang, revision=sheet.revision)])
    _append(summary, [t("sheet.district", lang), sheet.district_label])
    _append(summary, [t("sheet.review_note", lang)])
    for d in checked.documents.values():
        _append(summary, [checked.document_label(d.doc, lang),
                          d.title_en if lang == "en" and d.title_en else d.title_zh])
    summary.column_dimensions["B"].width = 70
    labels = [status_label(s, lang) for s in STATUSES]
    for group in counts:
        ws = book.create_sheet(_sheet_name(sheet.title(group)))
        rows = []
        for r in sheet.group(group):
            cells: dict[str, object] = {**r.cells(), "group": sheet.title(group)}
            review = reviews.get(r.key)
            cells |= {"status": status_label(review.status if review else "unchecked", lang),
                      "comment": review.comment if review else "", "version": review.version if review else 0}
            rows.append([cells[c] for c in GROUP_COLUMNS])
        _table(ws, [sheet.header(c) for c in GROUP_COLUMNS], rows, [WIDTHS[c] for c in GROUP_COLUMNS])
        _review_form(ws, GROUP_COLUMNS, fill=REVIEW_COLUMNS)
        _choices(ws, GROUP_COLUMNS.index("status") + 1, labels, ws.max_row, t("sheet.choose", lang))
        ws.freeze_panes = "C2"  # the group and the name stay in view beside the review columns
    _additions(book, [r for k, r in reviews.items() if k.startswith(ADDITION + ":")], lang)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _additions(book: Workbook, added: Sequence[Review], lang: Lang) -> None:
    """The sheet of what a reviewer adds: the stored additions, then empty rows to fill in."""
    ws = book.create_sheet(_sheet_name(t("sheet.additions", lang)))
    _table(ws, [t(f"sheet.col.{c}", lang) for c in ADDITION_COLUMNS],
           [[r.added_name, name(KINDS[r.added_kind], lang) if r.added_kind in KINDS else "", r.comment, r.key,
             r.version] for r in added], [WIDTHS[c] for c in ADDITION_COLUMNS])
    _review_form(ws, ADDITION_COLUMNS, fill=("name", "kind", "comment"))
    _choices(ws, ADDITION_COLUMNS.index("kind") + 1, [name(KINDS[k], lang) for k in table_kinds()],
             len(added) + 1 + ADDITION_ROWS, t("sheet.choose", lang))


def review_table(checked: CheckedLayout, reviews: Sequence[Review], *, lang: Lang) -> list[list[object]]:
    """One row per review in REVIEWS_COLUMNS order, its header first: names and the state (its
    status, or to recheck with what changed) as the data says now, in `lang`."""
    sheets: dict[tuple[str, Lang], dict[str, Row]] = {}

    def rows(district: str, in_lang: Lang) -> dict[str, Row]:
        if (district, in_lang) not in sheets:
            sheets[district, in_lang] = sheet_rows(checked, district=district, lang=in_lang)
        return sheets[district, in_lang]

    out: list[list[object]] = [[t(f"sheet.col.{c}", lang) for c in REVIEWS_COLUMNS]]
    for r in reviews:
        added = r.key.startswith(ADDITION + ":")
        row = None if added else rows(r.district, lang).get(r.key)
        state, changed = state_of(r, checked=checked, rows=rows(r.district, r.lang))
        what = [t("review.removed", lang) if c == REMOVED else t(f"sheet.col.{c}", lang) for c in changed]
        cells = {"key": r.key, "district": checked.district_name(r.district, lang),
                 "ids": "" if added else "、".join(row.ids) if row else r.key.partition(":")[2],
                 "name": row.name if row else r.added_name or r.seen.get("name", ""),
                 "status": status_label(r.status, lang), "comment": r.comment,
                 "lon": r.point.lon if r.point else None, "lat": r.point.lat if r.point else None,
                 "point_note": r.point_note, "user": r.user, "at": r.at.isoformat(timespec="seconds"),
                 "revision": r.revision,
                 "state": t("review.recheck", lang) + paren(join(what, lang), lang) if state == RECHECK
                 else status_label(r.status, lang)}
        out.append([cells[c] for c in REVIEWS_COLUMNS])
    return out


def reviews_to_csv(table: list[list[object]]) -> str:
    return csv_text(rows=table)


def reviews_to_xlsx(table: list[list[object]], *, lang: Lang) -> bytes:
    book = Workbook()
    ws = book.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on its one worksheet
    ws.title = _sheet_name(t("sheet.reviews", lang))
    _table(ws, table[0], table[1:], [WIDTHS[c] for c in REVIEWS_COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
