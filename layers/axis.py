"""一轴: the 科技创新轴 line through its nodes; the two poles stand out.

What it draws is the registry's say (geo.data.kinds: the kinds whose layer is this KEY): a kind
with line geometry is the axis, one with point geometry its nodes. A document's reading may not
describe the axis (004), or describe it without naming nodes (003): then no line is drawn and
the layer carries a note saying why, which every map prints."""
from __future__ import annotations

from geo.data.kinds import kinds_of_layer
from geo.i18n import Lang, name, t
from layers.base import MapItem, MapLayer, Style

KEY = "axis"
LINE = Style("legend.axis.line", "#d32f2f", weight=4.0, dash=(10, 6), z=4)
POLE = Style("legend.axis.pole", "#b71c1c", "#ffeb3b", 1.0, 2.5, radius=10, marker="*", z=6, strong=True)
NODE = Style("legend.axis.node", "#b71c1c", "#ffffff", 1.0, 2.5, radius=6, z=5)


def build(checked, lang: Lang) -> MapLayer:
    items = []
    for kind in kinds_of_layer(KEY):
        for e in (e for e in checked.of_kind(kind.key) if e.id in checked.geometries):
            geometry = checked.geometries[e.id]
            if geometry.is_empty:
                continue
            if kind.geometry == "line":
                items.insert(0, MapItem(e.id, geometry, LINE, name(e, lang), e, name(kind, lang)))
            else:
                label = name(kind, lang) + (f" · {t('kind.pole', lang)}" if e.pole else "")
                items.append(MapItem(e.id, geometry, POLE if e.pole else NODE, name(e, lang), e, label))
    note = "" if items and items[0].style is LINE else t(
        "layer.axis.absent" if checked.axis is None else "layer.axis.no_line", lang)
    legend = tuple(s for s in (LINE, POLE, NODE) if any(i.style is s for i in items))  # only what is drawn
    return MapLayer(KEY, t(f"layer.title.{KEY}", lang), tuple(items), legend=legend, css_class="gz-node",
                    note=note)
