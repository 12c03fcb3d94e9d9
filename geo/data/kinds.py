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

from geo.data import records

# How an entry's geometry is derived (geo.data.model):
#   point:   its own location, else that of its first place (platforms, axis nodes)
#   extent:  a schematic circle of its published area, else its point (core areas)
#   line:    the axis through its nodes in order
#   axis_part: the part of the axis line inside its district(s)
#   none:    no geometry (tasks, node lists)
Geometry = Literal["point", "extent", "line", "axis_part", "none"]


@dataclass(frozen=True)
class Kind:
    key: str
    model: type[records.FileEntry]
    file: str
    section: str | None  # top-level key in the file; None: the file is a list of entries
    name_zh: str
    name_en: str
    geometry: Geometry
    layer: str | None = None  # key of the layers/ module that draws it
    searchable: bool = False
    table_order: int | None = None  # position in a district's table; None: not listed
    label_priority: int | None = None  # lower is labelled first; None: not labelled
    label_always: bool = False  # its labels are never left off a web map (the innovation cores)
    single: bool = False  # the section is one mapping, not a list
    place: bool = False  # a place of the plans: platforms stand at it, axis nodes on it


# The kinds' keys, for code that must name one (the axis and its nodes, the tasks...): the
# records' `kind` literals (geo.data.records) are the same strings, and nowhere else spells them.
AXIS, AXIS_NODE, SEGMENT, NODE_LIST = "axis", "axis_node", "segment", "node_list"
CORE, CORE_AREA, PARK, PLATFORM = "core", "core_area", "park", "platform"
TASK, PLATFORM_SYSTEM = "task", "platform_system"

KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind(AXIS, records.Axis, "axis.yaml", "axis", "科技创新轴", "Innovation axis", "line",
         layer="axis", single=True),
    Kind(AXIS_NODE, records.AxisNodeData, "axis.yaml", "nodes", "一轴节点", "Axis node", "point",
         layer="axis", table_order=1, label_priority=0),
    Kind(SEGMENT, records.Segment, "axis.yaml", "segments", "一轴分段", "Axis segment", "axis_part",
         table_order=0),
    Kind(NODE_LIST, records.NodeList, "axis.yaml", "node_lists", "节点名单", "Node list", "none"),
    Kind(CORE, records.Core, "cores.yaml", "cores", "创新核", "Innovation core", "point",
         layer="cores", searchable=True, table_order=2, label_priority=1, label_always=True, place=True),
    Kind(CORE_AREA, records.CoreArea, "cores.yaml", "core_areas", "一区片区", "Pilot-zone area",
         "extent", layer="cores", searchable=True, table_order=3, label_priority=2, place=True),
    Kind(PARK, records.Park, "parks.yaml", None, "多点园区", "Park", "point", layer="parks",
         searchable=True, table_order=4, label_priority=3, place=True),
    Kind(PLATFORM, records.Platform, "platforms.yaml", None, "平台", "Platform", "point",
         layer="platforms", searchable=True, table_order=5),
    Kind(TASK, records.Task, "tasks.yaml", None, "任务", "Task", "none", table_order=6),
    Kind(PLATFORM_SYSTEM, records.PlatformSystem, "systems.yaml", None, "平台体系", "Platform system",
         "none"),
)}

# District names are no kind, but their labels take part in the same placement: on the web map
# they are placed after every entry's label, so they give way to the plans' places (print maps
# draw them first, under the others).
DISTRICT_LABEL_PRIORITY = 1 + max(k.label_priority for k in KINDS.values() if k.label_priority is not None)

# The reference fields that hold one id (the others hold lists; see geo.data.validate).
SINGLE_REFS = ("place", "core")
# What a reference field may point at, by kind of the referring entry.
REF_TARGETS: dict[str, tuple[str, ...]] = {
    "place": (CORE, PARK),  # an axis node stands on a core or park
    "core": (CORE,),
    "places": (CORE, CORE_AREA, PARK),
    "platforms": (PLATFORM,),
    "places.ref": (CORE, CORE_AREA, PARK, PLATFORM),  # what a segment names
    "members": (PLATFORM,),
    "segment_roles.segment": (SEGMENT,),
}


def files() -> dict[str, list[Kind]]:
    """File name -> the kinds it holds, in registry order."""
    out: dict[str, list[Kind]] = {}
    for kind in KINDS.values():
        out.setdefault(kind.file, []).append(kind)
    return out


def sections(file_kinds: list[Kind]) -> dict[str, Kind]:
    """A file's top-level keys -> the kind each holds (none for a file that is one list of entries)."""
    return {k.section: k for k in file_kinds if k.section is not None}


def searchable() -> list[str]:
    return [k.key for k in KINDS.values() if k.searchable]


def table_kinds() -> list[str]:
    order = {k.key: k.table_order for k in KINDS.values() if k.table_order is not None}
    return sorted(order, key=order.__getitem__)


def labelled() -> list[str]:
    priority = {k.key: k.label_priority for k in KINDS.values() if k.label_priority is not None}
    return sorted(priority, key=priority.__getitem__)


def kinds_of_layer(layer: str) -> list[Kind]:
    """The kinds the layer `layer` (a layers/ module's KEY) draws, in registry order."""
    return [k for k in KINDS.values() if k.layer == layer]


def place_kinds() -> list[str]:
    return [k.key for k in KINDS.values() if k.place]


def label_rank(entry: object) -> tuple[int, int] | None:
    """Where an entry's label stands in the order labels are placed, on web and print maps alike:
    its kind's label priority, then the axis' poles before the rest of their kind; None: the
    kind is not labelled."""
    priority = KINDS[getattr(entry, "kind")].label_priority
    return None if priority is None else (priority, 0 if getattr(entry, "pole", False) else 1)


def label_always(entry: object) -> bool:
    """Whether an entry's label is never left off the web map, whatever the zoom, language or
    reading: the innovation cores (一区三城) and the axis' two poles. Every other label gives way
    to these."""
    kind = KINDS[getattr(entry, "kind")]
    return kind.label_priority is not None and (kind.label_always or bool(getattr(entry, "pole", False)))
