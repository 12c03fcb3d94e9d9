"""A district sheet as a printable PDF: A4 portrait, the district's map on page 1, then the table
over as many pages as it needs, with a header on every page, and page numbers and the data
revision in every page's footer. Chinese is real text (the project's TrueType subset, embedded
as Type 42)."""
from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo.data.model import CheckedLayout
from geo.exports.district_sheet import Row, Sheet
from geo.i18n import paren, t
from geo.maps.static_map import Page, map_figure, setup_fonts, source_line
from geo.maps.text_layout import wrap
from layers import build_layers

A4_PORTRAIT = Page("A4", "portrait")
FONT_PT = 7.0
LINE_PT = FONT_PT * 1.32
MARGIN_PT = 36.0
# Printed columns: (the Row field, width share); titles are the sheet's. Quotes stay in the XLSX and CSV.
COLUMNS = (("name", 0.19), ("role", 0.38), ("lead_units", 0.12), ("supporting_units", 0.10), ("period", 0.07),
           ("sources_short", 0.14))


def _page(size: tuple[float, float]) -> Figure:
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def _cells(row: Row, width_pt: float) -> list[list[str]]:
    return [wrap(str(getattr(row, field)), share * width_pt / FONT_PT - 1.2) for field, share in COLUMNS]


def table_pages(sheet: Sheet, title: str) -> list[Figure]:
    """The sheet's rows, group by group, on as many A4 pages as they need."""
    w_in, h_in = A4_PORTRAIT.size_in
    width_pt, height_pt = w_in * 72 - 2 * MARGIN_PT, h_in * 72
    pages: list[Figure] = []

    def new_page() -> float:
        fig = _page((w_in, h_in))
        fig.text(MARGIN_PT / 72 / w_in, 1 - MARGIN_PT / 72 / h_in,
                 title + t("sheet.continued", sheet.lang) if pages else title,
                 fontsize=11, va="top")
        pages.append(fig)
        top = MARGIN_PT + 22
        x = MARGIN_PT
        heads = [wrap(sheet.header(field.removesuffix("_short")), share * width_pt / (FONT_PT + 0.5) - 1.2)
                 for field, share in COLUMNS]
        for (_, share), head in zip(COLUMNS, heads):
            fig.text(x / 72 / w_in, 1 - top / 72 / h_in, "\n".join(head), fontsize=FONT_PT + 0.5, va="top",
                     color="#1f3b63", linespacing=1.2)
            x += share * width_pt
        return top + LINE_PT * (0.4 + max(map(len, heads)))

    def put(text: str, x: float, top: float, color: str | None = None) -> None:  # None: the default colour
        pages[-1].text(x / 72 / w_in, 1 - top / 72 / h_in, text, fontsize=FONT_PT, va="top",
                       linespacing=1.32, color=color)

    bottom = height_pt - MARGIN_PT - 14
    y = new_page()
    for group, count in sheet.counts().items():
        rows = sheet.group(group)
        first_lines = max(map(len, _cells(rows[0], width_pt)))
        if y + LINE_PT * (1.5 + first_lines) > bottom:  # a group's heading never ends a page alone
            y = new_page()
        put(f"■ {sheet.title(group)}{paren(t('sheet.items', sheet.lang, n=count), sheet.lang)}", MARGIN_PT, y + 2,
            color="#1f3b63")
        y += LINE_PT * 1.5
        for row in rows:
            cells = _cells(row, width_pt)
            lines = max(map(len, cells))
            if y + lines * LINE_PT > bottom:
                y = new_page()
            x = MARGIN_PT
            for (_, share), cell in zip(COLUMNS, cells):
                put("\n".join(cell), x, y)
                x += share * width_pt
            y += lines * LINE_PT + 4
            pages[-1].add_artist(_rule(pages[-1], y - 2, w_in, h_in))
    return pages


def _rule(fig: Figure, top_pt: float, w_in: float, h_in: float) -> Line2D:
    yy = 1 - top_pt / 72 / h_in
    return Line2D([MARGIN_PT / 72 / w_in, 1 - MARGIN_PT / 72 / w_in], [yy, yy], transform=fig.transFigure,
                  color="#ccc", linewidth=0.4)


def sheet_pdf(checked: CheckedLayout, sheet: Sheet) -> bytes:
    """The sheet as an A4 PDF in the sheet's language: its district's map, then the table."""
    lang = sheet.lang
    title = t("sheet.title", lang, district=sheet.district_label)
    setup_fonts(checked, title)
    first = map_figure(checked, build_layers(checked, lang=lang), sheet.district,
                       t("sheet.map_title", lang, district=sheet.district_label), A4_PORTRAIT, lang=lang)
    pages = [first, *table_pages(sheet, title)]
    w_in, h_in = A4_PORTRAIT.size_in
    for n, fig in enumerate(pages, start=1):
        fig.text(0.5, 14 / 72 / h_in, t("sheet.page", lang, n=n, total=len(pages)), ha="center", fontsize=7, color="#555")
        fig.text(1 - MARGIN_PT / 72 / w_in, 14 / 72 / h_in, t("data.revision", lang, revision=sheet.revision),
                 ha="right", fontsize=7, color="#555")
        if n > 1:
            sources = source_line(lang=lang, revision=sheet.revision)
            fig.text(MARGIN_PT / 72 / w_in, 26 / 72 / h_in, "\n".join(wrap(sources, (w_in * 72 - 2 * MARGIN_PT) / 5.5 - 2)),
                     fontsize=5.5, color="#777", va="bottom", linespacing=1.3)
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": title}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    return buf.getvalue()
