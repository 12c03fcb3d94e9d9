"""四核: the 一区三城 cores as large markers, and the 一区's 片区 (schematic where drawn).

Its kinds are the registry's (geo.data.kinds, layer "cores"): a kind with point geometry draws
as cores, one with extent geometry as areas (a schematic circle, or a point where no area is
published). A core of several parts stands at each placed part (layers.base.at_parts)."""
from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from geo.data.kinds import kinds_of_layer
from geo.data.model import CheckedLayout
from geo.data.records import Core, CoreArea
from geo.i18n import Lang, core_type_name, name, t
from layers.base import MapItem, MapLayer, Style, at_parts

KEY = "cores"
CORE = Style("legend.cores.core", "#7b1fa2", "#ce93d8", 0.95, 2.0, radius=11, marker="h", z=3, strong=True)
AREA = Style("legend.cores.area", "#7b1fa2", "#e1bee7", 0.25, 1.5, dash=(6, 4), z=2, strong=True)
AREA_POINT = Style("legend.cores.area_point", "#7b1fa2", "#e1bee7", 0.9, 1.5, dash=(3, 2), radius=6, z=2,
                   strong=True)


def _area(e: CoreArea, geometry: BaseGeometry, kind_name: str, lang: Lang) -> MapItem:
    schematic = e.extent is not None
    point = shapely.Point(e.location.lon, e.location.lat)  # where the web map's marker goes
    label = kind_name + (f" · {t('kind.schematic', lang)}" if schematic else "")
    return MapItem(e.id, geometry, AREA if schematic else AREA_POINT, name(e, lang), e, label,
                   anchor=point if schematic else None)


def build(checked: CheckedLayout, lang: Lang) -> MapLayer:
    areas: list[MapItem] = []
    cores: list[MapItem] = []
    for kind in kinds_of_layer(KEY):
        if kind.geometry == "extent":
            areas += [_area(e, checked.geometries[e.id], name(kind, lang), lang)
                      for e in checked.of_kind(kind.key, CoreArea)]
        else:
            cores += [drawn for e in checked.of_kind(kind.key, Core)
                      for drawn in at_parts(MapItem(e.id, checked.geometries[e.id], CORE, name(e, lang), e,
                                                    f"{name(kind, lang)} · {core_type_name(e.core_type, lang)}"),
                                            checked.placed_parts(e), lang=lang)]
    return MapLayer(KEY, t(f"layer.title.{KEY}", lang), tuple(areas + cores),  # areas under the cores
                    legend=(CORE, AREA, AREA_POINT), css_class="gz-core")
