"""The one registry of entry kinds: each kind declared once.

A row says where a kind lives (file and top-level section), which model checks it, what it is
called, which map layer draws it, whether search finds it, where it stands in a district's
table, how its labels rank on print and web maps, and how its geometry is derived. Adding a
kind means its data file, its model (geo.data.records) and one row here, plus a layer module in
layers/ if it is drawn.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from geo.data import records

# How an entry's geometry is derived (geo.data.model):
#   point:   its own location, else that of its first place (platforms, axis nodes)
#   extent:  a schematic circle of its published area, else its point (core areas)
#   line:    the axis through its nodes in order
#   segment: the part of the axis line inside its district(s)
#   none:    no geometry (tasks, node lists)
Geometry = Literal["point", "extent", "line", "segment", "none"]


@dataclass(frozen=True)
class Kind:
    key: str
    model: type[BaseModel]
    file: str
    section: str | None  # top-level key in the file; None: the file is a list of entries
    name_zh: str
    name_en: str
    geometry: Geometry
    layer: str | None = None  # key of the layers/ module that draws it
    searchable: bool = False
    table_order: int | None = None  # position in a district's table; None: not listed
    label_priority: int | None = None  # lower is labelled first; None: not labelled
    single: bool = False  # the section is one mapping, not a list


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("axis", records.Axis, "axis.yaml", "axis", "科技创新轴", "Innovation axis", "line",
         layer="axis", single=True),
    Kind("axis_node", records.AxisNodeData, "axis.yaml", "nodes", "一轴节点", "Axis node", "point",
         layer="axis", table_order=1, label_priority=0),
    Kind("segment", records.Segment, "axis.yaml", "segments", "一轴分段", "Axis segment", "segment",
         table_order=0),
    Kind("node_list", records.NodeList, "axis.yaml", "node_lists", "节点名单", "Node list", "none"),
    Kind("core", records.Core, "cores.yaml", "cores", "创新核", "Innovation core", "point",
         layer="cores", searchable=True, table_order=2, label_priority=1),
    Kind("core_area", records.CoreArea, "cores.yaml", "core_areas", "一区片区", "Pilot-zone area",
         "extent", layer="cores", searchable=True, table_order=3, label_priority=2),
    Kind("park", records.Park, "parks.yaml", None, "多点园区", "Park", "point", layer="parks",
         searchable=True, table_order=4, label_priority=3),
    Kind("platform", records.Platform, "platforms.yaml", None, "平台", "Platform", "point",
         layer="platforms", searchable=True, table_order=5),
    Kind("task", records.Task, "tasks.yaml", None, "任务", "Task", "none", table_order=6),
    Kind("platform_system", records.PlatformSystem, "systems.yaml", None, "平台体系", "Platform system",
         "none"),
)}

# What a reference field may point at, by kind of the referring entry.
REF_TARGETS: dict[str, tuple[str, ...]] = {
    "place": ("core", "park"),  # an axis node stands on a core or park
    "core": ("core",),
    "places": ("core", "core_area", "park"),
    "platforms": ("platform",),
    "places.ref": ("core", "core_area", "park", "platform"),  # what a segment names
    "members": ("platform",),
    "segment_roles.segment": ("segment",),
}


def files() -> dict[str, list[Kind]]:
    """File name -> the kinds it holds, in registry order."""
    out: dict[str, list[Kind]] = {}
    for kind in KINDS.values():
        out.setdefault(kind.file, []).append(kind)
    return out


def searchable() -> list[str]:
    return [k.key for k in KINDS.values() if k.searchable]


def table_kinds() -> list[str]:
    return sorted((k.key for k in KINDS.values() if k.table_order is not None),
                  key=lambda key: KINDS[key].table_order)


def labelled() -> list[str]:
    return sorted((k.key for k in KINDS.values() if k.label_priority is not None),
                  key=lambda key: KINDS[key].label_priority)
