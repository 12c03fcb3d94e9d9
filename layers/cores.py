"""四核: the 一区三城 cores as large markers, and the 一区's 片区 (schematic where drawn)."""
from __future__ import annotations

import shapely

from layers.base import MapItem, MapLayer, Style

KEY = "cores"
TITLE = "四核（一区三城）"
CORE = Style("创新核（一区三城）", "Innovation core", "#7b1fa2", "#ce93d8", 0.95, 2.0, radius=11,
             marker="h", z=3)
AREA = Style("一区片区（示意范围）", "Pilot-zone area (schematic extent)", "#7b1fa2", "#e1bee7",
             0.25, 1.5, dash=(6, 4), z=2)
AREA_POINT = Style("一区片区（无公布面积）", "Pilot-zone area (no published area)", "#7b1fa2",
                   "#e1bee7", 0.9, 1.5, dash=(3, 2), radius=6, z=2)


def build(checked) -> MapLayer:
    items = []
    for e in checked.of_kind("core_area"):
        schematic = e.extent is not None
        point = shapely.Point(e.location.lon, e.location.lat)  # where the web map's marker goes
        items.append(MapItem(e.id, checked.geometries[e.id], AREA if schematic else AREA_POINT, e.name_zh,
                             e, "一区片区 · 示意范围" if schematic else "一区片区", anchor=point if schematic else None))
    for e in checked.of_kind("core"):
        items.append(MapItem(e.id, checked.geometries[e.id], CORE, e.name_zh, e, f"创新核 · {e.core_type}"))
    return MapLayer(KEY, TITLE, items, [CORE, AREA, AREA_POINT], "gz-core")
