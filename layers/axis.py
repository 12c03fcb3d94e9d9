"""一轴: the 科技创新轴 line through its nodes; the two poles stand out.

A document's reading may not describe the axis (004), or describe it without naming nodes (003):
then no line is drawn and the layer carries a note saying why, which every map prints."""
from __future__ import annotations

from geo.i18n import Lang, name, t
from layers.base import MapItem, MapLayer, Style

KEY = "axis"
TITLE = {"zh": "一轴（科技创新轴）", "en": "Axis (innovation axis)"}
KIND = {"axis": {"zh": "科技创新轴", "en": "Innovation axis"},
        "pole": {"zh": "一轴 · 极点", "en": "Axis · pole"},
        "node": {"zh": "一轴 · 关键节点", "en": "Axis · key node"}}
LINE = Style("科技创新轴（示意）", "Innovation axis (schematic)", "#d32f2f", weight=4.0,
             dash=(10, 6), z=4)
POLE = Style("极点", "Pole", "#b71c1c", "#ffeb3b", 1.0, 2.5, radius=10, marker="*", z=6)
NODE = Style("关键节点", "Key node", "#b71c1c", "#ffffff", 1.0, 2.5, radius=6, z=5)


def build(checked, lang: Lang) -> MapLayer:
    axis = checked.axis
    line = checked.geometries.get(axis.id) if axis is not None else None
    items = []
    if line is not None and not line.is_empty:
        items.append(MapItem(axis.id, line, LINE, name(axis, lang), axis, KIND["axis"][lang]))
    for n in (n for n in checked.of_kind("axis_node") if n.id in checked.geometries):
        style = POLE if n.pole else NODE
        items.append(MapItem(n.id, checked.geometries[n.id], style, name(n, lang), n,
                             KIND["pole" if n.pole else "node"][lang]))
    note = "" if items and items[0].style is LINE else t(
        "layer.axis.absent" if axis is None else "layer.axis.no_line", lang)
    legend = [s for s in (LINE, POLE, NODE) if any(i.style is s for i in items)]  # only what is drawn
    return MapLayer(KEY, TITLE[lang], items, legend, "gz-node", note=note)
