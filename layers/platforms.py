"""Platforms: the 1+2+4+4+N system and other named labs and facilities, styled by tier.

A platform without a location of its own stands at its place; one with neither is listed as
unplaced (the plans name it but say nowhere where it is). On the map it is set on a small
ring around that place (RING_M) so that it does not hide the place's marker and several
platforms at one place stay clickable. The ring is display only: exported data keeps the
place's point.
"""
from __future__ import annotations

import math
from collections import defaultdict

from shapely.geometry import Point

from geo.crs import EQUAL_AREA, WGS84, project
from geo.data.records import TIERS
from layers.base import MapItem, MapLayer, Style

KEY = "platforms"
TITLE = "平台（1+2+4+4+N 等）"
RING_M = 450.0
_COLORS = {
    "national-lab": "#b71c1c", "tech-innovation-centre": "#4a148c", "major-facility": "#004d40",
    "provincial-lab": "#01579b", "research-institute": "#3e2723", "other": "#546e7a",
}
_MARKERS = {"national-lab": "D", "tech-innovation-centre": "D", "major-facility": "s",
            "provincial-lab": "^", "research-institute": "v", "other": "."}
TIER_STYLES = {
    tier: Style(f"平台 · {zh}", f"Platform: {en.lower()}", _COLORS[tier], _COLORS[tier],
                0.9, 1.0, radius=4 if tier == "other" else 5, marker=_MARKERS[tier], z=2)
    for tier, (zh, en) in TIERS.items()
}


def spread(points: list[Point], radius_m: float = RING_M) -> list[Point]:
    """Each set of points sharing one position is moved onto a ring around it."""
    groups: dict[tuple[float, float], list[int]] = defaultdict(list)
    for i, p in enumerate(points):
        groups[(round(p.x, 6), round(p.y, 6))].append(i)
    out = list(points)
    for (x, y), idx in groups.items():
        centre = project(Point(x, y), EQUAL_AREA)
        for k, i in enumerate(idx):
            a = 2 * math.pi * k / len(idx)
            moved = Point(centre.x + radius_m * math.cos(a), centre.y + radius_m * math.sin(a))
            out[i] = project(moved, WGS84, src=EQUAL_AREA)
    return out


def build(checked) -> MapLayer:
    platforms = checked.of_kind("platform")
    own = [e for e in platforms if e.location is not None]
    at_place = [e for e in platforms if e.location is None and e.id in checked.geometries]
    hosts = [checked.geometries[e.id] for e in at_place]
    items = [MapItem(e.id, checked.geometries[e.id], TIER_STYLES[e.tier], e.name_zh, e, f"平台 · {TIERS[e.tier][0]}")
             for e in own]
    items += [MapItem(e.id, pt, TIER_STYLES[e.tier], e.name_zh, e, f"平台 · {TIERS[e.tier][0]}", anchor=host)
              for e, pt, host in zip(at_place, spread(hosts), hosts)]
    unplaced = [e for e in platforms if e.id not in checked.geometries]
    return MapLayer(KEY, TITLE, items, list(TIER_STYLES.values()), "gz-platform", unplaced=unplaced)
