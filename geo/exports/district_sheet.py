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

GROUPS = ("一轴分段", "一轴节点", "创新核与片区", "多点园区", *(f"平台 · {zh}" for zh, _ in TIERS.values()),
          "本区任务", "各区共同任务", "规划与边界不一致")
COLUMNS = ("分组", "名称", "定位/任务", "牵头单位", "配合单位", "期限", "依据", "上图", "来源", "原文", "编号")


@dataclass(frozen=True)
class Row:
    group: str
    ids: tuple[str, ...]
    name_zh: str
    role: str  # the role(s), or the task's text
    lead_units: str = ""
    supporting_units: str = ""
    period: str = ""  # tasks: the period of their document (003: 2019—2021; 004: 2021)
    basis: str = ""  # why it is on this district's sheet
    placed: str = ""  # 已上图 / 未上图 (places and platforms)
    sources: str = ""  # short title (year) · section; …
    quotes: str = ""
    sources_short: str = ""  # the same in a few characters, for print: 科创规划2021 专栏…
    docs: tuple[str, ...] = ()  # the documents cited

    def cells(self) -> dict[str, str]:
        return dict(zip(COLUMNS, (self.group, self.name_zh, self.role, self.lead_units, self.supporting_units,
                                  self.period, self.basis, self.placed, self.sources, self.quotes,
                                  "、".join(self.ids))))


@dataclass(frozen=True)
class Sheet:
    district: str
    rows: tuple[Row, ...]

    def group(self, name: str) -> list[Row]:
        return [r for r in self.rows if r.group == name]

    def counts(self) -> dict[str, int]:
        """Rows per group, in sheet order."""
        return {g: len(self.group(g)) for g in dict.fromkeys(r.group for r in self.rows)}


def _sources(checked: CheckedLayout, records) -> dict[str, str]:
    seen, labels, short, quotes = set(), [], [], []
    for record in records:
        for s in record.sources:
            if (s.doc, s.section, s.quote) in seen:
                continue
            seen.add((s.doc, s.section, s.quote))
            for out, label in ((labels, f"{checked.document_label(s.doc)} · {s.section}"),
                               (short, f"{checked.document_abbr(s.doc)} {s.section}")):
                if label not in out:
                    out.append(label)
            quotes.append(f"“{s.quote}”")
    docs = tuple(dict.fromkeys(s.doc for record in records for s in record.sources))
    return {"sources": "；".join(labels), "sources_short": "；".join(short), "quotes": " ".join(quotes),
            "docs": docs}


def _basis(declared: tuple[str, ...], district: str, where: str | None) -> str:
    if district in declared and where in (district, None):
        return "规划所属" + ("，图上亦在本区" if where else "（未上图）")
    if district in declared and where in declared:
        return f"规划所属（跨{'、'.join(declared)}），点位在{where}"
    if district in declared:
        return f"规划所属，图上落在{where or '区外'}"
    if not declared:
        return "图上在本区（规划未写明所属区）"
    return f"图上在本区，规划属{'、'.join(declared)}"


def _where(checked: CheckedLayout, e, district: str) -> dict[str, str]:
    """Why a place or platform is on the sheet, and whether the map shows it."""
    return {"basis": _basis(checked.declared.get(e.id, ()), district, checked.located.get(e.id)),
            "placed": "已上图" if e.id in checked.geometries else "未上图"}


def _in(checked: CheckedLayout, e, district: str) -> bool:
    return district in checked.declared.get(e.id, ()) or checked.located.get(e.id) == district


def _period(checked: CheckedLayout, task) -> str:
    docs = [checked.documents.get(s.doc) for s in task.sources]
    return "、".join(dict.fromkeys(d.period for d in docs if d is not None and d.period))


def district_sheet(checked: CheckedLayout, district: str) -> Sheet:
    entries = checked.entries
    rows: list[Row] = []

    def add(group: str, records: list, role: str, **extra) -> None:
        rows.append(Row(group, tuple(r.id for r in records), records[-1].name_zh, role,
                        **_sources(checked, records), **extra))

    for seg in checked.of_kind("segment"):
        if district in seg.district:
            add("一轴分段", [seg], seg.role_zh, basis="规划所属")
    # Places, each once: a node with the core or park it stands on.
    nodes_at = {}
    for node in checked.of_kind("axis_node"):
        nodes_at.setdefault(node.place, []).append(node)
    for kind, group in (("core", "创新核与片区"), ("core_area", "创新核与片区"), ("park", "多点园区")):
        for place in checked.of_kind(kind):
            if not _in(checked, place, district):
                continue
            nodes = nodes_at.get(place.id, [])
            roles = [f"{KINDS[kind].name_zh}：{place.role_zh}"]
            for n in nodes:
                roles.append(f"一轴{'极点' if n.pole else '节点'}：{n.role_zh}")
                roles += [f"{entries[r.segment].name_zh if r.segment in entries else r.segment}：{r.role_zh}"
                          for r in n.segment_roles]
            add("一轴节点" if nodes else group, [*nodes, place], "；".join(roles), **_where(checked, place, district))
    for tier, (zh, _) in TIERS.items():
        for p in checked.of_kind("platform"):
            if p.tier == tier and _in(checked, p, district):
                where = _where(checked, p, district)
                if p.basis == "inferred from order":
                    where["basis"] += "（所属区按任务清单顺序推定）"
                add(f"平台 · {zh}", [p], p.role_zh, **where)
    # Any other kind the registry lists in district tables, under its own name.
    handled = {"segment", "axis_node", "core", "core_area", "park", "platform", "task"}
    for key in (k for k in table_kinds() if k not in handled):
        for e in checked.of_kind(key):
            if _in(checked, e, district):
                add(KINDS[key].name_zh, [e], e.role_zh, **_where(checked, e, district))
    for t in checked.of_kind("task"):
        common = t.district_scope in SCOPES
        if district in t.districts or common:
            add("各区共同任务" if common else "本区任务", [t], t.role_zh,
                lead_units="、".join(t.lead_units), supporting_units="、".join(t.supporting_units),
                period=_period(checked, t), basis=f"责任单位含{SCOPES[t.district_scope]}" if common
                else f"责任单位含{district}政府")
    for e in entries.values():
        declared, where = checked.declared.get(e.id, ()), checked.located.get(e.id)
        if e.kind in ("segment", "axis_node", "task") or where is None or not declared or where in declared:
            continue
        if district in declared:
            add("规划与边界不一致", [e], f"规划所属{'、'.join(declared)}，点位落在{where}",
                basis=getattr(e, "boundary_note", None) or "")
        elif where == district:
            add("规划与边界不一致", [e], f"点位在本区，规划属{'、'.join(declared)}",
                basis=getattr(e, "boundary_note", None) or "")
    order = {g: i for i, g in enumerate(GROUPS)}
    before_tasks = GROUPS.index("本区任务") - 0.5  # a registered kind of its own goes before the tasks
    return Sheet(district, tuple(sorted(rows, key=lambda r: order.get(r.group, before_tasks))))
