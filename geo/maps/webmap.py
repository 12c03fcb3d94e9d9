"""The interactive map: folium built from the shared layers, with no asset from outside.

`build_map` is the one entry point (compare geopandas' explore): the layers to draw and the
basemap. Lines and areas are folium layers; every point is one marker per place, drawn by
geo/maps/web/gzmap.js from a payload built here: whatever stands at one place (a node on a park
that is also a core's 片区, the platforms at a place) shares one marker whose popup lists them
all, so every entry can be clicked at any zoom. The same script places labels that never
overlap (in the registry's label priority, as the print maps do), the legend, and the controls.
Focus and search highlights are a separate feature group so the app can change them without
rebuilding the map.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypedDict

import folium
import shapely
from folium.template import Template
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from geo.crs import geometry_to_gcj02
from geo.data.kinds import DISTRICT_LABEL_PRIORITY, label_rank
from geo.data.model import CheckedLayout
from geo.i18n import Lang, colon, join, t
from geo.maps import assets
from geo.maps.basemaps import BASEMAPS, Basemap
from geo.maps.details import DETAILS_CSS, details_html
from geo.maps.folium_internals import stable_ids
from geo.safe import html_text
from layers import MapItem, MapLayer, Style
from layers.districts import FOCUS
from layers.districts import KEY as DISTRICTS

GUANGZHOU_CENTER = (23.24, 113.46)  # lat, lon
GUANGZHOU_ZOOM = 9.25  # the whole city in a 700 px tall map
ZOOM_SNAP = 0.25


class PathOptions(TypedDict):
    """Leaflet path options (camelCase, which folium passes through)."""

    color: str
    weight: float
    fill: bool
    fillColor: str | None
    fillOpacity: float
    dashArray: str | None
    className: str


def leaflet_style(style: Style, css_class: str) -> PathOptions:
    """A layer style as Leaflet path options."""
    return {"color": style.color, "weight": style.weight, "fill": style.fill != "none",
            "fillColor": None if style.fill == "none" else style.fill,
            "fillOpacity": style.fill_opacity, "dashArray": style.dash_css, "className": css_class}


def _polygon(geom: BaseGeometry, style: Style, css_class: str, *, interactive: bool = True) -> folium.GeoJson:
    """Polygons go through GeoJSON: folium.Polygon cannot draw holes or several parts."""
    opts = leaflet_style(style, css_class)
    return folium.GeoJson(mapping(geom), style_function=lambda _: opts, interactive=interactive)


def _star(n: int, r_out: float, r_in: float) -> list[tuple[float, float]]:
    return [((r_out if i % 2 == 0 else r_in) * math.sin(math.pi * i / n),
             -(r_out if i % 2 == 0 else r_in) * math.cos(math.pi * i / n)) for i in range(2 * n)]


def _regular(n: int, r: float, turn: float = 0.0) -> list[tuple[float, float]]:
    return [(r * math.sin(2 * math.pi * i / n + turn), -r * math.cos(2 * math.pi * i / n + turn)) for i in range(n)]


# matplotlib marker code -> outline, as on the print maps (shape tells layers apart, not only colour)
_SHAPES = {"*": lambda r: _star(5, r * 1.25, r * 0.55), "h": lambda r: _regular(6, r * 1.1),
           "s": lambda r: _regular(4, r * 1.2, math.pi / 4), "D": lambda r: _regular(4, r * 1.15),
           "^": lambda r: _regular(3, r * 1.25), "v": lambda r: _regular(3, r * 1.25, math.pi)}


def svg_symbol(style: Style, scale: float = 1.0) -> tuple[str, int]:
    """The style's symbol as inline SVG and its box size in pixels."""
    r = max(style.radius * scale, 3.0)
    size = int(2 * r * 1.3 + 2 * style.weight + 2)
    c = size / 2
    paint = f'fill="{style.fill}" stroke="{style.color}" stroke-width="{style.weight:g}"'
    if style.marker in _SHAPES:
        pts = " ".join(f"{c + x:.1f},{c + y:.1f}" for x, y in _SHAPES[style.marker](r))
        shape = f'<polygon points="{pts}" {paint}/>'
    else:
        shape = f'<circle cx="{c}" cy="{c}" r="{r:.1f}" {paint}/>'
    return f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" aria-hidden="true">{shape}</svg>', size


def _swatch(s: Style) -> str:
    if s.radius:
        return f'<span class="gz-sw">{svg_symbol(s, 0.8)[0]}</span>'
    border = "dashed" if s.dash else "solid"
    if s.fill == "none":
        return f'<span class="gz-sw gz-line" style="border-top:{s.weight:g}px {border} {s.color}"></span>'
    return (f'<span class="gz-sw" style="background:{s.fill};opacity:{max(s.fill_opacity, .5)};'
            f'border:1px {border} {s.color}"></span>')


def legend_html(layer: MapLayer, lang: Lang) -> str:
    """One layer's part of the legend (gzmap.js shows the parts of the layers that are on)."""
    rows = [f'<div class="gz-legend-title">{html_text(layer.title)}</div>']
    rows += [f'<div class="gz-legend-row">{_swatch(s)}{html_text(s.label(lang))}</div>' for s in layer.legend]
    if layer.note:  # what the reading says about the layer that the map cannot show (no axis)
        rows.append(f'<div class="gz-legend-note" style="max-width:16em;color:#555;font-style:italic">'
                    f'{html_text(layer.note)}</div>')
    return "".join(rows)


@dataclass
class _Place:
    """Everything drawn at one point."""

    point: Point
    members: list[tuple[MapLayer, MapItem]] = field(default_factory=list)


def _rank(item: MapItem) -> tuple[float, ...]:
    """Which member gives the marker its symbol and label: the registry's label order (poles,
    nodes, cores, core areas, parks), then the unlabelled (platforms)."""
    return label_rank(item.entry) or (math.inf,)


def _places(layers: list[MapLayer]) -> list[_Place]:
    groups: dict[tuple[float, float], _Place] = {}
    for layer in layers:
        for item in layer.items:
            if item.entry is None:
                continue
            pt = item.anchor if item.anchor is not None else item.geometry
            if not isinstance(pt, Point):
                continue
            key = (round(pt.x, 5), round(pt.y, 5))
            groups.setdefault(key, _Place(pt)).members.append((layer, item))
    for place in groups.values():
        place.members.sort(key=lambda m: _rank(m[1]))
    return list(groups.values())


WEB_TEXTS = ("places", "legend", "fullscreen", "coords", "minimap", "copy_link", "link_copied", "copy_prompt",
             "tiles_failed")


def _member(checked: CheckedLayout, layer: MapLayer, item: MapItem, lang: Lang) -> dict[str, object]:
    """One entry at a place, as gzmap.js needs it to draw the place's marker from the members
    whose layers are on: its symbol, name, popup and, for labelled kinds, its label's priority
    (geo.data.kinds.label_rank: gzmap.js places labels in this order) and emphasis."""
    svg, size = svg_symbol(item.style)
    out = {"id": item.id, "layer": layer.key, "css": layer.css_class, "label": html_text(item.label),
           "kind": html_text(item.kind_label),
           "popup": details_html(checked, item.entry, item.kind_label, lang=lang),
           "svg": svg, "size": size, "symbol": bool(item.style.radius)}
    rank = label_rank(item.entry)
    if rank is not None:
        out["priority"] = list(rank)
        out["strong"] = item.style.strong
    return out


def payload(checked: CheckedLayout, layers: list[MapLayer], gcj02: bool, token: str, *, lang: Lang,
            visible: tuple[str, ...] | None = None) -> dict[str, object]:
    """What gzmap.js draws: every layer's places (each with its members, in rank order), the
    district names, each layer's legend, the city outline for the minimap, and which layers are
    on at first; the browser switches layers without the server."""
    places = [{"lat": p.point.y, "lon": p.point.x, "members": [_member(checked, layer, item, lang)
                                                              for layer, item in p.members]}
              for p in _places(layers)]
    district_layer = next((layer for layer in layers if layer.key == DISTRICTS), None)
    districts = [{"lat": (pt := item.geometry.representative_point()).y, "lon": pt.x, "text": html_text(item.label),
                  "priority": [DISTRICT_LABEL_PRIORITY]}
                 for item in (district_layer.items if district_layer else ())]
    outline = shapely.union_all([d.geometry for d in checked.districts]).simplify(0.005)
    if gcj02:
        outline = geometry_to_gcj02(outline)
    return {"places": places, "districts": districts, "gcj02": gcj02, "view_token": token,
            "layers": [{"key": layer.key, "css": layer.css_class, "legend": legend_html(layer, lang)}
                       for layer in layers],
            "visible": [layer.key for layer in layers if visible is None or layer.key in visible],
            "outline": mapping(outline), "lang": lang,
            "text": {k: html_text(t(f"web.{k}", lang)) for k in WEB_TEXTS} | {"join": join(["", ""], lang),
                                                                             "colon": colon(lang)}
            | {"revision": html_text(t("data.revision", lang, revision=checked.revision))}}  # in the attribution


class LayoutMarkers(folium.MacroElement):
    """Hands the payload to gzmap.js, which draws markers, labels, legend and controls."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var style = document.createElement('style');
            style.textContent = {{ this.css|tojson }};
            document.head.appendChild(style);
            GZ.init({{ this.map.get_name() }}, {{ this.data_js }});
        })();
        {% endmacro %}
    """)

    def __init__(self, m: folium.Map, data: dict[str, object], css: str = DETAILS_CSS) -> None:
        super().__init__()
        self._name = "LayoutMarkers"  # _name and _template: MacroElement's documented way to subclass
        self.map, self.data_js, self.css = m, script_literal(data), css


def script_literal(data: object) -> str:
    """JSON as a JavaScript literal inside <script>: compact (no \\u003c for every tag, unlike
    Jinja's tojson), with the only sequences that could end the script or open a comment broken."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def _to_basemap(layers: list[MapLayer], gcj02: bool) -> list[MapLayer]:
    """Shift geometry to GCJ-02 only when drawing on GCJ-02 tiles (the data stays WGS84)."""
    return [layer.with_geometry(geometry_to_gcj02) for layer in layers] if gcj02 else layers


def build_map(checked: CheckedLayout, layers: list[MapLayer], basemap: Basemap | str = "none",
              view: tuple[tuple[float, float], float] = (GUANGZHOU_CENTER, GUANGZHOU_ZOOM),
              view_token: str = "", *, lang: Lang, visible: tuple[str, ...] | None = None) -> folium.Map:
    """The web map of `layers`, opening at `view` (centre, zoom); `view_token` names that view
    (district, search hit): while it stays the same, the browser keeps the user's own centre and
    zoom across reruns, and only a new token moves the map. `layers` are built in `lang`, the
    language of the map's own texts and popups. Of `layers`, those in `visible` (default: all) are
    on at first; GZ.setLayers switches them in the browser, with no new map from the server."""
    spec = BASEMAPS[basemap] if isinstance(basemap, str) else basemap
    # zoom_start: folium annotates an int, but Leaflet takes the fractional zooms ZOOM_SNAP allows.
    m = folium.Map(location=view[0], zoom_start=view[1], tiles=None,  # type: ignore[arg-type]
                   control_scale=False, prefer_canvas=False, zoom_snap=ZOOM_SNAP, zoom_delta=0.5)
    m.default_js, m.default_css = assets.JS, assets.CSS
    if spec.provider is not None:
        folium.TileLayer(spec.provider.build_url(), attr=spec.provider.html_attribution,
                         subdomains=spec.provider.get("subdomains", "abc"),
                         max_zoom=spec.provider.get("max_zoom", 18)).add_to(m)
    shown = _to_basemap(layers, spec.gcj02)
    for layer in shown:
        group = folium.FeatureGroup(name=html_text(layer.title))
        for item in layer.items:
            geom = item.geometry
            if isinstance(geom, Point):
                continue  # drawn by gzmap.js, one marker per place
            if geom.geom_type in ("LineString", "MultiLineString"):
                lines = [[(y, x) for x, y in g.coords] for g in getattr(geom, "geoms", [geom])]
                popup = folium.Popup(details_html(checked, item.entry, item.kind_label, lang=lang), max_width=360)
                folium.PolyLine(lines, popup=popup, **leaflet_style(item.style, f"{layer.css_class}-shape "
                                                                                f"gz-id-{item.id}")).add_to(group)
            else:  # districts and schematic extents: areas under the markers, not tab stops
                _polygon(geom, item.style, f"{layer.css_class}-shape gz-id-{item.id}", interactive=False).add_to(group)
        group.add_to(m)
    LayoutMarkers(m, payload(checked, shown, spec.gcj02, view_token, lang=lang, visible=visible)).add_to(m)
    stable_ids(m, "m")
    return m


def _tell_maps(value: object, *, name: str, method: str) -> str:
    """A page snippet handing `value` to every web map of the page (same origin): now, by
    GZ.<method>, and to a map that draws itself again later, as window.parent.<name> (gzmap.js
    reads it when it draws)."""
    return ("<script>const value = " + script_literal(value) + ";"
            f"window.parent.{name} = value;"
            "for (const f of window.parent.document.querySelectorAll('iframe')) {"
            f"try {{ const gz = f.contentWindow.GZ; if (gz && gz.{method}) gz.{method}(value); }} catch (e) {{}} }}"
            "</script>")


def set_layers_script(keys: tuple[str, ...]) -> str:
    """A page snippet that tells every web map of the page which layers to show."""
    return _tell_maps(list(keys), name="GZ_LAYERS", method="setLayers")


def set_reviews_script(statuses: Mapping[str, str]) -> str:
    """A page snippet that tells every web map of the page the review status line of each
    reviewed entry (entry id -> a short text in the page's language, escaped here); gzmap.js
    (GZ.setReviews) shows it at the top of the popup of each marker standing for that entry. The
    popups themselves stay the same for every user (they are cached); an empty mapping removes
    the lines (signing out)."""
    return _tell_maps({str(entry): html_text(text) for entry, text in statuses.items()},
                      name="GZ_REVIEWS", method="setReviews")


def highlight_group(geometry: BaseGeometry | None, basemap: Basemap | str = "none") -> folium.FeatureGroup:
    """The selected district's outline or the found place's ring, drawn over the map."""
    group = folium.FeatureGroup(name="highlight")
    if geometry is None:
        return group
    if (BASEMAPS[basemap] if isinstance(basemap, str) else basemap).gcj02:
        geometry = geometry_to_gcj02(geometry)
    if isinstance(geometry, Point):
        folium.CircleMarker((geometry.y, geometry.x), radius=16,
                            **leaflet_style(FOCUS, "gz-highlight")).add_to(group)
    else:
        _polygon(geometry, FOCUS, "gz-highlight").add_to(group)
    stable_ids(group, "h")
    return group


def view_for(geometry: BaseGeometry, width_px: int = 640, height_px: int = 600) -> tuple[tuple[float, float], float]:
    """Centre (lat, lon) and the largest web-mercator zoom (in ZOOM_SNAP steps) at which the
    geometry fits in the part of the map the legend leaves free."""
    minx, miny, maxx, maxy = geometry.bounds
    if isinstance(geometry, Point):
        return (geometry.y, geometry.x), 14

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zx = math.log2(width_px * 360 / (256 * max(maxx - minx, 1e-6)))
    zy = math.log2(height_px * 2 * math.pi / (256 * max(merc_y(maxy) - merc_y(miny), 1e-9)))
    zoom = max(1.0, min(16.0, math.floor(min(zx, zy) / ZOOM_SNAP) * ZOOM_SNAP))
    return ((miny + maxy) / 2, (minx + maxx) / 2), zoom
