"""A district's sheet as HTML for the app's district page (app.py's sheet_page draws it, one
collapsible group at a time): the summary to read first, and each group as a table that becomes
one card per row on a phone.

The summary counts the rows of each group and lists the places by kind, each place under every
kind it is: 中新广州知识城 is a core and an axis pole, so it is named under 创新核 although its row
is in the axis-node group (geo.data.assignments puts a place that is several things on one row).
The tables show no internal ids (the row key stays with the review workflow, not on the page).
Every text from data/ is escaped (geo.safe.html_text).
"""
from __future__ import annotations

from collections.abc import Mapping

from geo.data.assignments import COMMON_TASK, FINDING
from geo.data.kinds import PLATFORM
from geo.data.model import CheckedLayout
from geo.exports.district_sheet import Row, Sheet, summary_items
from geo.i18n import colon, t
from geo.safe import html_text

# The columns the page shows, in order; a group shows those its rows fill. The sources (and the
# quotes, when asked for) go under the role, across its width, not into a narrow column of their
# own. The ids and the row key are the spreadsheets' (and the review's), never the reader's.
PAGE_COLUMNS = ("name", "role", "lead_units", "supporting_units", "period", "basis", "placed")
UNDER_ROLE = ("sources", "quotes")
PHONE_MAX_PX = 640  # at most this wide, a row is a card: its cells one under the other, each labelled

SHEET_CSS = f"""
.gz-sheet-wrap {{overflow-x: auto}}
table.gz-sheet {{border-collapse: collapse; width: 100%; font-size: .9rem; margin-bottom: .5rem}}
.gz-sheet th, .gz-sheet td {{border: 1px solid rgba(49,51,63,.2); padding: .3rem .5rem; text-align: left;
  vertical-align: top; white-space: pre-wrap; min-width: 6em}}
.gz-sheet thead th {{background: rgba(49,51,63,.06)}}
.gz-sheet tbody th {{min-width: 8em; font-weight: 600}}
.gz-sheet td.gz-col-role {{min-width: 16em}}
.gz-sheet td.gz-col-basis, .gz-sheet .gz-under {{font-size: .8rem; color: rgba(49,51,63,.75)}}
.gz-sheet .gz-under {{margin-top: .3rem}}
.gz-sheet-summary ul, .gz-sheet-summary dl {{margin-left: 0 !important; padding-left: 0 !important}}
.gz-sheet-summary dl {{display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .25rem 0}}
.gz-sheet-summary dl > div {{display: contents}}
.gz-sheet-summary dt {{font-weight: 600}}
.gz-sheet-summary dd {{margin: 0}}
.gz-sheet-counts {{display: flex; flex-wrap: wrap; gap: .3rem; list-style: none; padding: 0; margin: .25rem 0 .5rem}}
.gz-sheet-counts li {{border: 1px solid rgba(49,51,63,.2); border-radius: 1rem; padding: .05rem .6rem;
  font-size: .85rem; margin: 0}}
.gz-sheet-counts li.gz-finding {{border-color: #d97706; background: #fff7ed}}
@media (max-width: {PHONE_MAX_PX}px) {{
  table.gz-sheet, .gz-sheet tbody, .gz-sheet tr, .gz-sheet th, .gz-sheet td {{display: block; width: auto}}
  .gz-sheet thead {{position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%)}}
  .gz-sheet tr {{border: 1px solid rgba(49,51,63,.25); border-radius: .5rem; margin: 0 0 .6rem;
    padding: .35rem .6rem}}
  .gz-sheet th, .gz-sheet td {{border: none; padding: .15rem 0; min-width: 0}}
  .gz-sheet tbody th {{font-size: 1rem}}
  .gz-sheet td::before {{content: attr(data-label); display: block; font-size: .75rem;
    color: rgba(49,51,63,.6)}}
  .gz-sheet td:empty {{display: none}}
  .gz-sheet-summary dl {{grid-template-columns: 1fr}}
  .gz-sheet-summary dd {{margin-bottom: .3rem}}
}}
"""


def folded(group: str) -> bool:
    """Whether a group starts folded: the long lists (platforms, the tasks every district shares)
    do; the places, this district's own tasks and the findings are open."""
    return group.partition("-")[0] == PLATFORM or group == COMMON_TASK


def summary_html(checked: CheckedLayout, sheet: Sheet) -> str:
    """The rows per group as chips, then the places by kind and the findings
    (geo.exports.district_sheet.summary_items)."""
    counts = "".join(f'<li class="{"gz-finding" if g == FINDING else "gz-group"}">{html_text(sheet.title(g))} '
                     f"<b>{n}</b></li>" for g, n in sheet.counts().items())
    listed = "".join(f"<div><dt>{html_text(term)}</dt><dd>{html_text(text)}</dd></div>"
                     for term, text in summary_items(checked, sheet))
    return (f'<style>{SHEET_CSS}</style><div class="gz-sheet-summary"><ul class="gz-sheet-counts">{counts}</ul>'
            f"<dl>{listed}</dl></div>")


def group_html(sheet: Sheet, group: str, *, quotes: bool, review: Mapping[str, str] | None = None) -> str:
    """One group's rows as a table (a card per row on a phone): the name first, then the columns
    the group fills, the sources (and `quotes`) under the role; `review` (row key -> its review as
    text) adds the review column."""
    rows = sheet.group(group)
    columns = [c for c in PAGE_COLUMNS if any(getattr(r, c) for r in rows)]
    under = [c for c in UNDER_ROLE if quotes or c != "quotes"]
    titles = [sheet.header(c) for c in columns]
    if review is not None:
        titles.append(t("review.page.column", sheet.lang))
    head = "".join(f"<th>{html_text(c)}</th>" for c in titles)
    body = "".join(_row_html(sheet, r, columns, under, titles, review) for r in rows)
    return (f'<style>{SHEET_CSS}</style><div class="gz-sheet-wrap"><table class="gz-table gz-sheet">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _row_html(sheet: Sheet, row: Row, columns: list[str], under: list[str], titles: list[str],
              review: Mapping[str, str] | None) -> str:
    cells = [(c, getattr(row, c)) for c in columns] + ([("review", review.get(row.key, ""))] if review is not None else [])
    out = []
    for (column, text), title in zip(cells, titles):
        if column == "name":
            out.append(f'<th scope="row">{html_text(text)}</th>')
            continue
        notes = "".join(f'<div class="gz-under">{html_text(sheet.header(c) + colon(sheet.lang) + getattr(row, c))}</div>'
                        for c in under if column == "role" and getattr(row, c))
        out.append(f'<td class="gz-col-{column}" data-label="{html_text(title)}">{html_text(text)}{notes}</td>')
    return "<tr>" + "".join(out) + "</tr>"
