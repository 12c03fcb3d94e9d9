"""四核: the 一区三城 cores as large markers, and the 一区's 片区 (schematic where drawn)."""
from __future__ import annotations

from geo.geometry import extent_of, point_of
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
    layout = checked.layout
    items = []
    for e in layout.layer("core_area"):
        extent = extent_of(e)
        style = AREA if extent is not None else AREA_POINT
        items.append(MapItem(e.id, extent or point_of(layout, e), style, e.name_zh, e,
                             "一区片区 · 示意范围" if extent is not None else "一区片区"))
    for e in layout.layer("core"):
        items.append(MapItem(e.id, point_of(layout, e), CORE, e.name_zh, e, f"创新核 · {e.kind}"))
    return MapLayer(KEY, TITLE, items, [CORE, AREA, AREA_POINT], "gz-core", labelled=True)
