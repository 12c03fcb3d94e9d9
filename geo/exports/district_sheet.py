"""A district's sheet: everything the plans assign to one district, grouped, one row per place.

Groups, in order: the axis segment(s) through the district with the role the plan gives; axis
nodes; cores (wholly or partly in it) and their 片区; parks; platforms by tier, placed on the map
or not; tasks that name the district's government; tasks for all (or all relevant) district
governments, counted apart; and the findings, where plans and boundaries disagree.

A place that is several things (an axis node standing on a park that is also a core's 片区) is one
row with all its roles. An entry is on the sheet when the plans declare it in the district or its
point lies in the district's polygon; `basis` says which. Every row carries its sources by short
title, year and section, and the quotes for whoever wants them.
"""
from __future__ import annotations

from dataclasses import dataclass

from geo.data.kinds import KINDS, table_kinds
from geo.data.model import CheckedLayout
from geo.data.records import SCOPES, TIERS
from geo.i18n import Lang, colon, join, name, paren, role, sep, t, tier_name

# Groups in sheet order, by key; their titles are sheet.group.<key> in geo/ui_strings.yaml, or the
# platform kind and tier ("platform-<tier>"), or a registered kind's own name.
GROUPS = ("segment", "axis_node", "core", "park", *(f"platform-{tier}" for tier in TIERS),
          "task", "common_task", "finding")
COLUMNS = ("group", "name", "role", "lead_units", "supporting_units", "period", "basis", "placed", "sources",
           "quotes", "ids")  # titles: sheet.col.<column>


@dataclass(frozen=True)
class Row:
    group: str  # a key of GROUPS (or a registered kind's key)
    ids: tuple[str, ...]
    name: str
    role: str  # the role(s), or the task's text
    lead_units: str = ""
    supporting_units: str = ""
    period: str = ""  # tasks: the period of their document (003: 2019—2021; 004: 2021)
    basis: str = ""  # why it is on this district's sheet
    placed: str = ""  # on the map or not (places and platforms)
    sources: str = ""  # short title (year) · section; …
    quotes: str = ""
    sources_short: str = ""  # the same in a few characters, for print: 科创规划2021 专栏…
    docs: tuple[str, ...] = ()  # the documents cited

    def cells(self) -> dict[str, str]:
        """Column key -> text, in COLUMNS order."""
        return {c: "、".join(self.ids) if c == "ids" else getattr(self, c) for c in COLUMNS}


@dataclass(frozen=True)
class Sheet:
    district: str  # name_zh
    rows: tuple[Row, ...]
    lang: Lang = "zh"
    district_label: str = ""  # the district's name in `lang`

    def group(self, key: str) -> list[Row]:
        return [r for r in self.rows if r.group == key]

    def counts(self) -> dict[str, int]:
        """Rows per group key, in sheet order."""
        return {g: len(self.group(g)) for g in dict.fromkeys(r.group for r in self.rows)}

    def title(self, key: str) -> str:
        """A group's title in the sheet's language."""
        return group_title(key, self.lang)

    def header(self, column: str) -> str:
        return t(f"sheet.col.{column}", self.lang)


def group_title(key: str, lang: Lang) -> str:
    if key.startswith("platform-"):
        return f"{name(KINDS['platform'], lang)} · {tier_name(key.removeprefix('platform-'), lang)}"
    if key in KINDS and key not in GROUPS:
        return name(KINDS[key], lang)
    return t(f"sheet.group.{key}", lang)


def _sources(checked: CheckedLayout, records, lang: Lang) -> dict[str, str]:
    seen, labels, short, quotes = set(), [], [], []
    for record in records:
        for s in record.sources:
            if (s.doc, s.section, s.quote) in seen:
                continue
            seen.add((s.doc, s.section, s.quote))
            for out, label in ((labels, f"{checked.document_label(s.doc, lang)} · {s.section}"),
                               (short, f"{checked.document_abbr(s.doc, lang)} {s.section}")):
                if label not in out:
                    out.append(label)
            quotes.append(f"“{s.quote}”")
    docs = tuple(dict.fromkeys(s.doc for record in records for s in record.sources))
    return {"sources": sep(lang).join(labels), "sources_short": sep(lang).join(short), "quotes": " ".join(quotes),
            "docs": docs}


def _basis(checked: CheckedLayout, declared: tuple[str, ...], district: str, where: str | None, lang: Lang) -> str:
    names = join((checked.district_name(d, lang) for d in declared), lang)
    at = checked.district_name(where, lang) if where else None
    if district in declared and where in (district, None):
        return t("sheet.basis.declared_here" if where else "sheet.basis.declared_unplaced", lang)
    if district in declared and where in declared:
        return t("sheet.basis.declared_across", lang, districts=names, where=at)
    if district in declared:
        return t("sheet.basis.declared_elsewhere", lang, where=at or t("sheet.basis.outside", lang))
    if not declared:
        return t("sheet.basis.located_undeclared", lang)
    return t("sheet.basis.located_declared_other", lang, districts=names)


def _where(checked: CheckedLayout, e, district: str, lang: Lang) -> dict[str, str]:
    """Why a place or platform is on the sheet, and whether the map shows it."""
    return {"basis": _basis(checked, checked.declared.get(e.id, ()), district, checked.located.get(e.id), lang),
            "placed": t("sheet.placed" if e.id in checked.geometries else "sheet.unplaced", lang)}


def _in(checked: CheckedLayout, e, district: str) -> bool:
    return district in checked.declared.get(e.id, ()) or checked.located.get(e.id) == district


def _period(checked: CheckedLayout, task) -> str:
    docs = [checked.documents.get(s.doc) for s in task.sources]
    return "、".join(dict.fromkeys(d.period for d in docs if d is not None and d.period))


def district_sheet(checked: CheckedLayout, district: str, lang: Lang = "zh") -> Sheet:
    """Everything the plans assign to `district` (its name_zh), written in `lang`."""
    entries = checked.entries
    rows: list[Row] = []

    def add(group: str, records: list, text: str, **extra) -> None:
        rows.append(Row(group, tuple(r.id for r in records), name(records[-1], lang), text,
                        **_sources(checked, records, lang), **extra))

    for seg in checked.of_kind("segment"):
        if district in seg.district:
            add("segment", [seg], role(seg, lang), basis=t("sheet.basis.declared", lang))
    # Places, each once: a node with the core or park it stands on.
    nodes_at = {}
    for node in checked.of_kind("axis_node"):
        nodes_at.setdefault(node.place, []).append(node)
    for kind, group in (("core", "core"), ("core_area", "core"), ("park", "park")):
        for place in checked.of_kind(kind):
            if not _in(checked, place, district):
                continue
            nodes = nodes_at.get(place.id, [])
            roles = [name(KINDS[kind], lang) + colon(lang) + role(place, lang)]
            for n in nodes:
                roles.append(t("sheet.pole" if n.pole else "sheet.node", lang) + colon(lang) + role(n, lang))
                roles += [(name(entries[r.segment], lang) if r.segment in entries else r.segment) + colon(lang)
                          + role(r, lang) for r in n.segment_roles]
            add("axis_node" if nodes else group, [*nodes, place], sep(lang).join(roles),
                **_where(checked, place, district, lang))
    for tier in TIERS:
        for p in checked.of_kind("platform"):
            if p.tier == tier and _in(checked, p, district):
                where = _where(checked, p, district, lang)
                if p.basis == "inferred from order":
                    where["basis"] += paren(t("sheet.basis.inferred", lang), lang)
                add(f"platform-{tier}", [p], role(p, lang), **where)
    # Any other kind the registry lists in district tables, under its own name.
    handled = {"segment", "axis_node", "core", "core_area", "park", "platform", "task"}
    for key in (k for k in table_kinds() if k not in handled):
        for e in checked.of_kind(key):
            if _in(checked, e, district):
                add(key, [e], role(e, lang), **_where(checked, e, district, lang))
    units = lambda names: join((checked.unit_name(u, lang) for u in names), lang)  # noqa: E731
    for task in checked.of_kind("task"):
        common = task.district_scope in SCOPES
        if district in task.districts or common:
            scope = SCOPES[task.district_scope][0 if lang == "zh" else 1] if common else None
            add("common_task" if common else "task", [task], role(task, lang),
                lead_units=units(task.lead_units), supporting_units=units(task.supporting_units),
                period=_period(checked, task),
                basis=t("sheet.basis.common", lang, scope=scope) if common
                else t("sheet.basis.task", lang, district=checked.district_name(district, lang)))
    for e in entries.values():
        declared, where = checked.declared.get(e.id, ()), checked.located.get(e.id)
        if e.kind in ("segment", "axis_node", "task") or where is None or not declared or where in declared:
            continue
        if district in declared or where == district:
            text, note = checked.disagreement(e.id, lang)
            add("finding", [e], text.strip(), basis=note)
    order = {g: i for i, g in enumerate(GROUPS)}
    before_tasks = GROUPS.index("task") - 0.5  # a registered kind of its own goes before the tasks
    return Sheet(district, tuple(sorted(rows, key=lambda r: order.get(r.group, before_tasks))), lang,
                 checked.district_name(district, lang))
