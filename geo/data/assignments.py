"""What the plans assign to one district, before any language or format: which entries are on its
sheet, in which group, and why (geo.exports.district_sheet writes it out).

Groups, in sheet order by the registry's `Kind.table_order` (geo.data.kinds): each listed kind's
group at its kind's place, except that core areas join the cores' group and axis nodes ride on
the core or park they stand on (a place that is several things is one row, in the axis-node group
when a node stands on it); platforms one group per tier, in tier order, within the platform
kind's place; the tasks for all (or all relevant) district governments right after the tasks
naming the district; the findings (geo.data.model's one rule) last.

An entry is listed when the plans declare it in the district or its point lies in the district's
polygon; its basis says which. A row's key, `<group>:<id>`, names the group and the entry the row
is about (the place for a place row, else its one entry or task): no language in it, and no
position, so it survives re-ordering, translation and edits to other entries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from geo.data.kinds import (
    AXIS_NODE,
    CORE,
    CORE_AREA,
    KINDS,
    PLATFORM,
    SEGMENT,
    TASK,
    place_kinds,
    table_kinds,
)
from geo.data.model import CheckedLayout
from geo.data.records import SCOPES, TIERS, AxisNode, Entry, Platform, Segment, Task

COMMON_TASK = "common_task"  # tasks for all (or all relevant) district governments
FINDING = "finding"  # plans and boundaries disagree
GROUP_OF_KIND = {CORE_AREA: CORE}  # kinds listed in another kind's group


@dataclass(frozen=True)
class Assignment:
    """One row of a district's sheet, language-free."""

    group: str  # a kind's key, f"{PLATFORM}-<tier>", COMMON_TASK or FINDING
    ids: tuple[str, ...]  # a place row: the nodes standing on it, then the place; else one entry or task
    basis: str  # why it is listed: a key of sheet.basis.* (geo/ui_strings.yaml), or FINDING

    @property
    def key(self) -> str:
        return f"{self.group}:{self.ids[-1]}"


def group_rank(group: str) -> tuple[float, int]:
    """A group's place on a sheet, derived from its kind's table_order (module docstring)."""
    if group == FINDING:
        return math.inf, 0
    if group == COMMON_TASK:
        return KINDS[TASK].table_order or 0, 1
    kind, _, tier = group.partition("-")
    return KINDS[kind].table_order or 0, list(TIERS).index(tier) if tier else 0


def basis(checked: CheckedLayout, entry_id: str, district: str) -> str:
    """Why a place or platform is on `district`'s sheet, from its declared and located districts."""
    declared, where = checked.declared.get(entry_id, ()), checked.located.get(entry_id)
    if district in declared and where in (district, None):
        return "declared_here" if where else "declared_unplaced"
    if district in declared:
        return "declared_across" if where in declared else "declared_elsewhere"
    return "located_declared_other" if declared else "located_undeclared"


def _listed(checked: CheckedLayout, entry_id: str, district: str) -> bool:
    return district in checked.declared.get(entry_id, ()) or checked.located.get(entry_id) == district


def _group(entry: Entry, nodes: list[str]) -> str:
    if isinstance(entry, Platform):
        return f"{PLATFORM}-{entry.tier}"
    return AXIS_NODE if nodes else GROUP_OF_KIND.get(entry.kind, entry.kind)


def assignments(checked: CheckedLayout, *, district: str) -> list[Assignment]:
    """Everything the plans assign to `district` (its name_zh), in sheet order."""
    out: list[Assignment] = []
    nodes_at: dict[str, list[str]] = {}
    for node in checked.of_kind(AXIS_NODE, AxisNode):
        nodes_at.setdefault(node.place, []).append(node.id)
    places = set(place_kinds())
    for kind in table_kinds():
        if kind == AXIS_NODE:  # on the rows of their places
            continue
        for e in checked.of_kind(kind):
            if isinstance(e, Segment):
                if district in e.district:
                    out.append(Assignment(SEGMENT, (e.id,), "declared"))
            elif isinstance(e, Task):
                if e.district_scope in SCOPES:
                    out.append(Assignment(COMMON_TASK, (e.id,), "common"))
                elif district in e.districts:
                    out.append(Assignment(TASK, (e.id,), "responsible"))
            elif _listed(checked, e.id, district):
                nodes = nodes_at.get(e.id, []) if kind in places else []
                out.append(Assignment(_group(e, nodes), (*nodes, e.id), basis(checked, e.id, district)))
    out += [Assignment(FINDING, (f.entry_id,), FINDING) for f in checked.findings_in(district)]
    return sorted(out, key=lambda a: group_rank(a.group))
