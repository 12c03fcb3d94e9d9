"""多点: the parks of the three 多点 专栏, coloured by group (the registry's kinds of layer "parks");
a zone of several parts at each placed part."""
from __future__ import annotations

from geo.data.kinds import kinds_of_layer
from geo.data.model import CheckedLayout
from geo.data.records import Park
from geo.i18n import Lang, group_name, name, t
from layers.base import MapItem, MapLayer, Style, at_parts

KEY = "parks"
GROUP_STYLES = {group: Style(f"legend.parks.{group}", color, fill, 0.95, 1.5, radius=6, marker="o", z=7)
                for group, color, fill in (("中部", "#e65100", "#ffb74d"), ("东部北部", "#1b5e20", "#81c784"),
                                           ("南部", "#0d47a1", "#64b5f6"))}


def build(checked: CheckedLayout, lang: Lang) -> MapLayer:
    items: list[MapItem] = []
    unplaced: list[Park] = []
    for kind in kinds_of_layer(KEY):
        for e in checked.of_kind(kind.key, Park):
            if e.id not in checked.geometries:
                unplaced.append(e)
                continue
            item = MapItem(e.id, checked.geometries[e.id], GROUP_STYLES[e.group], name(e, lang), e,
                           f"{name(kind, lang)} · {group_name(e.group, lang)}")
            items += at_parts(item, checked.placed_parts(e), lang=lang)
    return MapLayer(KEY, t(f"layer.title.{KEY}", lang), tuple(items), legend=tuple(GROUP_STYLES.values()),
                    css_class="gz-park", unplaced=tuple(unplaced))
