"""What the plans assign to one district, and where plans and boundaries disagree.

An entry belongs to a district when the plans declare it there, or when its point lies in the
district's polygon; the table says which, so a district officer sees both readings.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from geo.data.kinds import KINDS, table_kinds
from geo.data.model import CheckedLayout
from geo.data.records import SCOPES, Source
from geo.safe import sheet_cell


@dataclass(frozen=True)
class Assignment:
    kind_zh: str
    id: str
    name_zh: str
    role_zh: str
    basis_zh: str  # why it is on this district's list, in words
    disagrees: bool  # it lies in a district the plans do not declare for it
    sources: tuple[Source, ...]
    scope: str = ""  # tasks: named | all | relevant (shared by every district)

    @property
    def city_wide(self) -> bool:
        """A task of 各区政府 / 各相关区政府: on every district's list."""
        return self.scope in SCOPES

    @property
    def docs(self) -> list[str]:
        """The documents cited, by number (000-004)."""
        return sorted({s.doc[:3] for s in self.sources})

    def as_row(self) -> dict[str, str]:
        return {"类别": self.kind_zh, "名称": self.name_zh, "依据": self.basis_zh,
                "定位/任务": self.role_zh, "来源": "；".join(f"{s.doc[:3]} {s.section}" for s in self.sources),
                "编号": self.id}


FIELDS = ("类别", "名称", "依据", "定位/任务", "来源", "编号")


def _basis(declared: tuple[str, ...], district: str, where: str | None) -> str:
    if district in declared and where == district:
        return "规划所属，图上亦在本区"
    if district in declared and where in declared:
        return f"规划所属（跨{'、'.join(declared)}），点位在{where}"
    if district in declared:
        return f"规划所属，图上落在{where or '区外'}"
    if not declared:
        return "图上在本区（规划未写明所属区）"
    return f"图上在本区，规划属{'、'.join(declared)}"


def assignments(checked: CheckedLayout, district: str) -> list[Assignment]:
    out = []
    order = table_kinds()
    entries = [e for e in checked.entries.values() if e.kind in order]
    for e in sorted(entries, key=lambda e: order.index(e.kind)):
        kind_zh = KINDS[e.kind].name_zh
        if e.kind == "task":
            if district in e.districts or e.district_scope in SCOPES:
                units = "、".join(u for u in e.lead_units if district[:2] in u)
                basis = "责任单位：" + (units or SCOPES[e.district_scope])
                out.append(Assignment(kind_zh, e.id, e.name_zh, e.role_zh, basis, False,
                                      e.sources, e.district_scope))
            continue
        declared = checked.declared.get(e.id, ())
        where = checked.located.get(e.id)
        if district in declared or where == district:
            # A place spanning several declared districts disagrees only if it lies in none.
            disagrees = where is not None and bool(declared) and where not in declared
            basis = "规划所属" if e.kind == "segment" else _basis(declared, district, where)
            out.append(Assignment(kind_zh, e.id, e.name_zh, e.role_zh, basis, disagrees, e.sources))
    return out


def to_csv(rows: list[Assignment]) -> str:
    """Excel-friendly: UTF-8 with BOM; no cell can become a formula (geo.safe.sheet_cell)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS)
    writer.writeheader()
    writer.writerows({k: sheet_cell(v) for k, v in r.as_row().items()} for r in rows)
    return "\ufeff" + buf.getvalue()
