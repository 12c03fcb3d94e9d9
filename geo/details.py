"""What a user reads about one entry: the popup and the details panel, as escaped HTML.

Every string from the data goes through `geo.safe.html_text`, which also makes it inert for
the Jinja pass folium runs over popup HTML and for the JavaScript template literal around it.
"""
from __future__ import annotations

from collections import defaultdict

from geo.geometry import located_in, location_of
from geo.model import KIND_ZH, TIERS, Entry
from geo.safe import html_text
from geo.validate import CheckedLayout

# Shared by the map's popups and the app's details panel.
DETAILS_CSS = """
.gz-details{font:13px/1.5 sans-serif;max-width:360px}
.gz-name{font-size:15px;font-weight:bold}.gz-name-en{color:#555;margin-bottom:4px}
.gz-label{color:#777;font-weight:bold}.gz-quote{color:#444}.gz-doc{color:#999;font-size:11px}
.gz-finding{background:#fff3cd;border-left:3px solid #e0a800;padding:2px 6px;margin:4px 0}
.gz-platforms,.gz-sources{margin:2px 0 2px 18px;padding:0}
"""


def findings_for(checked: CheckedLayout, entry: Entry) -> list[str]:
    """Plan-vs-boundary findings on the entry, or on the place a node stands on."""
    ids = {entry.id, entry.place} - {""}
    return [p.message for p in checked.problems if p.level == "finding" and p.entry_id in ids]


def platforms_by_tier(checked: CheckedLayout, entry: Entry) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = defaultdict(list)
    for p in checked.layout.platforms_at(entry):
        out[p.tier].append(p)
    return {t: out[t] for t in TIERS if out.get(t)}


def _row(label: str, value_html: str) -> str:
    return f'<div class="gz-row"><span class="gz-label">{html_text(label)}</span> {value_html}</div>'


def details_html(checked: CheckedLayout, entry: Entry, kind_zh: str = "") -> str:
    layout = checked.layout
    parts = [f'<div class="gz-details" data-id="{html_text(entry.id)}">',
             f'<div class="gz-name">{html_text(entry.name_zh)}</div>',
             f'<div class="gz-name-en">{html_text(entry.name_en)}</div>',
             _row("类别", html_text(kind_zh or KIND_ZH.get(entry.layer, entry.layer)))]
    if entry.districts:
        parts.append(_row("所属区", html_text("、".join(entry.districts))))
    where = located_in(layout, checked.districts, entry) if entry.layer != "task" else None
    if where and where not in entry.districts:
        parts.append(_row("图上落位", html_text(where)))
    parts.append(_row("定位", html_text(entry.role_zh)))
    place = layout.entries.get(entry.place)
    if place is not None:  # an axis node: what the core or park it stands on is for
        parts.append(_row("载体定位", html_text(place.role_zh)))
    if entry.layer == "platform":
        parts.append(_row("层级", html_text(TIERS[entry.tier])))
        names = [layout.entries[r].name_zh for r in entry.places if r in layout.entries]
        if names:
            parts.append(_row("所在载体", html_text("、".join(names))))
    tiers = platforms_by_tier(checked, entry)
    if tiers:
        items = "".join(f"<li><b>{html_text(TIERS[t])}</b>：{html_text('、'.join(p.name_zh for p in ps))}</li>"
                        for t, ps in tiers.items())
        parts.append(_row("平台", f'<ul class="gz-platforms">{items}</ul>'))
    for message in findings_for(checked, entry):
        parts.append(f'<div class="gz-finding">⚠ 规划与边界不一致：{html_text(message)}</div>')
    for note in filter(None, (entry.notes, place.notes if place else "")):
        parts.append(_row("说明", html_text(note)))
    loc = location_of(layout, entry)
    if loc is not None:
        parts.append(_row("位置精度", html_text(f"±{loc.precision_m:,.0f} 米（{loc.method}）")))
    sources = "".join(
        f"<li>{html_text(layout.documents.get(s.doc, s.doc))} · {html_text(s.section)}"
        f'<br><span class="gz-quote">“{html_text(s.quote)}”</span> <span class="gz-doc">{html_text(s.doc)}</span></li>'
        for s in entry.sources)
    parts.append(_row("来源", f'<ol class="gz-sources">{sources}</ol>'))
    parts.append("</div>")
    return "".join(parts)


def notes_html(items: list[tuple[str, str]], css_class: str = "gz-finding") -> str:
    """A list of (name, text) pairs as escaped HTML, e.g. the plan-vs-boundary findings."""
    rows = "".join(f"<li><b>{html_text(name)}</b>：{html_text(text)}</li>" for name, text in items)
    return f'<ul class="{css_class}">{rows}</ul>'
