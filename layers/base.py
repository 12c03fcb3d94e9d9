"""What a layer hands the renderers: items with geometry and one shared style vocabulary."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import Callable

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.data.records import Part
from geo.i18n import Lang, name, t


@dataclass(frozen=True)
class Style:
    """One legend entry. Sizes are in points at print size; the web map uses them as pixels."""

    label_key: str  # its legend label: a key of the catalogue (geo/ui_strings.yaml)
    color: str  # stroke
    fill: str = "none"
    fill_opacity: float = 0.0
    weight: float = 1.0
    dash: tuple[float, ...] = ()  # e.g. (6, 4) for schematic outlines
    radius: float = 0.0  # points: marker radius; 0 for lines and polygons
    marker: str = "o"  # matplotlib marker; the web map draws circles, larger for stars
    z: int = 0
    strong: bool = False  # its items' labels stand out (bold on the web map): poles, cores

    def label(self, lang: Lang) -> str:
        return t(self.label_key, lang)

    @property
    def dash_css(self) -> str | None:
        return " ".join(f"{d:g}" for d in self.dash) or None


@dataclass(frozen=True)
class MapItem:
    id: str
    geometry: BaseGeometry
    style: Style
    label: str  # its name in the layer's language
    entry: object | None = None  # the record (geo.data.records); None for districts
    kind_label: str = ""  # what it is, in the layer's language: "多点 · 中部", "Park · central"
    # The place an item stands at when its symbol goes with that place's (platforms at their place,
    # a schematic area's marker): the web map puts it in the place's marker, print maps set it
    # a fixed distance beside the place's symbol.
    anchor: BaseGeometry | None = None


def at_parts(item: MapItem, parts: Sequence[tuple[Part, Point]], *, lang: Lang) -> tuple[MapItem, ...]:
    """An item as the maps draw it: a zone of several parts (geo.data.model.CheckedLayout.placed_parts)
    at each placed part, named by the catalogue's `layer.part`, its popup the zone's; anything else
    as it is. (A schematic area has no placed parts: its circle is what is drawn.)"""
    if not parts:
        return (item,)
    return tuple(replace(item, geometry=point, label=t("layer.part", lang, zone=item.label, part=name(part, lang)))
                 for part, point in parts)


@dataclass(frozen=True)
class MapLayer:
    key: str
    title: str  # in the language it was built in
    items: tuple[MapItem, ...]
    _: KW_ONLY
    legend: tuple[Style, ...]  # what the legend lists for the layer, in this order
    css_class: str  # marks this layer's markers in the page (tests count them)
    unplaced: tuple = ()  # records the plans give no place
    # What the reading says about this layer that the map cannot show (a document that does not
    # describe the axis): every renderer prints it with the legend, in the layer's language.
    note: str = ""

    def with_geometry(self, transform: Callable[[BaseGeometry], BaseGeometry]) -> "MapLayer":
        """The same layer with every item's geometry transformed (reprojected, datum-shifted)."""
        return replace(self, items=tuple(replace(i, geometry=transform(i.geometry),
                                                 anchor=None if i.anchor is None else transform(i.anchor))
                                         for i in self.items))
