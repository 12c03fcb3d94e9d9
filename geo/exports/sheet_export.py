"""A district sheet as CSV (UTF-8 with BOM, for Excel) or XLSX (a summary sheet, then one sheet
per group: header row, column widths, wrapped text, frozen header, autofilter). Every row carries
its language-free key and the data revision as its last two columns (one header row, so the CSV
stays machine-readable); the XLSX summary names the revision too. No cell or sheet
name can become a formula (geo.safe.sheet_cell): every row goes through `_append`, including the
summary's group titles, document labels and titles, which come from data/. CSV cells holding a
comma, `;`, a quote or a line break are quoted (geo.exports.output.csv_text)."""
from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.model import CheckedLayout
from geo.exports.district_sheet import COLUMNS, Sheet
from geo.exports.output import csv_text
from geo.i18n import t
from geo.safe import sheet_cell

WIDTHS = {"group": 14, "name": 28, "role": 60, "lead_units": 22, "supporting_units": 22, "period": 10,
          "basis": 26, "placed": 8, "sources": 40, "quotes": 60, "ids": 24, "key": 30, "revision": 14}


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


def _table(ws: Worksheet, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
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


def to_xlsx(checked: CheckedLayout, sheet: Sheet) -> bytes:
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
    for d in checked.documents.values():
        _append(summary, [checked.document_label(d.doc, lang),
                          d.title_en if lang == "en" and d.title_en else d.title_zh])
    summary.column_dimensions["B"].width = 70
    for group in counts:
        ws = book.create_sheet(_sheet_name(sheet.title(group)))
        _table(ws, [sheet.header(c) for c in COLUMNS],
               [[sheet.title(v) if c == "group" else v for c, v in r.cells().items()] for r in sheet.group(group)],
               [WIDTHS[c] for c in COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
