"""The title block at the foot of every print (map pages, the atlas): what a planning office
files a map by, with the web map's texts (geo.maps.title_block). Three framed cells:

- the page's title, and the data's revision (geo.data.model.CheckedLayout.revision) with its date;
- the plans the page draws on (their short titles from data/documents.yaml), the boundaries'
  source and the coordinate system;
- 制图日期 (the day the page was made) and, when the operator sets one (GZMAP_REVIEW_NUMBER),
  the 审图号 line.
"""
from __future__ import annotations

import datetime as dt

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo.data.model import CheckedLayout
from geo.i18n import Lang, sep, t
from geo.maps.text_layout import wrap
from geo.maps.title_block import title_texts

BLOCK_PT = 6.0
TITLE_PT = 8.0
CELLS = (0.30, 0.50, 0.20)  # width shares of the three cells


def block_lines(checked: CheckedLayout, title: str, *, lang: Lang,
                today: dt.date | None = None) -> tuple[list[str], list[str], list[str]]:
    """The three cells' text, unwrapped: title and revision; plans, boundaries, CRS; dates."""
    texts = title_texts(checked, lang=lang)
    return ([title, texts["revision"]], [x for x in (texts["documents"], t("print.block.notes", lang)) if x],
            [t("print.block.date", lang, date=f"{today or dt.date.today():%Y-%m-%d}")]
            + ([texts["review"]] if texts["review"] else []))


def block_line(checked: CheckedLayout, *, lang: Lang, today: dt.date | None = None) -> str:
    """The block's texts but the title, on one line: where a page has no room for the block (the
    sheet PDF's table pages)."""
    cells = block_lines(checked, "", lang=lang, today=today)
    return sep(lang).join(x for cell in cells for x in cell if x)


def draw_title_block(fig: Figure, box: tuple[float, float, float, float], checked: CheckedLayout, title: str, *,
                lang: Lang, today: dt.date | None = None) -> None:
    """The block in `box` (left, bottom, width, height as page fractions), text wrapped to its cells."""
    ax = fig.add_axes(box)
    ax.axis("off")
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=0.6, ec="#444", clip_on=False))
    width_pt = box[2] * fig.get_figwidth() * 72
    x = 0.0
    for i, (share, lines) in enumerate(zip(CELLS, block_lines(checked, title, lang=lang, today=today))):
        if i:
            ax.plot([x, x], [0, 1], transform=ax.transAxes, lw=0.6, color="#444", clip_on=False)
        pad = 4 / width_pt  # 4 pt inside the cell
        ems = share * width_pt / BLOCK_PT - 2
        first, rest = (lines[0], lines[1:]) if i == 0 else ("", lines)
        body = "\n".join(line for text in rest for line in wrap(text, ems))
        y = 0.9
        if first:
            head = "\n".join(wrap(first, share * width_pt / TITLE_PT - 2))
            ax.text(x + pad, y, head, fontsize=TITLE_PT, va="top", ha="left", transform=ax.transAxes)
            y -= (head.count("\n") + 1) * TITLE_PT * 1.3 / (box[3] * fig.get_figheight() * 72)
        ax.text(x + pad, y, body, fontsize=BLOCK_PT, va="top", ha="left", color="#333", linespacing=1.3,
                transform=ax.transAxes)
        x += share
