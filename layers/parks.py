"""多点: the parks of the three 多点 专栏, coloured by group."""
from __future__ import annotations

from geo.data.records import GROUPS
from geo.i18n import Lang, name
from layers.base import MapItem, MapLayer, Style

KEY = "parks"
TITLE = {"zh": "多点（园区）", "en": "Parks (many points)"}
KIND = {"zh": "多点", "en": "Park"}
GROUP_STYLES = {
    "中部": Style("多点 · 中部", "Parks, central", "#e65100", "#ffb74d", 0.95, 1.5, radius=6,
                  marker="o", z=7),
    "东部北部": Style("多点 · 东部北部", "Parks, east & north", "#1b5e20", "#81c784", 0.95, 1.5,
                      radius=6, marker="o", z=7),
    "南部": Style("多点 · 南部", "Parks, south", "#0d47a1", "#64b5f6", 0.95, 1.5, radius=6,
                  marker="o", z=7),
}


def build(checked, lang: Lang) -> MapLayer:
    parks = checked.of_kind("park")
    i = 0 if lang == "zh" else 1
    items = [MapItem(e.id, checked.geometries[e.id], GROUP_STYLES[e.group], name(e, lang), e,
                     f"{KIND[lang]} · {GROUPS[e.group][i]}") for e in parks if e.id in checked.geometries]
    unplaced = [e for e in parks if e.id not in checked.geometries]
    return MapLayer(KEY, TITLE[lang], items, list(GROUP_STYLES.values()), "gz-park", unplaced=unplaced)
