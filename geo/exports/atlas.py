"""The district atlas: a city overview page, then one page per district with its map and the
table of what the plans assign to it (issue 4). One PDF, landscape."""
from __future__ import annotations

import io
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.data.kinds import TASK
from geo.data.model import CheckedLayout
from geo.data.records import SCOPES, Task
from geo.exports.district_sheet import Sheet, district_sheet
from geo.files import write_atomic
from geo.i18n import Lang, group_name, join, name, paren, scope_name, sep, t
from geo.maps.static_map import (
    Page,
    decorate,
    default_title,
    draw_map,
    setup_fonts,
)
from geo.maps.print_block import draw_title_block
from geo.maps.text_layout import wrap
from layers import MapLayer, build_layers

TABLE_SIZES_PT = (6.5, 6.0, 5.5, 5.0, 4.5)  # tried in turn until the table fits its box
COLUMNS = (("group", 0.16), ("name", 0.32), ("basis", 0.26), ("docs", 0.26))  # atlas.col.<key>, width share
OVERVIEW_COLUMNS = (("district_group", 0.13), ("district", 0.13), ("assigned", 0.56), ("disagree", 0.18))


def _heads(columns: tuple[tuple[str, float], ...], lang: Lang) -> tuple[tuple[str, float], ...]:
    return tuple((t(f"atlas.col.{key}", lang), share) for key, share in columns)


def draw_table(ax: Axes, title: str, columns: tuple[tuple[str, float], ...], rows: list[list[str]],
               note: str = "") -> None:
    """A plain table of wrapped text; the font shrinks until it fits the box, nothing is cut.
    Wrapping counts one em per character, which is exact for Chinese and generous for Latin."""
    ax.axis("off")
    box, fig = ax.get_position(), ax.get_figure(root=True)
    if fig is None:
        raise ValueError("the table's axes must be on a figure")
    width_pt = box.width * fig.get_figwidth() * 72
    height_pt = box.height * fig.get_figheight() * 72
    for size in TABLE_SIZES_PT:
        cells = [[wrap(v, share * width_pt / size - 1) for v, (_, share) in zip(r, columns)]
                 for r in rows]
        note_lines = wrap(note, width_pt / size - 1) if note else []
        lines = sum(max(map(len, r)) + 0.4 for r in cells) + len(note_lines) + 5
        if lines * size * 1.25 <= height_pt:
            break
    step = size * 1.25 / height_pt  # one line, as a fraction of the box
    xs = [sum(share for _, share in columns[:i]) for i in range(len(columns))]
    y = 1.0
    ax.text(0, y, title, fontsize=size + 3, va="top")
    y -= step * 2.2
    for x, (head, _) in zip(xs, columns):
        ax.text(x, y, head, fontsize=size, va="top", color="#333")
    y -= step * 1.2
    ax.axhline(y + step * 0.2, color="#999", lw=0.5)
    for r in cells:
        for x, c in zip(xs, r):
            ax.text(x, y, "\n".join(c), fontsize=size, va="top", linespacing=1.25)
        y -= step * (max(map(len, r)) + 0.4)
    if note_lines:
        ax.text(0, y - step * 0.5, "\n".join(note_lines), fontsize=size, va="top", color="#555",
                linespacing=1.25)


def district_rows(checked: CheckedLayout, sheet: Sheet) -> list[list[str]]:
    """The sheet in four columns: group, name, why it is on the district's list, documents."""
    return [[sheet.title(r.group), r.name, r.basis, join((checked.document_abbr(d, sheet.lang) for d in r.docs),
                                                          sheet.lang)]
            for r in sheet.rows if r.group != "common_task"]


def _page(checked: CheckedLayout, layers: list[MapLayer], page: Page, district: str | None,
          title: str, lang: Lang) -> tuple[Figure, Axes]:
    fig = Figure(figsize=page.size_in)
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.965, title, ha="center", va="top", fontsize=15)
    city = district is None
    # The overview magnifies the crowded centre beside the city, as the city print map does.
    map_ax = fig.add_axes((0.02, 0.10, 0.29, 0.80) if city else (0.02, 0.10, 0.49, 0.80))
    inset = fig.add_axes((0.32, 0.10, 0.195, 0.76)) if city else None
    legend_ax = fig.add_axes((0.525, 0.10, 0.145, 0.80))
    legend_ax.axis("off")
    drawn = draw_map(fig, map_ax, checked, layers, district, inset, lang=lang)
    decorate(fig, map_ax, layers, legend_ax, drawn, city, lang=lang)
    draw_title_block(fig, (0.02, 0.015, 0.96, 0.07), checked, title, lang=lang)
    return fig, fig.add_axes((0.675, 0.10, 0.31, 0.80))


def overview(checked: CheckedLayout, layers: list[MapLayer], page: Page, *, lang: Lang) -> Figure:
    title = default_title(checked, None, lang=lang) + " · " + t("atlas.overview", lang)
    fig, table_ax = _page(checked, layers, page, None, title, lang)
    rows = []
    for d in checked.districts:
        sheet = district_sheet(checked, d.name_zh, lang=lang)
        counts = sheet.counts()
        disagree = counts.pop("finding", 0)
        counts.pop("common_task", None)
        rows.append([group_name(d.group, lang), name(d, lang),
                     sep(lang).join(f"{sheet.title(k)} {v}" for k, v in counts.items()) or "—",
                     t("atlas.disagree", lang, n=disagree) if disagree else ""])
    city_tasks = [task for task in checked.of_kind(TASK, Task) if task.district_scope in SCOPES]
    note = t("atlas.city_tasks", lang) + sep(lang).join(
        name(task, lang) + paren(scope_name(task.district_scope, lang), lang) for task in city_tasks)
    draw_table(table_ax, t("atlas.overview_table", lang), _heads(OVERVIEW_COLUMNS, lang), rows, note)
    return fig


def district_page(checked: CheckedLayout, layers: list[MapLayer], page: Page, district: str, *,
                  lang: Lang) -> Figure:
    fig, table_ax = _page(checked, layers, page, district, default_title(checked, district, lang=lang), lang)
    sheet = district_sheet(checked, district, lang=lang)
    rows = district_rows(checked, sheet)
    shared = len(sheet.group("common_task"))
    note = t("atlas.shared_note", lang, n=shared) if shared else ""
    draw_table(table_ax, t("atlas.district_table", lang, district=sheet.district_label, n=len(rows)),
               _heads(COLUMNS, lang), rows, note)
    return fig


def write_atlas(checked: CheckedLayout, out: Path, page: Page = Page(), *, lang: Lang) -> int:
    setup_fonts(checked)
    layers = build_layers(checked, lang=lang)
    figures = [overview(checked, layers, page, lang=lang)] + [district_page(checked, layers, page, d.name_zh, lang=lang)
                                                         for d in checked.districts]
    buf = io.BytesIO()  # the file is replaced only once every page has been drawn
    with PdfPages(buf, metadata={"Title": t("atlas.title", lang)}) as pdf:
        for fig in figures:
            pdf.savefig(fig)
    write_atomic(out, buf.getvalue())
    return len(figures)

