"""Base layer: the 11 districts, coloured by the plan's 多点 groups."""
from __future__ import annotations

from geo.data.records import GROUPS
from geo.i18n import Lang, name
from layers.base import MapItem, MapLayer, Style

KEY = "districts"
TITLE = {"zh": "行政区", "en": "Districts"}
KIND = {"zh": "行政区", "en": "District"}
GROUP_STYLES = {
    "中部": Style("中部组群（区）", "Central group", "#6b6b6b", "#f3e3c3", 0.55, 0.8, z=0),
    "东部北部": Style("东部北部组群（区）", "East & north group", "#6b6b6b", "#dbe9d0", 0.55, 0.8, z=0),
    "南部": Style("南部组群（区）", "South group", "#6b6b6b", "#cfe3ef", 0.55, 0.8, z=0),
}
FOCUS = Style("所选区", "Selected district", "#c0392b", "none", 0.0, 3.0, z=1)


def build(checked, lang: Lang) -> MapLayer:
    i = 0 if lang == "zh" else 1
    items = [
        MapItem(f"district-{d.adcode}", d.geometry, GROUP_STYLES[d.group], name(d, lang),
                kind_label=f"{KIND[lang]} · {GROUPS[d.group][i]}")
        for d in checked.districts
    ]
    return MapLayer(KEY, TITLE[lang], items, list(GROUP_STYLES.values()), "gz-district")
