"""Basemaps: none (offline, the default), tile providers from the xyzservices catalogue, 天地图
with an operator's key, and any number of tile sources an operator configures for an intranet.

Operator sources come from the environment (GZMAP_TILES, a JSON list) or from Streamlit's
`.streamlit/secrets.toml` (`[[tiles]]` tables); each says its URL template (XYZ, or a WMTS
KVP template with {z} {x} {y}), its CRS and its attribution. A GCJ-02 basemap (AutoNavi/Gaode
tiles, or an operator's GCJ-02 source) gets every overlay shifted at draw time; the data stays
WGS84. CGCS2000 is treated as WGS84: they differ by centimetres.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import xyzservices.providers as xyz
from pydantic import BaseModel, ConfigDict, field_validator
from xyzservices import TileProvider

from geo.i18n import Lang

# 天地图 vector tiles in Web Mercator (TILEMATRIXSET=w), as its WMTS KVP template.
TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk={key}&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=tiles")


class TileSource(BaseModel):
    """An operator's tile source (e.g. an intranet tile server)."""

    model_config = ConfigDict(extra="forbid")
    key: str
    label_zh: str
    label_en: str | None = None  # English pages show label_zh where there is none
    url: str  # {z} {x} {y} (and optionally {s}) in the template
    crs: Literal["wgs84", "cgcs2000", "gcj02"] = "wgs84"
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18

    @field_validator("key", "label_zh", "label_en", "url", "attribution")
    @classmethod
    def _no_template_syntax(cls, value: str | None) -> str | None:
        # folium renders tile options through Jinja a second time: keep its syntax out.
        if value is not None and any(mark in value for mark in ("{{", "{%", "{#")):
            raise ValueError("must not contain {{, {% or {#")
        return value


@dataclass(frozen=True)
class Basemap:
    key: str
    label_zh: str
    label_en: str | None
    provider: TileProvider | None  # None: no tiles, the district polygons are the base
    gcj02: bool = False

    def label(self, lang: Lang) -> str:
        return (self.label_en if lang == "en" else None) or self.label_zh


BUILT_IN = (
    Basemap("none", "无底图（离线）", "No basemap (offline)", None),
    Basemap("osm", "OpenStreetMap（在线）", "OpenStreetMap (online)", xyz.OpenStreetMap.Mapnik),
    Basemap("positron", "CartoDB Positron 浅色（在线）", "CartoDB Positron, light (online)", xyz.CartoDB.Positron),
    Basemap("amap", "高德地图（在线，GCJ-02）", "AutoNavi/Gaode roads (online, GCJ-02)", xyz.Gaode.Normal, gcj02=True),
    Basemap("amap-satellite", "高德卫星影像（在线，GCJ-02）", "AutoNavi/Gaode satellite (online, GCJ-02)",
            xyz.Gaode.Satellite, gcj02=True),
)


def _operator(source: TileSource) -> Basemap:
    provider = TileProvider(name=source.key, url=source.url, attribution=source.attribution,
                            html_attribution=source.attribution, subdomains=source.subdomains,
                            max_zoom=source.max_zoom)
    return Basemap(source.key, source.label_zh, source.label_en, provider, gcj02=source.crs == "gcj02")


def catalogue(sources: Iterable[Mapping] = (), tianditu_key: str | None = None) -> dict[str, Basemap]:
    """Every basemap on offer: the built-in ones, 天地图 when a key is given, the operator's."""
    out = {b.key: b for b in BUILT_IN}
    if tianditu_key:
        provider = TileProvider(name="tianditu", url=TIANDITU.replace("{key}", tianditu_key),
                                attribution="© 天地图 国家地理信息公共服务平台",
                                html_attribution="© 天地图 国家地理信息公共服务平台",
                                subdomains="01234567", max_zoom=18)
        out["tianditu"] = Basemap("tianditu", "天地图（在线，需密钥）", "Tianditu (online, with a key)", provider)
    for raw in sources:
        b = _operator(TileSource.model_validate(dict(raw)))
        out[b.key] = b
    return out


def from_environment(secrets: Mapping | None = None) -> dict[str, Basemap]:
    """The catalogue as configured: GZMAP_TILES / GZMAP_TIANDITU_KEY, or the Streamlit secrets."""
    secrets = secrets or {}
    sources = list(secrets.get("tiles", [])) + json.loads(os.environ.get("GZMAP_TILES") or "[]")
    key = secrets.get("tianditu_key") or os.environ.get("GZMAP_TIANDITU_KEY")
    return catalogue(sources, key)


BASEMAPS = catalogue()  # what a renderer uses when it is handed a key rather than a Basemap
