"""A district sheet as CSV (UTF-8 with BOM, for Excel) or XLSX (a summary sheet, then one sheet
per group: header row, column widths, wrapped text, frozen header, autofilter). No cell can
become a formula (geo.safe.sheet_cell)."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.model import CheckedLayout
from geo.exports.district_sheet import COLUMNS, Sheet
from geo.safe import sheet_cell

WIDTHS = {"分组": 14, "名称": 28, "定位/任务": 60, "牵头单位": 22, "配合单位": 22, "期限": 10, "依据": 26,
          "上图": 8, "来源": 40, "原文": 60, "编号": 24}


def to_csv(sheet: Sheet) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in sheet.rows:
        writer.writerow([sheet_cell(v) for v in row.cells().values()])
    return "\ufeff" + buf.getvalue()


def _table(ws: Worksheet, header: list[str], rows: list[list[str]]) -> None:
    ws.append(header)
    for r in rows:
        ws.append([sheet_cell(v) for v in r])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = WIDTHS.get(name, 16)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def to_xlsx(checked: CheckedLayout, sheet: Sheet) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    counts = sheet.counts()
    _table(summary, ["分组", "条数"], [[g, str(n)] for g, n in counts.items()])
    summary.append([])
    summary.append([f"{sheet.district}：规划安排清单，依据下列规划文件（各区共同任务另计）"])
    for d in checked.documents.values():
        summary.append([checked.document_label(d.doc), d.title_zh])
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 70
    for group in counts:
        ws = book.create_sheet(group.replace(" · ", "-")[:31])
        _table(ws, list(COLUMNS), [list(r.cells().values()) for r in sheet.group(group)])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
