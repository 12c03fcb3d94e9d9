"""Platforms: the 1+2+4+4+N system and other named labs and facilities, styled by tier.

A platform without a location of its own stands at its place (its `anchor`); one with neither
is listed as unplaced (the plans name it but say nowhere where it is). The web map lists it in
its place's marker and the print maps set it beside that place's symbol, so that it hides
neither the place nor another platform.
"""
from __future__ import annotations

from geo.data.records import TIERS
from geo.i18n import Lang, name
from layers.base import MapItem, MapLayer, Style

KEY = "platforms"
TITLE = {"zh": "平台（1+2+4+4+N 等）", "en": "Platforms (1+2+4+4+N and others)"}
KIND = {"zh": "平台", "en": "Platform"}
_COLORS = {
    "national-lab": "#b71c1c", "tech-innovation-centre": "#4a148c", "major-facility": "#004d40",
    "provincial-lab": "#01579b", "research-institute": "#3e2723", "other": "#546e7a",
}
_MARKERS = {"national-lab": "D", "tech-innovation-centre": "D", "major-facility": "s",
            "provincial-lab": "^", "research-institute": "v", "other": "."}
TIER_STYLES = {
    tier: Style(f"平台 · {zh}", f"Platform: {en[0].lower()}{en[1:]}", _COLORS[tier], _COLORS[tier],
                0.9, 1.0, radius=4 if tier == "other" else 5, marker=_MARKERS[tier], z=2)
    for tier, (zh, en) in TIERS.items()
}


def build(checked, lang: Lang) -> MapLayer:
    platforms = checked.of_kind("platform")
    i = 0 if lang == "zh" else 1
    items = []
    for e in (e for e in platforms if e.id in checked.geometries):
        point = checked.geometries[e.id]
        anchor = None if e.location is not None else point  # it stands at its place
        items.append(MapItem(e.id, point, TIER_STYLES[e.tier], name(e, lang), e,
                             f"{KIND[lang]} · {TIERS[e.tier][i]}", anchor=anchor))
    unplaced = [e for e in platforms if e.id not in checked.geometries]
    return MapLayer(KEY, TITLE[lang], items, list(TIER_STYLES.values()), "gz-platform", unplaced=unplaced)
