"""The interactive map: folium built from the shared layers, with no asset from outside.

`build_map` is the one entry point (compare geopandas' explore): the layers to draw, the
basemap, and nothing else; focus and search highlights are a separate feature group so the app
can change them without rebuilding the map.
"""
from __future__ import annotations

import math

import folium
import shapely
from folium.template import Template
from shapely.geometry import Point, mapping

from geo.maps import offline_assets
from geo.maps.basemaps import BASEMAPS
from geo.crs import geometry_to_gcj02
from geo.maps.details import DETAILS_CSS, details_html
from geo.safe import html_text
from geo.data.model import CheckedLayout
from layers import MapLayer, Style
from layers.districts import FOCUS

GUANGZHOU_CENTER = (23.24, 113.46)  # lat, lon
GUANGZHOU_ZOOM = 9.25  # the whole city in a 700 px tall map
ZOOM_SNAP = 0.25


def leaflet_style(style: Style, css_class: str) -> dict:
    """A layer style as Leaflet path options (camelCase, which folium passes through)."""
    return {"color": style.color, "weight": style.weight, "fill": style.fill != "none",
            "fillColor": None if style.fill == "none" else style.fill,
            "fillOpacity": style.fill_opacity, "dashArray": style.dash_css, "className": css_class}


def _add_item(group: folium.FeatureGroup, item, css_class: str, popup_html: str | None) -> None:
    geom = item.geometry
    tooltip = folium.Tooltip(f"{html_text(item.label)}<br><small>{html_text(item.kind_zh)}</small>")
    popup = folium.Popup(popup_html, max_width=380, max_height=360) if popup_html else None
    # Classes let the page (and its tests) tell each layer's markers from its lines and areas.
    if isinstance(geom, Point):
        opts = leaflet_style(item.style, f"{css_class} gz-item gz-id-{item.id}")
        folium.CircleMarker((geom.y, geom.x), radius=item.style.radius, tooltip=tooltip, popup=popup,
                            **opts).add_to(group)
    elif geom.geom_type in ("LineString", "MultiLineString"):
        lines = [[(y, x) for x, y in g.coords] for g in getattr(geom, "geoms", [geom])]
        opts = leaflet_style(item.style, f"{css_class}-shape gz-id-{item.id}")
        folium.PolyLine(lines, tooltip=tooltip, popup=popup, **opts).add_to(group)
    else:
        _polygon(geom, item.style, f"{css_class}-shape gz-id-{item.id}", tooltip, popup).add_to(group)


def _polygon(geom, style: Style, css_class: str, tooltip=None, popup=None) -> folium.GeoJson:
    """Polygons go through GeoJSON: folium.Polygon cannot draw holes or several parts."""
    opts = leaflet_style(style, css_class)
    return folium.GeoJson(mapping(geom), style_function=lambda _: opts, tooltip=tooltip, popup=popup)


def legend_html(layers: list[MapLayer]) -> str:
    rows = []
    for layer in layers:
        rows.append(f'<div class="gz-legend-title">{html_text(layer.title_zh)}</div>')
        for s in layer.legend:
            if s.radius:
                r = max(4, min(s.radius, 9))
                swatch = (f'<span class="gz-sw" style="width:{2 * r}px;height:{2 * r}px;border-radius:50%;'
                          f'background:{s.fill};border:{s.weight:g}px solid {s.color}"></span>')
            elif s.fill == "none":
                border = "dashed" if s.dash else "solid"
                swatch = f'<span class="gz-sw gz-line" style="border-top:{s.weight:g}px {border} {s.color}"></span>'
            else:
                border = "dashed" if s.dash else "solid"
                swatch = (f'<span class="gz-sw" style="background:{s.fill};opacity:{max(s.fill_opacity, .5)};'
                          f'border:1px {border} {s.color}"></span>')
            rows.append(f'<div class="gz-legend-row">{swatch}{html_text(s.label_zh)}</div>')
    return f'<div class="gz-legend">{"".join(rows)}</div>'


CSS = """
.gz-legend{background:rgba(255,255,255,.93);padding:5px 8px;border-radius:4px;font:11.5px/1.35 sans-serif;
  box-shadow:0 1px 4px rgba(0,0,0,.3);max-height:80vh;overflow:auto}
.gz-legend-title{font-weight:bold;margin-top:3px}
.gz-legend-row{display:flex;align-items:center;gap:6px;white-space:nowrap}
.gz-sw{display:inline-block;width:16px;height:12px;flex:none}
.gz-sw.gz-line{height:0;width:22px}
""" + DETAILS_CSS


class Legend(folium.MacroElement):
    """A Leaflet control holding the legend and the popup styles: always on the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var style = document.createElement('style');
            style.textContent = {{ this.css|tojson }};
            document.head.appendChild(style);
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function() {
                var div = L.DomUtil.create('div');
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str, css: str = CSS):
        super().__init__()
        self._name = "Legend"
        self.html, self.css = html, css


def _to_basemap(layers: list[MapLayer], gcj02: bool) -> list[MapLayer]:
    """Shift geometry to GCJ-02 only when drawing on GCJ-02 tiles (the data stays WGS84)."""
    return [layer.with_geometry(geometry_to_gcj02) for layer in layers] if gcj02 else layers


def build_map(checked: CheckedLayout, layers: list[MapLayer], basemap: str = "none") -> folium.Map:
    spec = BASEMAPS[basemap]
    m = folium.Map(location=GUANGZHOU_CENTER, zoom_start=GUANGZHOU_ZOOM, tiles=None,
                   control_scale=True, prefer_canvas=False, zoom_snap=ZOOM_SNAP, zoom_delta=0.5)
    m.default_js, m.default_css = offline_assets.JS, offline_assets.CSS
    if spec.provider is not None:
        folium.TileLayer(spec.provider.build_url(), attr=spec.provider.html_attribution,
                         max_zoom=spec.provider.get("max_zoom", 18)).add_to(m)
    for layer in _to_basemap(layers, spec.gcj02):
        group = folium.FeatureGroup(name=layer.title_zh)
        for item in layer.items:
            popup = details_html(checked, item.entry, item.kind_zh) if item.entry is not None else None
            _add_item(group, item, layer.css_class, popup)
        group.add_to(m)
    Legend(legend_html(layers)).add_to(m)
    return m


def highlight_group(geometry: shapely.Geometry | None, basemap: str = "none") -> folium.FeatureGroup:
    """The selected district's outline or the found place's ring, drawn over the map."""
    group = folium.FeatureGroup(name="highlight")
    if geometry is None:
        return group
    if BASEMAPS[basemap].gcj02:
        geometry = geometry_to_gcj02(geometry)
    if isinstance(geometry, Point):
        folium.CircleMarker((geometry.y, geometry.x), radius=16,
                            **leaflet_style(FOCUS, "gz-highlight")).add_to(group)
    else:
        _polygon(geometry, FOCUS, "gz-highlight").add_to(group)
    return group


def view_for(geometry: shapely.Geometry, width_px: int = 640, height_px: int = 600) -> tuple[tuple[float, float], float]:
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
