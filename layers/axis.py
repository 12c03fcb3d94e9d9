"""一轴: the 科技创新轴 line through its nodes; the two poles stand out.

What it draws is the registry's say (geo.data.kinds: the kinds whose layer is this KEY): a kind
with line geometry is the axis, one with point geometry its nodes. A document's reading may not
describe the axis (004), or describe it without naming nodes (003): then no line is drawn and
the layer carries a note saying why, which every map prints."""
from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from geo.data.kinds import kinds_of_layer
from geo.data.model import CheckedLayout
from geo.data.records import Axis, AxisNode
from geo.i18n import Lang, name, t
from layers.base import MapItem, MapLayer, Style

KEY = "axis"
LINE = Style("legend.axis.line", "#d32f2f", weight=4.0, dash=(10, 6), z=4)
POLE = Style("legend.axis.pole", "#b71c1c", "#ffeb3b", 1.0, 2.5, radius=10, marker="*", z=6, strong=True)
NODE = Style("legend.axis.node", "#b71c1c", "#ffffff", 1.0, 2.5, radius=6, z=5)


def _drawn(checked: CheckedLayout, entry_id: str) -> BaseGeometry | None:
    """An entry's geometry, or None when a reading leaves it nothing to draw."""
    geometry = checked.geometries.get(entry_id)
    return None if geometry is None or geometry.is_empty else geometry


def build(checked: CheckedLayout, lang: Lang) -> MapLayer:
    items: list[MapItem] = []
    for kind in kinds_of_layer(KEY):
        if kind.geometry == "line":  # under the nodes
            items[:0] = [MapItem(e.id, g, LINE, name(e, lang), e, name(kind, lang))
                         for e in checked.of_kind(kind.key, Axis) if (g := _drawn(checked, e.id)) is not None]
        else:
            for node in checked.of_kind(kind.key, AxisNode):
                if (g := _drawn(checked, node.id)) is not None:
                    label = name(kind, lang) + (f" · {t('kind.pole', lang)}" if node.pole else "")
                    items.append(MapItem(node.id, g, POLE if node.pole else NODE, name(node, lang), node, label))
    note = "" if items and items[0].style is LINE else t(
        "layer.axis.absent" if checked.axis is None else "layer.axis.no_line", lang)
    legend = tuple(s for s in (LINE, POLE, NODE) if any(i.style is s for i in items))  # only what is drawn
    return MapLayer(KEY, t(f"layer.title.{KEY}", lang), tuple(items), legend=legend, css_class="gz-node",
                    note=note)
