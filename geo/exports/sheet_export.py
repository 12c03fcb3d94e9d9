"""A district sheet as CSV (UTF-8 with BOM, for Excel), and the pieces every workbook of the
project is written with (geo.review.form writes the district XLSX, which is also the review form).

Every row carries its citations for programs (`sources_json`: a JSON array of {doc, section,
quote}; `sources` and `quotes` are for reading), and its language-free key and the data revision
as its last two columns (one header row, so the CSV stays machine-readable). No cell or sheet
name can become a formula (geo.safe.sheet_cell): every row goes through `append_row`, including
group titles, document labels and titles, which come from data/. CSV cells holding a comma, `;`,
a quote or a line break are quoted (geo.exports.output.csv_text)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from geo.exports.district_sheet import COLUMNS, Sheet
from geo.exports.output import csv_text
from geo.safe import sheet_cell

WIDTHS = {"group": 14, "name": 28, "role": 60, "lead_units": 22, "supporting_units": 22, "period": 10,
          "basis": 26, "placed": 8, "sources": 40, "quotes": 60, "sources_json": 40, "ids": 24, "key": 30,
          "revision": 14,
          "status": 12, "comment": 40, "version": 8, "kind": 16, "district": 10, "lon": 12, "lat": 12,
          "point_note": 30, "user": 14, "at": 20, "state": 30}


def to_csv(sheet: Sheet) -> str:
    """Every row with every column, the group in its own column; headers in the sheet's language."""
    return csv_text(rows=[[sheet.header(c) for c in COLUMNS],
                          *([sheet.title(v) if c == "group" else v for c, v in row.cells().items()]
                            for row in sheet.rows)])


def append_row(ws: Worksheet, values: Sequence[object]) -> None:
    """One row, each cell guarded: openpyxl stores any text starting with '=' as a formula."""
    ws.append([sheet_cell(v) for v in values])


# What Excel refuses in a sheet name; it also allows at most 31 characters and no leading or
# trailing apostrophe (so sheet_cell's apostrophe cannot be used: a guarded name gets "_").
_SHEET_NAME_BAD = re.compile(r"[\\/?*\[\]:]")


def sheet_name(title: str) -> str:
    name = _SHEET_NAME_BAD.sub("-", title.replace(" · ", "-")).strip("'")
    if sheet_cell(name) != name:
        name = "_" + name
    return name[:31] or "-"


def print_setup(ws: Worksheet) -> None:
    """Printed as a planning office prints a list: A4 landscape, every column on the page's width
    (as many pages down as it takes), the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: no limit on the pages down
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True


def write_table(ws: Worksheet, header: Sequence[object], rows: Sequence[Sequence[object]], widths: list[int]) -> None:
    append_row(ws, header)
    for r in rows:
        append_row(ws, r)
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
    print_setup(ws)


def choices(ws: Worksheet, column: int, labels: Sequence[str], last_row: int, error: str) -> None:
    """A drop-down of `labels` on a column's cells below the header (Excel's list validation)."""
    assert not any("," in x or '"' in x for x in labels)  # the list is written as "a,b,c"
    letter = get_column_letter(column)
    check = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                           showErrorMessage=True, error=error)
    check.add(f"{letter}2:{letter}{max(last_row, 2)}")
    ws.add_data_validation(check)
