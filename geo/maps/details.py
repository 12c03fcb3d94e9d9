"""What a user reads about one entry: the popup and the details panel, as escaped HTML.

The main text is what the plans say (names, role, platforms, sources by short title, year and
section); the quotes, the working notes and how the point was placed sit in collapsed parts.
Every string from the data goes through `geo.safe.html_text`, which also makes it inert for
the Jinja pass folium runs over popup HTML and for the JavaScript template literal around it.
"""
from __future__ import annotations

from collections import defaultdict

from geo.data.model import CheckedLayout
from geo.data.records import TIERS
from geo.safe import html_text

# Shared by the map's popups and the app's details panel.
DETAILS_CSS = """
.gz-details{font:13px/1.5 sans-serif;max-width:360px}
.gz-name{font-size:15px;font-weight:bold}.gz-name-en{color:#555;margin-bottom:4px}
.gz-label{color:#777;font-weight:bold}.gz-quote{color:#444}.gz-aka{color:#555}
.gz-finding{background:#fff3cd;border-left:3px solid #e0a800;padding:2px 6px;margin:4px 0}
.gz-platforms,.gz-sources{margin:2px 0 2px 18px;padding:0}
.gz-details details{margin:3px 0}.gz-details summary{cursor:pointer;color:#555}
.gz-prov{color:#555;font-size:12px}
"""


def platforms_by_tier(checked: CheckedLayout, entry) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for p in checked.platforms_of(entry):
        out[p.tier].append(p)
    return {t: out[t] for t in TIERS if out.get(t)}


def _row(label: str, value_html: str) -> str:
    return f'<div class="gz-row"><span class="gz-label">{html_text(label)}</span> {value_html}</div>'


def _collapsed(summary: str, body_html: str, css_class: str = "") -> str:
    return f'<details class="{css_class}"><summary>{html_text(summary)}</summary>{body_html}</details>'


def source_html(checked: CheckedLayout, src) -> str:
    """《short title》（year） · section, with the quote on demand."""
    return (f"<li>{html_text(checked.document_label(src.doc))} · {html_text(src.section)}"
            + _collapsed("原文", f'<span class="gz-quote">“{html_text(src.quote)}”</span>') + "</li>")


def details_html(checked: CheckedLayout, entry, kind_zh: str = "") -> str:
    entries = checked.entries
    parts = [f'<div class="gz-details" data-id="{html_text(entry.id)}">',
             f'<div class="gz-name">{html_text(entry.name_zh)}</div>',
             f'<div class="gz-name-en">{html_text(entry.name_en)}</div>']
    aliases = [a for a in getattr(entry, "aliases", ()) if a != entry.name_zh]
    if aliases:
        parts.append(_row("又称", f'<span class="gz-aka">{html_text("、".join(aliases))}</span>'))
    parts.append(_row("类别", html_text(kind_zh or checked.kind_zh(entry))))
    declared = checked.declared.get(entry.id, ())
    if declared:
        parts.append(_row("所属区", html_text("、".join(declared))))
    where = checked.located.get(entry.id)
    if where and where not in declared:
        parts.append(_row("图上落位", html_text(where)))
    parts.append(_row("定位", html_text(entry.role_zh)))
    for role in getattr(entry, "segment_roles", ()):
        segment = entries.get(role.segment)
        parts.append(_row(f"{segment.name_zh if segment else role.segment}", html_text(role.role_zh)))
    place = entries.get(getattr(entry, "place", None))
    if place is not None:  # an axis node: what the core or park it stands on is for
        parts.append(_row("载体定位", html_text(place.role_zh)))
    if entry.kind == "platform":
        parts.append(_row("层级", html_text(TIERS[entry.tier][0])))
        names = [entries[r].name_zh for r in entry.places if r in entries]
        if names:
            parts.append(_row("所在载体", html_text("、".join(names))))
        readings = [f"{checked.document_label(s.doc)}计入{s.name_zh.split('（')[0]}" for s in checked.systems_of(entry)]
        if readings:
            parts.append(_row("平台体系", html_text("；".join(readings))))
    tiers = platforms_by_tier(checked, entry)
    if tiers:
        items = "".join(f"<li><b>{html_text(TIERS[t][0])}</b>：{html_text('、'.join(p.name_zh for p in ps))}</li>"
                        for t, ps in tiers.items())
        parts.append(_row("平台", f'<ul class="gz-platforms">{items}</ul>'))
    for finding in checked.findings_for(entry):
        parts.append(f'<div class="gz-finding">⚠ 规划与边界不一致：{html_text(finding.message)}</div>')
    sources = "".join(source_html(checked, s) for s in entry.sources)
    parts.append(_row("来源", f'<ol class="gz-sources">{sources}</ol>'))
    notes = [n for n in (getattr(entry, "notes", None), getattr(place, "notes", None)) if n]
    if notes:
        parts.append(_collapsed("数据说明", "".join(f"<div>{html_text(n)}</div>" for n in notes), "gz-prov"))
    loc = checked.points.get(entry.id)
    if loc is not None:
        inherited = entry.kind in ("platform", "axis_node") and getattr(entry, "location", None) is None
        body = (f"<div>精度：±{loc.precision_m:,.0f} 米{'（取所在载体的点位）' if inherited else ''}</div>"
                f"<div>{html_text(loc.method)}</div>")
        parts.append(_collapsed("位置来源与精度", body, "gz-prov"))
    parts.append("</div>")
    return "".join(parts)


def notes_html(items: list[tuple[str, str]], css_class: str = "gz-finding") -> str:
    """A list of (name, text) pairs as escaped HTML, e.g. the plan-vs-boundary findings."""
    rows = "".join(f"<li><b>{html_text(name)}</b>：{html_text(text)}</li>" for name, text in items)
    return f'<ul class="{css_class}">{rows}</ul>'
