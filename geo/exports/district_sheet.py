"""A district's sheet: what the plans assign to one district (geo.data.assignments), written out in
one language, one row per assignment.

The groups, their order (from the registry's table_order) and why each entry is listed are the
district query's (geo.data.assignments); this module writes them: names, roles, responsible
units, the period, the basis, whether the map shows it, and the sources by short title, year and
section with the quotes for whoever wants them. A place that is several things (an axis node
standing on a park that is also a core's 片区) is one row with all its roles. A finding row shows
where the plans and the boundaries disagree, with its explanation (the entry's boundary_note) as
its basis: the same findings, by the same rule, as `python -m geo validate` (geo.data.model).

Row keys: each row has a `key`, `<group>:<id>` (e.g. `park:park-bio-island`,
`platform-national-lab:platform-guangzhou-lab`, `finding:park-bio-island`, `task:task-003-09`),
the group and the entry the row is about (for a place row the place, whose nodes ride along).
It holds no language and no position: it is the same on the zh and en sheets, unique within a
sheet, and unchanged when rows move or other entries are added, so a review can refer to it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypedDict

from geo.data.assignments import FINDING, GROUP_OF_KIND, Assignment, assignments
from geo.data.kinds import AXIS_NODE, KINDS, place_kinds
from geo.data.model import CheckedLayout
from geo.data.records import AxisNode, NodeList, Platform, Segment, Source, Task, sources_json
from geo.i18n import (
    Lang,
    Named,
    Roled,
    catalogue,
    colon,
    join,
    name,
    paren,
    role,
    scope_name,
    sep,
    t,
    tier_name,
)

COLUMNS = ("group", "name", "role", "lead_units", "supporting_units", "period", "basis", "placed", "sources",
           "quotes", "sources_json", "ids", "key", "revision")  # titles: sheet.col.<column>


class Listed(Named, Roled, Protocol):
    """What a row is about: a place, platform, segment or task (every entry but nodes and node lists)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def sources(self) -> tuple[Source, ...]: ...


ID_SEP = ", "  # between a row's entry ids: ASCII names, so one separator in either language


@dataclass(frozen=True)
class Row:
    key: str  # `<group>:<id>`, language-free and stable (module docstring)
    group: str  # a group key of geo.data.assignments
    ids: tuple[str, ...]
    name: str
    role: str  # the role(s), or the task's text, or what a finding says
    lead_units: str = ""
    supporting_units: str = ""
    period: str = ""  # tasks: the period of their document (003: 2019—2021; 004: 2021)
    basis: str = ""  # why it is on this district's sheet; a finding's explanation
    placed: str = ""  # on the map or not (places and platforms)
    sources: str = ""  # short title (year) · section; …
    quotes: str = ""
    sources_json: str = ""  # the same citations for programs: a JSON array of {doc, section, quote}
    sources_short: str = ""  # the same in a few characters, for print: 科创规划2021 专栏…
    docs: tuple[str, ...] = ()  # the documents cited
    revision: str = ""  # the data revision the row was made from, so that a copied row still says it

    def cells(self) -> dict[str, str]:
        """Column key -> text, in COLUMNS order."""
        return {c: ID_SEP.join(self.ids) if c == "ids" else getattr(self, c) for c in COLUMNS}


@dataclass(frozen=True)
class Sheet:
    district: str  # name_zh
    rows: tuple[Row, ...]
    lang: Lang
    district_label: str  # the district's name in `lang`
    revision: str  # the data revision it was made from (geo.data.model.CheckedLayout.revision)

    def group(self, key: str) -> list[Row]:
        return [r for r in self.rows if r.group == key]

    def counts(self) -> dict[str, int]:
        """Rows per group key, in sheet order."""
        return {g: len(self.group(g)) for g in dict.fromkeys(r.group for r in self.rows)}

    def title(self, key: str) -> str:
        """A group's title in the sheet's language."""
        return group_title(key, self.lang)

    def tab(self, key: str) -> str:
        """A group's name on a workbook's tab (at most 31 characters: Excel's limit)."""
        return group_tab(key, self.lang)

    def header(self, column: str) -> str:
        return t(f"sheet.col.{column}", self.lang)


def group_title(key: str, lang: Lang) -> str:
    """sheet.group.<key> in the catalogue; else a platform tier's or a registered kind's name."""
    if f"sheet.group.{key}" in catalogue():
        return t(f"sheet.group.{key}", lang)
    kind, _, tier = key.partition("-")
    return f"{name(KINDS[kind], lang)} · {tier_name(tier, lang)}" if tier else name(KINDS[kind], lang)


def group_tab(key: str, lang: Lang) -> str:
    """sheet.tab.<key>, a short name the catalogue gives a group whose title is too long for a
    workbook's tab; else the group's title."""
    return t(f"sheet.tab.{key}", lang) if f"sheet.tab.{key}" in catalogue() else group_title(key, lang)


class _Cited(TypedDict):
    """A row's sources columns (Row's fields of the same names)."""

    sources: str
    sources_short: str
    quotes: str
    sources_json: str
    docs: tuple[str, ...]


def _sources(checked: CheckedLayout, records: Sequence[Listed], lang: Lang) -> _Cited:
    cited: dict[Source, None] = {}  # each citation once, in order
    labels: list[str] = []
    short: list[str] = []
    quotes: list[str] = []
    for record in records:
        for s in record.sources:
            if s in cited:
                continue
            cited[s] = None
            for out, label in ((labels, f"{checked.document_label(s.doc, lang)} · {s.section}"),
                               (short, f"{checked.document_abbr(s.doc, lang)} {s.section}")):
                if label not in out:
                    out.append(label)
            quotes.append(f"“{s.quote}”")
    docs = tuple(dict.fromkeys(s.doc for record in records for s in record.sources))
    return {"sources": sep(lang).join(labels), "sources_short": sep(lang).join(short), "quotes": " ".join(quotes),
            "sources_json": sources_json(cited), "docs": docs}


def _basis(checked: CheckedLayout, a: Assignment, e: Listed, district: str, lang: Lang) -> str:
    """Why the row about `e` is on the sheet, in `lang` (geo.data.assignments.basis says which reason)."""
    if a.basis == FINDING:
        return checked.disagreement(e.id, lang)[1]
    if a.basis == "responsible":
        return t("sheet.basis.responsible", lang, district=checked.district_name(district, lang))
    if a.basis == "common" and isinstance(e, Task):
        return t("sheet.basis.common", lang, scope=scope_name(e.district_scope, lang))
    declared, where = checked.declared.get(e.id, ()), checked.located.get(e.id)
    text = t(f"sheet.basis.{a.basis}", lang, districts=join((checked.district_name(d, lang) for d in declared), lang),
             where=checked.district_name(where, lang) if where else t("sheet.basis.outside", lang))
    if isinstance(e, Platform) and e.basis == "inferred from order":  # its district a list's order gives
        text += paren(t("sheet.basis.inferred", lang), lang)
    return text


def _role(checked: CheckedLayout, a: Assignment, e: Listed, nodes: Iterable[AxisNode], lang: Lang) -> str:
    """What the row says: a finding's disagreement; a place's role as its kind, with each node
    standing on it and the node's segment roles; else the entry's or task's role."""
    if a.basis == FINDING:
        return checked.disagreement(e.id, lang)[0].strip()
    if e.kind not in place_kinds():
        return role(e, lang)
    roles = [name(KINDS[e.kind], lang) + colon(lang) + role(e, lang)]
    for n in nodes:
        roles.append(t("sheet.pole" if n.pole else "sheet.node", lang) + colon(lang) + role(n, lang))
        roles += [(name(seg, lang) if isinstance(seg := checked.entries.get(r.segment), Segment) else r.segment)
                  + colon(lang) + role(r, lang) for r in n.segment_roles]
    return sep(lang).join(roles)


def _period(checked: CheckedLayout, task: Task, lang: Lang) -> str:
    docs = [checked.documents.get(s.doc) for s in task.sources]
    return join(dict.fromkeys(d.period for d in docs if d is not None and d.period), lang)




def _row(checked: CheckedLayout, a: Assignment, district: str, lang: Lang) -> Row:
    e = checked.entries[a.ids[-1]]
    if isinstance(e, (AxisNode, NodeList)):  # the district query lists neither on a row of its own
        raise ValueError(f"sheet row {a.key}: a {e.kind} has no row of its own")
    nodes = [n for i in a.ids[:-1] if isinstance(n := checked.entries[i], AxisNode)]  # a place row's nodes
    row = Row(a.key, a.group, a.ids, name(e, lang), _role(checked, a, e, nodes, lang),
              basis=_basis(checked, a, e, district, lang), revision=checked.revision,
              **_sources(checked, [*nodes, e], lang))
    if isinstance(e, Task):
        units = lambda names: join((checked.unit_name(u, lang) for u in names), lang)  # noqa: E731
        return replace(row, lead_units=units(e.lead_units), supporting_units=units(e.supporting_units),
                       period=_period(checked, e, lang))
    if a.basis not in (FINDING, "declared"):  # a place or platform (a segment is a line, always drawn)
        return replace(row, placed=t("sheet.placed" if e.id in checked.geometries else "sheet.unplaced", lang))
    return row


def kinds_on_sheet(checked: CheckedLayout, sheet: Sheet) -> dict[str, list[Row]]:
    """Per kind of place (axis node, core, core area, park; in the registry's order), the sheet's
    rows about a place of that kind or a node standing on one. A row is under every kind it holds:
    a core with an axis node on it (its row in the axis-node group) is listed as a core too."""
    out: dict[str, list[Row]] = {k: [] for k in KINDS if k == AXIS_NODE or k in place_kinds()}
    for row in sheet.rows:
        if row.group == FINDING:  # a finding repeats a place listed above
            continue
        for kind in dict.fromkeys(checked.entries[i].kind for i in row.ids):
            if kind in out:
                out[kind].append(row)
    return {k: rows for k, rows in out.items() if rows}


def own_group(kind: str) -> str:
    """The group a kind's rows are in when no axis node stands on them (a core area: the cores')."""
    return GROUP_OF_KIND.get(kind, kind)


def summary_items(checked: CheckedLayout, sheet: Sheet) -> list[tuple[str, str]]:
    """What the sheet holds at a glance, as (term, text): each kind of place with its places (a
    place under every kind it is, with the group its row is in where that is another kind's),
    then the findings."""
    lang = sheet.lang
    items = []
    for kind, rows in kinds_on_sheet(checked, sheet).items():
        clusters = [join((r.name for r in rows if r.group == group), lang)
                    + ("" if group == own_group(kind) else t("sheet.web.see", lang, group=sheet.title(group)))
                    for group in dict.fromkeys(r.group for r in rows)]
        items.append((f"{name(KINDS[kind], lang)}{paren(str(len(rows)), lang)}", sep(lang).join(clusters)))
    if findings := sheet.group(FINDING):
        items.append((f"{sheet.title(FINDING)}{paren(str(len(findings)), lang)}",
                      join((r.name for r in findings), lang)))
    return items


def elsewhere_note(checked: CheckedLayout, sheet: Sheet, group: str) -> str:
    """Under a group's title: the places of the group's kind whose rows are in other groups (the
    cores standing under axis nodes), so that a reader does not think them missing; or ""."""
    lang = sheet.lang
    notes = []
    for kind, rows in kinds_on_sheet(checked, sheet).items():
        if own_group(kind) != group:
            continue
        for other in dict.fromkeys(r.group for r in rows if r.group != group):
            notes.append(t("sheet.web.also", lang, kind=name(KINDS[kind], lang), group=sheet.title(other),
                           names=join((r.name for r in rows if r.group == other), lang)))
    return sep(lang).join(notes)


def district_sheet(checked: CheckedLayout, district: str, *, lang: Lang) -> Sheet:
    """Everything the plans assign to `district` (its name_zh), written in `lang`."""
    rows = tuple(_row(checked, a, district, lang) for a in assignments(checked, district=district))
    return Sheet(district, rows, lang, checked.district_name(district, lang), checked.revision)
