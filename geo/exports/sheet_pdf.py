"""A district sheet as a printable PDF: A4 portrait, the district's map on page 1, then the table
over as many pages as it needs, with the title on every page, and page numbers and the data
revision in every page's footer.

The map page is the static map (geo.maps.static_map, matplotlib); the table pages are laid out by
reportlab, whose tables wrap, split across pages and repeat their header rows in a fraction of the
time matplotlib takes to place one text object per cell. The two are joined with pypdf. Both
write Chinese as real, extractable text in the project's own TrueType subset (geo.fonts).

Each group is a table of its own: its heading, then its header row (both repeated when the group
continues on the next page), and only the columns the group fills, each as wide as its content
needs (the role takes the rest). Under each row, across the whole width, why it is listed (a
finding's explanation) and its sources. Quotes stay in the XLSX and CSV.
"""
from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_pdf import PdfPages
from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from geo.data.model import CheckedLayout
from geo.exports.district_sheet import Row, Sheet, elsewhere_note, summary_items
from geo.i18n import Lang, colon, paren, t
from geo.maps.print_block import block_line
from geo.maps.static_map import Page, map_figure, setup_fonts
from layers import build_layers

A4_PORTRAIT = Page("A4", "portrait")
PAGE_PT = tuple(x * 72 for x in A4_PORTRAIT.size_in)
MARGIN_PT = 36.0
FONT_PT, NOTE_PT, HEADING_PT, TITLE_PT, SOURCES_PT, PAGE_NO_PT = 7.5, 6.5, 8.5, 11.0, 6.0, 7.0
PAD_PT = 3.0
BLUE, GREY, RULE, HEAD_BG = (colors.HexColor(c) for c in ("#1f3b63", "#555555", "#cccccc", "#e8eef6"))
# The printed columns, in order; a group shows those its rows fill. All but the role are as wide
# as their content up to this share of the line; the role takes what is left, at least ROLE_MIN.
CAPS = {"name": 0.24, "role": 1.0, "lead_units": 0.2, "supporting_units": 0.18, "period": 0.12,
        "placed": 0.09}
ROLE_MIN = 0.4
_REGISTERING = threading.Lock()
MAPS_KEPT = 44  # map pages kept (≈130 KiB each): every district in both languages, twice over
_MAPS: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
_KEEPING = threading.Lock()


def _markup(text: str) -> str:
    """Data text for a reportlab Paragraph, which parses mini-markup (<b>, <font>, &entities;):
    escaped, so that it prints literally."""
    return escape(text)


def _font_name() -> str:
    """The subset font geo.maps.static_map.setup_fonts made (and matplotlib registered), now
    registered with reportlab too: each subset has a family of its own, so its name is its key.
    Once: a PDF being built keeps state in its font object, which a second registration would replace."""
    family = matplotlib.rcParams["font.family"][0]
    with _REGISTERING:
        if family not in pdfmetrics.getRegisteredFontNames():
            path = font_manager.fontManager.findfont(font_manager.FontProperties(family=family),
                                                     fallback_to_default=False)
            pdfmetrics.registerFont(TTFont(family, path))
    return family


class _Styles:
    """The paragraph styles of one sheet: its font, and CJK line breaking for Chinese."""

    def __init__(self, font: str, lang: Lang) -> None:
        wrap = "CJK" if lang == "zh" else None  # CJK breaks between any two characters
        base = ParagraphStyle("cell", fontName=font, fontSize=FONT_PT, leading=FONT_PT * 1.3, wordWrap=wrap)
        self.font = font
        self.lang = lang
        self.cell = base
        self.head = ParagraphStyle("head", base, textColor=BLUE)
        self.note = ParagraphStyle("note", base, fontSize=NOTE_PT, leading=NOTE_PT * 1.3, textColor=GREY)
        self.heading = ParagraphStyle("heading", base, fontSize=HEADING_PT, leading=HEADING_PT * 1.4,
                                      textColor=BLUE)
        self.sources = ParagraphStyle("sources", base, fontSize=SOURCES_PT, leading=SOURCES_PT * 1.3,
                                      textColor=GREY)

    def width(self, text: str) -> float:
        """A cell's text on one line."""
        return pdfmetrics.stringWidth(text, self.font, FONT_PT)


def _widths(columns: list[str], rows: list[Row], sheet: Sheet, styles: _Styles, line: float) -> list[float]:
    """Each column as wide as its widest cell or header (up to its cap); the role the rest."""
    natural = {c: 2 * PAD_PT + max(map(styles.width, [sheet.header(c), *(getattr(r, c) for r in rows)]))
               for c in columns if c != "role"}
    want = {c: min(CAPS[c] * line, w) for c, w in natural.items()}
    over = sum(want.values()) - (1 - ROLE_MIN) * line
    wrapped = {c for c in want if want[c] < natural[c]}
    if over > 0 and wrapped:  # the role keeps its minimum: narrow the columns that wrap anyway
        share = sum(want[c] for c in wrapped)
        want |= {c: want[c] * max(0.3, 1 - over / share) for c in wrapped}
    return [line - sum(want.values()) if c == "role" else want[c] for c in columns]


def _note(row: Row, sheet: Sheet) -> str:
    """What goes under a row: why it is listed (a finding's explanation), then its sources."""
    parts = [(sheet.header("basis"), row.basis), (sheet.header("sources"), row.sources_short)]
    return "<br/>".join(_markup(f"{head}{colon(sheet.lang)}{text}") for head, text in parts if text)


def _summary(items: list[tuple[str, str]], styles: _Styles) -> list[Paragraph]:
    """The sheet at a glance, above the first group: the places by kind (a core filed under the
    axis nodes named as a core too) and the findings (geo.exports.district_sheet.summary_items)."""
    return [Paragraph(f'<font color="#{BLUE.hexval()[2:]}">{_markup(term)}</font>'
                      f"{_markup(colon(styles.lang) + text)}", styles.cell) for term, text in items]


def _group_table(sheet: Sheet, group: str, count: int, note: str, styles: _Styles, line: float) -> Table:
    """A group's heading (with `note`: its kind's places filed in other groups), header and rows."""
    rows = sheet.group(group)
    columns = [c for c in CAPS if c in ("name", "role") or any(getattr(r, c) for r in rows)]
    heading = f"■ {sheet.title(group)}{paren(t('sheet.items', sheet.lang, n=count), sheet.lang)}"
    title: list[Flowable] = [Paragraph(_markup(heading), styles.heading)]
    if note:
        title.append(Paragraph(_markup(note), styles.note))
    data: list[list[Any]] = [
        [title] + [""] * (len(columns) - 1),
        [Paragraph(_markup(sheet.header(c)), styles.head) for c in columns]]
    style: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (-1, 0)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_PT), ("RIGHTPADDING", (0, 0), (-1, -1), PAD_PT),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (0, 1), (-1, 1), HEAD_BG),
        ("NOSPLIT", (0, 0), (-1, 3))]  # a group's heading never ends a page alone
    for row in rows:
        top = len(data)
        cells = [getattr(row, c) for c in columns]
        data.append([Paragraph(_markup(text), styles.cell) if text else "" for text in cells])
        data.append([Paragraph(_note(row, sheet), styles.note)] + [""] * (len(columns) - 1))
        style += [("SPAN", (0, top + 1), (-1, top + 1)), ("NOSPLIT", (0, top), (-1, top + 1)),
                  ("TOPPADDING", (0, top + 1), (-1, top + 1), 0),
                  ("LINEBELOW", (0, top + 1), (-1, top + 1), 0.4, RULE)]
    return Table(data, colWidths=_widths(columns, rows, sheet, styles, line), repeatRows=2,
                 style=TableStyle(style), hAlign="LEFT", spaceAfter=8)


def _numbered(footer: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas that holds its pages back until the last, so each footer can say 'of N'."""

    class Numbered(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._held: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's "page x of y" recipe

        def save(self) -> None:
            for n, page in enumerate(self._held, start=1):
                self.__dict__.update(page)
                footer(self, n, len(self._held))
                super().showPage()
            super().save()

    return Numbered


def table_pdf(checked: CheckedLayout, sheet: Sheet, *, title: str, pages_before: int) -> tuple[bytes, int]:
    """The sheet at a glance, then its rows group by group, as A4 pages with the title on each,
    numbered as if `pages_before` pages came first; and how many pages that made."""
    lang = sheet.lang
    styles = _Styles(_font_name(), lang)
    width, height = PAGE_PT
    line = width - 2 * MARGIN_PT
    sources = Paragraph(_markup(block_line(checked, lang=lang)), styles.sources)
    _, sources_h = sources.wrap(line, height)
    top, bottom = MARGIN_PT + TITLE_PT * 2, 30 + sources_h + 6
    frame = Frame(MARGIN_PT, bottom, line, height - top - bottom, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)

    def on_page(canvas: Canvas, _doc: object) -> None:
        canvas.setFont(styles.font, TITLE_PT)
        canvas.setFillColor(colors.black)
        canvas.drawString(MARGIN_PT, height - MARGIN_PT - TITLE_PT,
                          title if canvas.getPageNumber() == 1 else title + t("sheet.continued", lang))
        sources.drawOn(canvas, MARGIN_PT, 26)

    def footer(canvas: Canvas, n: int, pages: int) -> None:
        canvas.setFont(styles.font, PAGE_NO_PT)
        canvas.setFillColor(GREY)
        number = t("sheet.page", lang, n=pages_before + n, total=pages_before + pages)
        canvas.drawCentredString(width / 2, 14, number)
        canvas.drawRightString(width - MARGIN_PT, 14, t("data.revision", lang, revision=sheet.revision))

    buf = io.BytesIO()
    # Pages start in the subset font, so that none refers to a font the PDF lacks (Helvetica).
    doc = BaseDocTemplate(buf, pagesize=PAGE_PT, title=title, creator="gzmap", initialFontName=styles.font,
                          pageTemplates=[PageTemplate("sheet", [frame], onPage=on_page)])
    doc.build([*_summary(summary_items(checked, sheet), styles), Spacer(0, 6),
               *(_group_table(sheet, group, count, elsewhere_note(checked, sheet, group), styles, line)
                 for group, count in sheet.counts().items())],
              canvasmaker=_numbered(footer))
    return buf.getvalue(), doc.page


def map_pdf(checked: CheckedLayout, sheet: Sheet, *, total: int) -> bytes:
    """Page 1: the district's map (the static map), with the sheet's footer. Kept per data
    revision and reading: the map is two thirds of a sheet's time, and a district's staff
    download their sheet again after every review (in each format and language)."""
    key = (checked.revision, frozenset(checked.entries), sheet.district, sheet.lang, total)
    with _KEEPING:
        if (kept := _MAPS.get(key)) is not None:
            _MAPS.move_to_end(key)
            return kept
    page = _map_page(checked, sheet, total=total)
    with _KEEPING:
        _MAPS[key] = page
        while len(_MAPS) > MAPS_KEPT:
            _MAPS.popitem(last=False)
    return page


def _map_page(checked: CheckedLayout, sheet: Sheet, *, total: int) -> bytes:
    lang = sheet.lang
    title = t("sheet.map_title", lang, district=sheet.district_label)
    fig = map_figure(checked, build_layers(checked, lang=lang), sheet.district, title, A4_PORTRAIT, lang=lang)
    w_in, h_in = A4_PORTRAIT.size_in
    fig.text(0.5, 14 / 72 / h_in, t("sheet.page", lang, n=1, total=total), ha="center", fontsize=PAGE_NO_PT,
             color="#555")
    fig.text(1 - MARGIN_PT / 72 / w_in, 14 / 72 / h_in, t("data.revision", lang, revision=sheet.revision),
             ha="right", fontsize=PAGE_NO_PT, color="#555")
    buf = io.BytesIO()
    with PdfPages(buf) as pdf:
        pdf.savefig(fig)
    return buf.getvalue()


def sheet_pdf(checked: CheckedLayout, sheet: Sheet) -> bytes:
    """The sheet as an A4 PDF in the sheet's language: its district's map, then the table."""
    title = t("sheet.title", sheet.lang, district=sheet.district_label)
    setup_fonts(checked, title)
    tables, pages = table_pdf(checked, sheet, title=title, pages_before=1)
    writer = PdfWriter()
    for part in (map_pdf(checked, sheet, total=pages + 1), tables):
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": title})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
