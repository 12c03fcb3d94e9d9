"""Basemaps: none (offline, the default) or a tile provider from the xyzservices catalogue.

A GCJ-02 basemap (AutoNavi/Gaode tiles) gets every overlay shifted at draw time; the data
stays WGS84.
"""
from __future__ import annotations

from dataclasses import dataclass

import xyzservices.providers as xyz
from xyzservices import TileProvider


@dataclass(frozen=True)
class Basemap:
    key: str
    label_zh: str
    provider: TileProvider | None  # None: no tiles, the district polygons are the base
    gcj02: bool = False


BASEMAPS: dict[str, Basemap] = {b.key: b for b in (
    Basemap("none", "无底图（离线）", None),
    Basemap("osm", "OpenStreetMap（在线）", xyz.OpenStreetMap.Mapnik),
    Basemap("amap", "高德地图（在线，GCJ-02）", xyz.Gaode.Normal, gcj02=True),
)}
