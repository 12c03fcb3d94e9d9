"""The layers' styles as the web map draws them: Leaflet path options, marker symbols as inline
SVG (the print maps' matplotlib markers, so shape tells layers apart there too) and the legend."""
from __future__ import annotations

import math
from typing import TypedDict

from geo.i18n import Lang
from geo.safe import html_text
from layers import MapLayer, Style


class PathOptions(TypedDict):
    """Leaflet path options (camelCase: gzmap.js hands them to Leaflet as they are)."""

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
