"""Basemaps: none (offline, the default), tile providers from the xyzservices catalogue, 天地图
with an operator's key, and any number of tile sources an operator configures for an intranet.

Operator sources come from the environment (GZMAP_TILES, a JSON list) or from Streamlit's
`.streamlit/secrets.toml` (`[[tiles]]` tables); each says its URL template (XYZ, or a WMTS
KVP template with {z} {x} {y}), its CRS and its attribution. A GCJ-02 basemap (AutoNavi/Gaode
tiles, or an operator's GCJ-02 source) gets every overlay shifted at draw time; the data stays
WGS84. CGCS2000 is treated as WGS84: they differ by centimetres.

Online basemaps (the built-in providers and 天地图) reach servers outside the operator's network;
GZMAP_ONLINE_BASEMAPS=false (geo.settings) takes every one of them off the list. The operator's
own sources stay: configuring one is the operator's choice of where tiles come from (usually an
intranet), so they do not count as online here.

Operator configuration is untrusted input too: `configured` checks each tile entry and skips a
bad one with a one-line message (never the whole map); an attribution is shown as text, and only
its plain http(s) URLs become links, made by our code.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import xyzservices.providers as xyz
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from xyzservices import TileProvider

from geo.i18n import Lang, t
from geo.safe import linked_text, shorten

log = logging.getLogger("gzmap")

# 天地图 vector tiles in Web Mercator (TILEMATRIXSET=w), as its WMTS KVP template.
TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk={key}&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=tiles")


class TileSource(BaseModel):
    """An operator's tile source (e.g. an intranet tile server)."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")  # it goes into links (?basemap=key)
    label_zh: str = Field(min_length=1, max_length=80)
    label_en: str | None = Field(default=None, min_length=1, max_length=80)  # else label_zh
    url: str = Field(max_length=2000)  # {z} {x} {y} (and optionally {s} {r} {-y}) in the template
    crs: Literal["wgs84", "cgcs2000", "gcj02"] = "wgs84"
    attribution: str = Field(min_length=1, max_length=500)  # shown as text; http(s) URLs linked
    subdomains: str = Field(default="abc", pattern=r"^[A-Za-z0-9]{1,20}$")
    max_zoom: int = Field(default=18, ge=1, le=22)

    @field_validator("url")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        # Leaflet fills only these; any other {name} fails in the browser on every tile.
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// URL template")
        found = set(re.findall(r"\{[^{}]*\}", value))
        if unknown := sorted(found - PLACEHOLDERS):
            raise ValueError(f"has the unknown placeholder {shorten(unknown[0], 40)} "
                             f"(allowed: {' '.join(sorted(PLACEHOLDERS))})")
        if not {"{z}", "{x}"} <= found or not {"{y}", "{-y}"} & found:
            raise ValueError("must hold {z}, {x} and {y}")
        return value

    @field_validator("key", "label_zh", "label_en", "url", "attribution")
    @classmethod
    def _no_template_syntax(cls, value: str | None) -> str | None:
        # No legitimate tile setting needs template syntax: refused, so none reaches a page.
        if value is not None and any(mark in value for mark in ("{{", "{%", "{#")):
            raise ValueError("must not contain {{, {% or {#")
        return value


PLACEHOLDERS = {"{z}", "{x}", "{y}", "{-y}", "{s}", "{r}"}


@dataclass(frozen=True)
class Basemap:
    key: str
    provider: TileProvider | None  # None: no tiles, the district polygons are the base
    gcj02: bool = False
    online: bool = False  # tiles from outside the operator's network (GZMAP_ONLINE_BASEMAPS)
    # An operator's source names itself (label_en falling back to label_zh); ours are named by
    # the catalogue (basemap.<key>).
    label_zh: str | None = None
    label_en: str | None = None

    def label(self, lang: Lang) -> str:
        if self.label_zh is None:
            return t(f"basemap.{self.key}", lang)
        return {"zh": self.label_zh, "en": self.label_en or self.label_zh}[lang]


BUILT_IN = (
    Basemap("none", None),
    Basemap("osm", xyz.OpenStreetMap.Mapnik, online=True),
    Basemap("positron", xyz.CartoDB.Positron, online=True),
    Basemap("amap", xyz.Gaode.Normal, gcj02=True, online=True),
    Basemap("amap-satellite", xyz.Gaode.Satellite, gcj02=True, online=True),
)


def _operator(source: TileSource) -> Basemap:
    # Leaflet puts the attribution into the page with innerHTML: hand it over as escaped text.
    provider = TileProvider(name=source.key, url=source.url, attribution=source.attribution,
                            html_attribution=linked_text(source.attribution), subdomains=source.subdomains,
                            max_zoom=source.max_zoom)
    return Basemap(source.key, provider, gcj02=source.crs == "gcj02", label_zh=source.label_zh,
                   label_en=source.label_en)


def catalogue(sources: Iterable[TileSource | Mapping[str, object]] = (), tianditu_key: str | None = None, *,
              online: bool = True) -> dict[str, Basemap]:
    """Every basemap on offer: the built-in ones (only the offline one unless `online`), 天地图
    when a key is given and online basemaps are allowed, the operator's (already checked)."""
    out = {b.key: b for b in BUILT_IN if online or not b.online}
    if tianditu_key and online:
        provider = TileProvider(name="tianditu", url=TIANDITU.replace("{key}", tianditu_key),
                                attribution="© 天地图 国家地理信息公共服务平台",
                                html_attribution="© 天地图 国家地理信息公共服务平台",
                                subdomains="01234567", max_zoom=18)
        out["tianditu"] = Basemap("tianditu", provider, online=True)
    for raw in sources:
        b = _operator(raw if isinstance(raw, TileSource) else TileSource.model_validate(dict(raw)))
        if b.key != "none":  # the offline base is always there, as itself
            out[b.key] = b
    return out


def tile_sources(entries: object, where: str) -> tuple[list[TileSource], list[str]]:
    """The valid tile entries of one place of configuration, and a line per entry skipped."""
    if not isinstance(entries, (list, tuple)):
        return [], [f"{where}: must be a list of tile sources, not {type(entries).__name__}"]
    good, problems = [], []
    for i, raw in enumerate(entries, 1):
        label = f"{where} entry {i}"
        if not isinstance(raw, Mapping):
            problems.append(f"{label}: must be a table of settings (key, label_zh, url, attribution)")
            continue
        if isinstance(raw.get("key"), str):
            label += f" ({shorten(raw['key'], 40)})"
        try:
            good.append(TileSource.model_validate(dict(raw)))
        except ValidationError as err:
            for e in err.errors():
                field = ".".join(map(str, e["loc"])) or "entry"
                problems.append(f"{label}: {field}: {shorten(e['msg'], 160)}; skipped")
    return good, problems


_LOGGED: set[str] = set()


def configured(secrets: Mapping | None = None, environ: Mapping[str, str] | None = None, *,
               online: bool = True) -> tuple[dict[str, Basemap], list[str]]:
    """The catalogue as configured (GZMAP_TILES / GZMAP_TIANDITU_KEY in the environment, or
    `[[tiles]]` / `tianditu_key` in Streamlit's secrets), and a plain-text line per entry that
    was skipped; each line is logged once per process. A bad entry never takes the map down."""
    secrets = secrets or {}
    environ = os.environ if environ is None else environ
    problems = []
    from_secrets, bad = tile_sources(secrets.get("tiles", []), "secrets.toml [[tiles]]")
    problems += bad
    from_env: list[TileSource] = []
    if text := environ.get("GZMAP_TILES", "").strip():
        try:
            from_env, bad = tile_sources(json.loads(text), "GZMAP_TILES")
            problems += bad
        except (ValueError, RecursionError) as err:
            problems.append(f"GZMAP_TILES: not valid JSON ({shorten(str(err), 120)}); every entry skipped")
    key = secrets.get("tianditu_key") or environ.get("GZMAP_TIANDITU_KEY")
    if key is not None and (not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9]{1,100}", key)):
        problems.append("tianditu_key / GZMAP_TIANDITU_KEY: must be letters and digits; 天地图 skipped")
        key = None
    for line in problems:
        if line not in _LOGGED:
            _LOGGED.add(line)
            log.warning("tile configuration: %s", line)
    return catalogue([*from_secrets, *from_env], key, online=online), problems


def from_environment(secrets: Mapping | None = None) -> dict[str, Basemap]:
    """The catalogue as configured, bad entries skipped (see `configured`)."""
    return configured(secrets)[0]


BASEMAPS = catalogue()  # what a renderer uses when it is handed a key rather than a Basemap
