"""What a user reads about one entry: the popup and the details panel, as escaped HTML.

Read at a glance (a popup is a 380 px box): the name once, what and where it is, its role and
platforms, and findings; its other names, its counts in the platform system, the sources with
their quotes, the working notes and how the point was placed sit in collapsed parts.
Every string from the data goes through `geo.safe.html_text`.
"""
from __future__ import annotations

from collections import defaultdict

from geo.data.kinds import AXIS_NODE, KINDS, PLATFORM
from geo.data.model import CheckedLayout, Finding
from geo.data.records import TIERS, NodeList
from geo.i18n import Lang, colon, join, name, paren, t, tier_name
from geo.safe import html_text

# Shared by the map's popups and the app's details panel.
DETAILS_CSS = """
.gz-details{font:13px/1.5 sans-serif;max-width:360px}
.gz-name{font-size:15px;font-weight:bold}.gz-meta{color:#555;font-size:12px;margin-bottom:4px}
.gz-name-en{color:#555}.gz-label{color:#777;font-weight:bold}.gz-quote{color:#444}.gz-aka{color:#555}
.gz-finding{background:#fff3cd;border-left:3px solid #e0a800;padding:2px 6px;margin:4px 0}
.gz-platforms,.gz-sources{margin:2px 0 2px 18px;padding:0}
.gz-details ul,.gz-details ol,.gz-details li{font-size:inherit;line-height:inherit}
.gz-details details{margin:3px 0}.gz-details summary{cursor:pointer;color:#555}
.gz-prov{color:#555;font-size:12px}.gz-more>summary{font-weight:bold}
.gz-group{font:13px/1.5 sans-serif}.gz-group .gz-details>.gz-name,.gz-group .gz-kind{display:none}
"""


def platforms_by_tier(checked: CheckedLayout, entry) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for p in checked.platforms_of(entry):
        out[p.tier].append(p)
    return {t: out[t] for t in TIERS if out.get(t)}


def entry_name(checked: CheckedLayout, entry_id: str, *, lang: Lang) -> str:
    """The name of the entry `entry_id` in `lang`; its id where there is no such entry or it has
    no name (a document's node list)."""
    e = checked.entries.get(entry_id)
    return entry_id if e is None or isinstance(e, NodeList) else name(e, lang)


def _row(label: str, value_html: str) -> str:
    return f'<div class="gz-row"><span class="gz-label">{html_text(label)}</span> {value_html}</div>'


def _collapsed(summary: str, body_html: str, css_class: str = "") -> str:
    return f'<details class="{css_class}"><summary>{html_text(summary)}</summary>{body_html}</details>'


def as_printed(text: str, lang: Lang) -> str:
    """Text that exists only in Chinese (quotes, sections, notes): escaped, and marked as Chinese
    on English pages so screen readers and the translation check know it is meant to be."""
    return html_text(text) if lang == "zh" else f'<span lang="zh-CN">{html_text(text)}</span>'


def role_html(entry, lang: Lang) -> str:
    """An entry's role in `lang`; in English, the Chinese where no translation exists."""
    translated = getattr(entry, "role_en", None)
    return html_text(translated) if lang == "en" and translated else as_printed(entry.role_zh, lang)


def source_html(checked: CheckedLayout, src, *, lang: Lang) -> str:
    """《short title》（year） · section, and the quote below it (the list is collapsed already)."""
    return (f"<li>{html_text(checked.document_label(src.doc, lang))} · {as_printed(src.section, lang)}"
            f'<div class="gz-quote" lang="zh-CN">“{html_text(src.quote)}”</div></li>')


def finding_html(checked: CheckedLayout, finding: Finding, entry, lang: Lang) -> str:
    """What the finding says, and its explanation; named when it is the finding of the place the
    entry inherits its district from (a platform at 生物岛 shows park-bio-island's)."""
    text, note = checked.disagreement(finding.entry_id, lang)
    about = "" if finding.entry_id == entry.id else entry_name(checked, finding.entry_id, lang=lang) + colon(lang)
    return html_text(about + text) + as_printed(note, lang)


def details_html(checked: CheckedLayout, entry, kind_label: str = "", *, lang: Lang) -> str:
    """The popup and the details panel: the name once, a line of what and where it is, the role
    and platforms; its other names, the sources with their quotes, the notes and how the point was
    placed one click away (a popup is read in a 380 px box)."""
    entries = checked.entries
    declared = checked.declared.get(entry.id, ())
    where = checked.located.get(entry.id)
    # The map's label of the kind names a platform's tier already ("平台 · 国家实验室").
    kind = kind_label or " · ".join([name(KINDS[entry.kind], lang),
                                     *([tier_name(entry.tier, lang)] if entry.kind == PLATFORM else [])])
    where_list = [join((checked.district_name(d, lang) for d in declared), lang)] if declared else []
    if where and where not in declared:
        where_list.append(t("details.located", lang) + colon(lang) + checked.district_name(where, lang))
    # In a popup for several entries the kind heads each entry's part already (gzmap.js): hidden there.
    meta = f'<span class="gz-kind">{html_text(kind)}{" · " if where_list else ""}</span>{html_text(" · ".join(where_list))}'
    parts = [f'<div class="gz-details" data-id="{html_text(entry.id)}">',
             f'<div class="gz-name">{html_text(name(entry, lang))}</div>',
             f'<div class="gz-meta">{meta}</div>',
             _row(t("details.role", lang), role_html(entry, lang))]
    for role in getattr(entry, "segment_roles", ()):
        parts.append(_row(entry_name(checked, role.segment, lang=lang), role_html(role, lang)))
    place_id = getattr(entry, "place", None)
    place = None if place_id is None else entries.get(place_id)
    if place is not None:  # an axis node: what the core or park it stands on is for
        parts.append(_row(t("details.place_role", lang), role_html(place, lang)))
    if entry.kind == PLATFORM:
        names = [entry_name(checked, r, lang=lang) for r in entry.places if r in entries]
        if names:
            parts.append(_row(t("details.at", lang), html_text(join(names, lang))))
    tiers = platforms_by_tier(checked, entry)
    if tiers:
        items = "".join(f"<li><b>{html_text(tier_name(k, lang))}</b>{colon(lang)}"
                        f"{html_text(join((name(p, lang) for p in ps), lang))}</li>" for k, ps in tiers.items())
        parts.append(_row(t("details.platforms", lang), f'<ul class="gz-platforms">{items}</ul>'))
    if zone := getattr(entry, "parts", ()):  # a zone of several parts: each named, placed or not
        named = (name(p, lang) + ("" if p.location else paren(t("details.part_unplaced", lang), lang)) for p in zone)
        parts.append(_row(t("details.parts", lang), html_text(join(named, lang))))
    for finding in checked.findings_for(entry):
        parts.append(f'<div class="gz-finding">⚠ {html_text(t("details.finding", lang))}{colon(lang)}'
                     f'{finding_html(checked, finding, entry, lang)}</div>')
    parts.append(_collapsed(t("details.names", lang), names_html(entry, lang), "gz-more"))
    if entry.kind == PLATFORM and (readings := checked.systems_of(entry)):
        counted = (t("details.counted_as", lang, doc=checked.document_label(s.doc, lang), system=system_name(s, lang))
                   for s in readings)
        listed = "".join(f"<li>{html_text(c)}</li>" for c in counted)
        parts.append(_collapsed(t("details.system", lang) + paren(str(len(readings)), lang),
                                f'<ul class="gz-sources">{listed}</ul>', "gz-more"))
    sources = "".join(source_html(checked, s, lang=lang) for s in entry.sources)
    parts.append(_collapsed(t("details.sources", lang) + paren(str(len(entry.sources)), lang),
                            f'<ol class="gz-sources">{sources}</ol>', "gz-more"))
    notes = [n for n in (getattr(entry, "notes", None), getattr(place, "notes", None)) if n]
    if notes:
        parts.append(_collapsed(t("details.notes", lang), "".join(f"<div>{as_printed(n, lang)}</div>" for n in notes),
                                "gz-prov"))
    loc = checked.points.get(entry.id)
    if loc is not None:
        inherited = entry.kind in (PLATFORM, AXIS_NODE) and getattr(entry, "location", None) is None
        precision = t("details.precision", lang, metres=f"{loc.precision_m:,.0f}")
        body = (f"<div>{html_text(precision)}{html_text(t('details.inherited', lang)) if inherited else ''}</div>"
                f"<div>{as_printed(loc.method, lang)}</div>")
        parts.append(_collapsed(t("details.location", lang), body, "gz-prov"))
    parts.append("</div>")
    return "".join(parts)


def names_html(entry, lang: Lang) -> str:
    """The name in the other language (Chinese readers see the English, English readers the
    Chinese a Guangzhou colleague would search for) and the documents' other spellings."""
    other = (f'<div class="gz-name-en">{html_text(entry.name_en)}</div>' if lang == "zh" else
             f'<div class="gz-name-en" lang="zh-CN">{html_text(entry.name_zh)}</div>')
    aliases = [a for a in getattr(entry, "aliases", ()) if a != entry.name_zh]
    return other + (_row(t("details.aliases", lang), f'<span class="gz-aka">{as_printed("、".join(aliases), lang)}</span>')
                    if aliases else "")


def system_name(system, lang: Lang) -> str:
    """A reading of the platform system by its count alone: “1+2+4+4+N”."""
    return name(system, lang).split("（")[0].split(" (")[0]


def notes_html(items: list[tuple[str, str, str]], *, lang: Lang, css_class: str = "gz-finding") -> str:
    """(name, text, note) triples as an escaped list, e.g. the plan-vs-boundary findings; the note
    is as written in the data (Chinese)."""
    rows = "".join(f"<li><b>{html_text(label)}</b>{colon(lang)}{html_text(text)}{as_printed(note, lang)}</li>"
                   for label, text, note in items)
    return f'<ul class="{css_class}">{rows}</ul>'
