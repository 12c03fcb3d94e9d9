"""Map layers: one module per layer, each turning the checked layout into styled items that
both the interactive (Leaflet) and the static (matplotlib) renderer draw the same way.

A layer module has a KEY (what the app, the CLI and links call it; its title is the catalogue's
`layer.title.<KEY>`) and `build(checked, lang)`; which kinds it draws is the registry's say
(geo.data.kinds.kinds_of_layer)."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from geo.data.model import CheckedLayout
from geo.i18n import Lang, t
from layers import axis, cores, districts, parks, platforms
from layers.base import MapItem, MapLayer, Style

# Drawing order, bottom to top: platforms sit under the parks and nodes they belong to, so
# at city scale a click reaches the place; zoomed in, their ring (layers.platforms) shows them.
# Keys are what the app and the CLI call the layers.
MODULES = {m.KEY: m for m in (districts, cores, platforms, parks, axis)}

__all__ = ["MODULES", "MapItem", "MapLayer", "Style", "build_layers", "layer_titles"]


def layer_titles(*, lang: Lang) -> dict[str, str]:
    """Layer key -> title, in drawing order (what the app and the CLI offer)."""
    return {key: t(f"layer.title.{key}", lang) for key in MODULES}


def build_layers(checked: CheckedLayout, keys: Collection[str] | None = None, *, lang: Lang) -> list[MapLayer]:
    """The requested layers (all by default), in drawing order, named in `lang`."""
    layers = [m.build(checked, lang) for key, m in MODULES.items() if keys is None or key in keys]
    # A filtered layout (one document's reading) can leave an item with nothing to draw.
    layers = [replace(layer, items=tuple(i for i in layer.items if i.geometry is not None and not i.geometry.is_empty))
              for layer in layers]
    # A reading may name nothing of a layer (000 cites no place at all): the legend then says so
    # instead of listing symbols that are nowhere on the map.
    return [layer if layer.items or layer.unplaced or layer.note
            else replace(layer, legend=(), note=t("layer.none", lang, layer=short_title(layer)))
            for layer in layers]


def short_title(layer: MapLayer) -> str:
    """A layer's title without its gloss: 四核（一区三城） -> 四核, Four cores (one zone, ...) -> Four cores."""
    return layer.title.split("（")[0].split(" (")[0]
