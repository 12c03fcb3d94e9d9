"""四核: the 一区三城 cores as large markers, and the 一区's 片区 (schematic where drawn)."""
from __future__ import annotations

import shapely

from geo.data.records import CORE_TYPES
from geo.i18n import Lang, name
from layers.base import MapItem, MapLayer, Style

KEY = "cores"
TITLE = {"zh": "四核（一区三城）", "en": "Four cores (one zone, three cities)"}
KIND = {"core": {"zh": "创新核", "en": "Innovation core"},
        "area": {"zh": "一区片区", "en": "Pilot-zone area"},
        "schematic": {"zh": "示意范围", "en": "schematic extent"}}
CORE = Style("创新核（一区三城）", "Innovation core", "#7b1fa2", "#ce93d8", 0.95, 2.0, radius=11,
             marker="h", z=3)
AREA = Style("一区片区（示意范围）", "Pilot-zone area (schematic extent)", "#7b1fa2", "#e1bee7",
             0.25, 1.5, dash=(6, 4), z=2)
AREA_POINT = Style("一区片区（无公布面积）", "Pilot-zone area (no published area)", "#7b1fa2",
                   "#e1bee7", 0.9, 1.5, dash=(3, 2), radius=6, z=2)


def build(checked, lang: Lang) -> MapLayer:
    items = []
    i = 0 if lang == "zh" else 1
    for e in checked.of_kind("core_area"):
        schematic = e.extent is not None
        point = shapely.Point(e.location.lon, e.location.lat)  # where the web map's marker goes
        kind = KIND["area"][lang] + (f" · {KIND['schematic'][lang]}" if schematic else "")
        items.append(MapItem(e.id, checked.geometries[e.id], AREA if schematic else AREA_POINT, name(e, lang),
                             e, kind, anchor=point if schematic else None))
    for e in checked.of_kind("core"):
        items.append(MapItem(e.id, checked.geometries[e.id], CORE, name(e, lang), e,
                             f"{KIND['core'][lang]} · {CORE_TYPES[e.core_type][i]}"))
    return MapLayer(KEY, TITLE[lang], items, [CORE, AREA, AREA_POINT], "gz-core")
