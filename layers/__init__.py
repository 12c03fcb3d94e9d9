"""Map layers: one module per layer, each turning the checked layout into styled items that
both the interactive (folium) and the static (matplotlib) renderer draw the same way."""
from __future__ import annotations

from dataclasses import replace

from geo.i18n import Lang
from layers import axis, cores, districts, parks, platforms
from layers.base import MapItem, MapLayer, Style

# Drawing order, bottom to top: platforms sit under the parks and nodes they belong to, so
# at city scale a click reaches the place; zoomed in, their ring (layers.platforms) shows them.
# Keys are what the app and the CLI call the layers.
MODULES = {m.KEY: m for m in (districts, cores, platforms, parks, axis)}

__all__ = ["MODULES", "MapItem", "MapLayer", "Style", "build_layers", "layer_titles"]


def layer_titles(lang: Lang = "zh") -> dict[str, str]:
    """Layer key -> title, in drawing order (what the app and the CLI offer)."""
    return {key: m.TITLE[lang] for key, m in MODULES.items()}


def build_layers(checked, keys=None, lang: Lang = "zh") -> list[MapLayer]:
    """The requested layers (all by default), in drawing order, named in `lang`."""
    layers = [m.build(checked, lang) for key, m in MODULES.items() if keys is None or key in keys]
    # A filtered layout (one document's reading) can leave an item with nothing to draw.
    return [replace(layer, items=[i for i in layer.items if i.geometry is not None and not i.geometry.is_empty])
            for layer in layers]
