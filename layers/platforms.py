"""Platforms: the 1+2+4+4+N system and other named labs and facilities, styled by tier (the
registry's kinds of layer "platforms").

A platform without a location of its own stands at its place (its `anchor`), and so does one
whose own point is a place's point (a source put it there) or another platform's; one with neither
is listed as unplaced (the plans name it but say nowhere where it is). A zone of several parts
stands at each placed part (layers.base.at_parts). The web map lists it in
its place's marker and the print maps set it beside that place's symbol, so that it hides
neither the place nor another platform.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.data.kinds import kinds_of_layer
from geo.data.model import CheckedLayout
from geo.data.records import TIERS, Place, Platform
from geo.i18n import Lang, name, t, tier_name
from layers.base import MapItem, MapLayer, Style, at_parts

KEY = "platforms"
_COLORS = {
    "national-lab": "#b71c1c", "tech-innovation-centre": "#4a148c", "major-facility": "#004d40",
    "provincial-lab": "#01579b", "research-institute": "#3e2723", "other": "#546e7a",
}
_MARKERS = {"national-lab": "D", "tech-innovation-centre": "D", "major-facility": "s",
            "provincial-lab": "^", "research-institute": "v", "other": "."}
TIER_STYLES = {
    tier: Style(f"legend.platforms.{tier}", _COLORS[tier], _COLORS[tier], 0.9, 1.0,
                radius=4 if tier == "other" else 5, marker=_MARKERS[tier], z=2)
    for tier in TIERS
}


def build(checked: CheckedLayout, lang: Lang) -> MapLayer:
    drawn: list[tuple[MapItem, bool]] = []  # each item, and whether it has no point of its own
    unplaced: list[Platform] = []
    for kind in kinds_of_layer(KEY):
        for e in checked.of_kind(kind.key, Platform):
            if e.id not in checked.geometries:
                unplaced.append(e)
                continue
            item = MapItem(e.id, checked.geometries[e.id], TIER_STYLES[e.tier], name(e, lang), e,
                           f"{name(kind, lang)} · {tier_name(e.tier, lang)}")
            drawn += [(i, e.location is None) for i in at_parts(item, checked.placed_parts(e), lang=lang)]
    hosts = {_xy(g) for e in checked.entries.values() if isinstance(e, Place)
             and isinstance(g := checked.geometries.get(e.id), Point)}
    shared = Counter(_xy(i.geometry) for i, _ in drawn)
    items = [replace(i, anchor=i.geometry if inherited or _xy(i.geometry) in hosts or shared[_xy(i.geometry)] > 1
                     else None) for i, inherited in drawn]
    return MapLayer(KEY, t(f"layer.title.{KEY}", lang), tuple(items), legend=tuple(TIER_STYLES.values()),
                    css_class="gz-platform", unplaced=tuple(unplaced))


def _xy(geometry: BaseGeometry) -> tuple[float, float] | None:
    return (geometry.x, geometry.y) if isinstance(geometry, Point) else None
