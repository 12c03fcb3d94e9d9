"""The district XLSX as a review form, and the bureau's table of every review.

Each group sheet of the district's workbook has the sheet's columns, then 核对结果 (a drop-down of
the four statuses) and 意见, pre-filled from the stored reviews, and the hidden columns `key` and
`version` (the stored review's version, so that a file made before someone else's answer
conflicts instead of overwriting it); the summary names the district and the data revision; a
last sheet takes the additions (what the plans assign and the map lacks). geo.review.workbook
reads a filled one back. `review_table` (with `reviews_to_xlsx` / `reviews_to_csv`) is the
bureau's table of every review, each with its state now (its status, or to recheck with what
changed). Every cell is guarded against formulas (geo.exports.sheet_export.append_row).
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.kinds import KINDS, table_kinds
from geo.data.model import CheckedLayout
from geo.exports.district_sheet import COLUMNS, ID_SEP, Row, Sheet
from geo.exports.output import csv_text
from geo.exports.sheet_export import WIDTHS, append_row, choices, sheet_name, write_table
from geo.i18n import Lang, join, name, paren, t
from geo.review.model import ADDITION, STATUSES, Review, Status
from geo.review.rows import REMOVED, sheet_rows, state_of

# A group sheet of the XLSX: the sheet's columns with the review's two before the key and revision,
# and the review's version last; the additions sheet. Titles: sheet.col.<column>.
REVIEW_COLUMNS = ("status", "comment")
GROUP_COLUMNS = (*(c for c in COLUMNS if c not in ("key", "revision")), *REVIEW_COLUMNS, "key", "revision", "version")
ADDITION_COLUMNS = ("name", "kind", "comment", "key", "version")
HIDDEN = ("ids", "key", "version")  # the round trip's, not the reader's (internal ids mean nothing to a reader)
# The bureau's table of every review (python -m geo review export).
REVIEWS_COLUMNS = ("key", "district", "ids", "name", "status", "comment", "lon", "lat", "point_note", "user", "at",
                   "revision", "state")
ADDITION_ROWS = 200  # empty rows of the additions sheet that get the kind drop-down
_REVIEW_FILL = PatternFill("solid", fgColor="FFF2CC")  # the headers of what a reviewer fills in


def status_label(status: Status, lang: Lang) -> str:
    return t(f"review.status.{status}", lang)


def state_label(state: str, changed: Sequence[str], lang: Lang) -> str:
    """A review's state (geo.review.rows.state_of) as text: its status, or 待复核 with what changed."""
    if state not in STATUSES:
        what = [t("review.removed", lang) if c == REMOVED else t(f"sheet.col.{c}", lang) for c in changed]
        return t("review.recheck", lang) + (paren(join(what, lang), lang) if what else "")
    return status_label(state, lang)


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
    summary.title = sheet_name(t("sheet.summary", lang))
    counts = sheet.counts()
    write_table(summary, [sheet.header("group"), sheet.header("count")],
           [[sheet.title(g), str(n)] for g, n in counts.items()], [48, 10])
    summary.append([])
    append_row(summary, [t("sheet.summary_note", lang, district=sheet.district_label)])
    append_row(summary, [t("data.revision", lang, revision=sheet.revision)])
    append_row(summary, [t("sheet.district", lang), sheet.district_label])
    append_row(summary, [t("sheet.review_note", lang)])
    for d in checked.documents.values():
        append_row(summary, [checked.document_label(d.doc, lang),
                          d.title_en if lang == "en" and d.title_en else d.title_zh])
    summary.column_dimensions["B"].width = 70
    labels = [status_label(s, lang) for s in STATUSES]
    for group in counts:
        ws = book.create_sheet(sheet_name(sheet.tab(group)))
        rows = []
        for r in sheet.group(group):
            cells: dict[str, object] = {**r.cells(), "group": sheet.title(group)}
            review = reviews.get(r.key)
            cells |= {"status": status_label(review.status if review else "unchecked", lang),
                      "comment": review.comment if review else "", "version": review.version if review else 0}
            rows.append([cells[c] for c in GROUP_COLUMNS])
        write_table(ws, [sheet.header(c) for c in GROUP_COLUMNS], rows, [WIDTHS[c] for c in GROUP_COLUMNS])
        _review_form(ws, GROUP_COLUMNS, fill=REVIEW_COLUMNS)
        choices(ws, GROUP_COLUMNS.index("status") + 1, labels, ws.max_row, t("sheet.choose", lang))
        ws.freeze_panes = "C2"  # the group and the name stay in view beside the review columns
    _additions(book, [r for k, r in reviews.items() if k.startswith(ADDITION + ":")], lang)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _additions(book: Workbook, added: Sequence[Review], lang: Lang) -> None:
    """The sheet of what a reviewer adds: the stored additions, then empty rows to fill in."""
    ws = book.create_sheet(sheet_name(t("sheet.additions", lang)))
    write_table(ws, [t(f"sheet.col.{c}", lang) for c in ADDITION_COLUMNS],
           [[r.added_name, name(KINDS[r.added_kind], lang) if r.added_kind in KINDS else "", r.comment, r.key,
             r.version] for r in added], [WIDTHS[c] for c in ADDITION_COLUMNS])
    _review_form(ws, ADDITION_COLUMNS, fill=("name", "kind", "comment"))
    choices(ws, ADDITION_COLUMNS.index("kind") + 1, [name(KINDS[k], lang) for k in table_kinds()],
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
        cells = {"key": r.key, "district": checked.district_name(r.district, lang),
                 "ids": "" if added else ID_SEP.join(row.ids) if row else r.key.partition(":")[2],
                 "name": row.name if row else r.added_name or r.seen.get("name", ""),
                 "status": status_label(r.status, lang), "comment": r.comment,
                 "lon": r.point.lon if r.point else None, "lat": r.point.lat if r.point else None,
                 "point_note": r.point_note, "user": r.user, "at": r.at.isoformat(timespec="seconds"),
                 "revision": r.revision,
                 "state": state_label(*state_of(r, checked=checked, rows=rows(r.district, r.lang)), lang)}
        out.append([cells[c] for c in REVIEWS_COLUMNS])
    return out


def reviews_to_csv(table: list[list[object]]) -> str:
    return csv_text(rows=table)


def reviews_to_xlsx(table: list[list[object]], *, lang: Lang) -> bytes:
    book = Workbook()
    ws = book.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on its one worksheet
    ws.title = sheet_name(t("sheet.reviews", lang))
    write_table(ws, table[0], table[1:], [WIDTHS[c] for c in REVIEWS_COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
