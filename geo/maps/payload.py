"""What the web map draws, as two JSON documents per reading, language and basemap datum: the
*layout* (markers, labels, lines, areas, legend, texts) and the *popups* (entry id -> details).

They change only with the data, so the app serves them as files named by their content hash
(geo/ui/routes.py: cached by browsers for good, fetched by gzmap.js beside the page) and the
map's Streamlit element carries only what changes: view, layers, highlight, the documents' URLs
(geo.maps.webmap.map_state). The standalone HTML inlines both.

Whatever stands at one point shares one marker (a node on a park that is also a core's 片区, the
platforms at a place): its members are listed in the registry's label order, and its popup lists
them all, so every entry can be clicked at any zoom.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import shapely
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from geo.crs import geometry_to_gcj02
from geo.data.kinds import DISTRICT_LABEL_PRIORITY, label_always, label_rank
from geo.data.model import CheckedLayout
from geo.i18n import LANGS, Lang, colon, join, t
from geo.maps.details import DETAILS_CSS, details_html
from geo.maps.symbols import leaflet_style, legend_html, svg_symbol
from geo.maps.title_block import title_block
from geo.safe import html_text
from layers import MapItem, MapLayer, build_layers
from layers.districts import KEY as DISTRICTS

Part = Literal["layout", "popups"]
PARTS: tuple[Part, ...] = get_args(Part)
CRS = {False: "wgs84", True: "gcj02"}
ALL = "all"  # a URL segment: no document / platform-system restriction
URL_PREFIX = "/gzmap/data"
DIGITS = 5  # decimals of a degree in the documents: about 1 m, finer than any point's precision
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
_DIGEST = re.compile(r"[0-9a-f]{20}")

WEB_TEXTS = ("places", "legend", "fullscreen", "coords", "minimap", "copy_link", "link_copied", "copy_prompt",
             "tiles_failed", "loading", "zoom_in", "zoom_out", "measure", "measure_hint", "measure_km", "print",
             "link_copied_toast", "no_layers")


@dataclass(frozen=True)
class DataKey:
    """Which document: its part, language, basemap datum and reading (document, platform system)."""

    part: Part
    lang: Lang
    gcj02: bool
    doc: str | None
    system: str | None

    def url(self, digest: str) -> str:
        crs = CRS[self.gcj02 and self.part == "layout"]  # popups do not depend on the basemap
        return f"{URL_PREFIX}/{self.part}/{self.lang}/{crs}/{self.doc or ALL}/{self.system or ALL}/{digest}.json"

    @classmethod
    def parse(cls, *, part: str, lang: str, crs: str, doc: str, system: str) -> DataKey:
        """The key a URL's segments name; ValueError for any segment that is not one (whether a
        document or platform system exists is for the caller to check against the data)."""
        if part not in PARTS or lang not in LANGS or crs not in CRS.values():
            raise ValueError("unknown part, language or datum")
        if crs == CRS[True] and part != "layout":
            raise ValueError("popups have no datum")
        for value in (doc, system):
            if not _ID.fullmatch(value):
                raise ValueError("not an id")
        return cls(part=part, lang=lang, gcj02=crs == CRS[True],
                   doc=None if doc == ALL else doc, system=None if system == ALL else system)


def is_digest(text: str) -> bool:
    return bool(_DIGEST.fullmatch(text))


def digest(body: bytes) -> str:
    """A document's name: 20 hex digits of its SHA-256 (80 bits: no two revisions collide)."""
    return hashlib.sha256(body).hexdigest()[:20]


def encode(doc: object) -> bytes:
    """Compact UTF-8 JSON; the same document always gives the same bytes (and so the same name)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()


def document(checked: CheckedLayout, key: DataKey) -> bytes:
    """The document `key` names, of `checked` (the reading: checked.as_read(key.doc, key.system))."""
    layers = build_layers(checked, lang=key.lang)
    if key.part == "popups":
        return encode(popups_payload(checked, layers, lang=key.lang))
    return encode(layout_payload(checked, layers, gcj02=key.gcj02, lang=key.lang, doc=key.doc))


@dataclass
class Place:
    """Everything drawn at one point."""

    point: Point
    members: list[tuple[MapLayer, MapItem]] = field(default_factory=list)


def _rank(item: MapItem) -> tuple[float, ...]:
    """Which member gives the marker its symbol and label: the registry's label order (poles,
    nodes, cores, core areas, parks), then the unlabelled (platforms)."""
    return label_rank(item.entry) or (math.inf,)


def places(layers: Iterable[MapLayer]) -> list[Place]:
    """The markers: one per point, its members in rank order."""
    groups: dict[tuple[float, float], Place] = {}
    for layer in layers:
        for item in layer.items:
            if item.entry is None:
                continue
            pt = item.anchor if item.anchor is not None else item.geometry
            if not isinstance(pt, Point):
                continue
            key = (round(pt.x, DIGITS), round(pt.y, DIGITS))
            groups.setdefault(key, Place(pt)).members.append((layer, item))
    for place in groups.values():
        place.members.sort(key=lambda m: _rank(m[1]))
    return list(groups.values())


def _member(layer: MapLayer, item: MapItem) -> dict[str, object]:
    """One entry at a place, as gzmap.js needs it to draw the place's marker from the members
    whose layers are on: its symbol, name and, for labelled kinds, its label's priority
    (geo.data.kinds.label_rank: gzmap.js places labels in this order), emphasis and whether it is
    one of the labels never left off (geo.data.kinds.label_always: placed before all others)."""
    svg, size = svg_symbol(item.style)
    out: dict[str, object] = {"id": item.id, "layer": layer.key, "css": layer.css_class,
                              "label": html_text(item.label), "kind": html_text(item.kind_label),
                              "svg": svg, "size": size, "symbol": bool(item.style.radius)}
    rank = label_rank(item.entry)
    if rank is not None:
        out["priority"] = list(rank)
        out["strong"] = item.style.strong
        out["always"] = label_always(item.entry)
    return out


def _rounded(geom: BaseGeometry) -> dict[str, Any]:
    return mapping(shapely.set_precision(geom, 10 ** -DIGITS))


def _shapes(layers: list[MapLayer]) -> list[dict[str, object]]:
    """Lines (with a popup: the popups document has their ids) and areas (districts, schematic
    extents: under the markers, not clickable), in drawing order."""
    out: list[dict[str, object]] = []
    for layer in layers:
        for item in layer.items:
            if isinstance(item.geometry, Point):
                continue  # in a place's marker
            line = item.geometry.geom_type in ("LineString", "MultiLineString")
            out.append({"id": item.id, "layer": layer.key, "line": line,
                        "style": leaflet_style(item.style, f"{layer.css_class}-shape gz-id-{item.id}"),
                        "geometry": _rounded(item.geometry)})
    return out


def layout_payload(checked: CheckedLayout, layers: list[MapLayer], *, gcj02: bool, lang: Lang,
                   doc: str | None = None) -> dict[str, object]:
    """The layout document: every layer's places (each with its members, in rank order), lines
    and areas, the district names, each layer's legend and the city outline (the minimap). The
    browser switches layers by itself. On GCJ-02 tiles every geometry is shifted to GCJ-02 here,
    at the drawing edge: the data stay WGS84. The title block names `doc` when the map shows
    one document's reading."""
    if gcj02:
        layers = [layer.with_geometry(geometry_to_gcj02) for layer in layers]
    district_layer = next((layer for layer in layers if layer.key == DISTRICTS), None)
    districts = [{"id": item.id, "lat": round((pt := item.geometry.representative_point()).y, DIGITS),
                  "lon": round(pt.x, DIGITS), "text": html_text(item.label), "priority": [DISTRICT_LABEL_PRIORITY]}
                 for item in (district_layer.items if district_layer else ())]
    outline = shapely.union_all([d.geometry for d in checked.districts]).simplify(0.005)
    if gcj02:
        outline = geometry_to_gcj02(outline)
    return {
        "lang": lang, "gcj02": gcj02, "revision": checked.revision, "css": DETAILS_CSS,  # the popups' style
        "text": {k: html_text(t(f"web.{k}", lang)) for k in WEB_TEXTS}
        | {"join": join(["", ""], lang), "colon": colon(lang),
           "revision": html_text(t("data.revision", lang, revision=checked.revision))},  # in the attribution
        "layers": [{"key": layer.key, "css": layer.css_class, "legend": legend_html(layer, lang)} for layer in layers],
        "places": [{"lat": round(p.point.y, DIGITS), "lon": round(p.point.x, DIGITS),
                    "members": [_member(layer, item) for layer, item in p.members]} for p in places(layers)],
        "districts": districts,
        "shapes": _shapes(layers),
        "outline": _rounded(outline),
        "title": title_block(checked, lang=lang, doc=doc),
    }


def popups_payload(checked: CheckedLayout, layers: list[MapLayer], *, lang: Lang) -> dict[str, str]:
    """The popups document: entry id -> its details, for every entry with a marker or a line."""
    out: dict[str, str] = {}
    for layer in layers:
        for item in layer.items:
            if item.entry is not None and item.id not in out:
                out[item.id] = details_html(checked, item.entry, item.kind_label, lang=lang)
    return out
