"""Guangzhou S&T innovation layout: loading, validation, coordinate systems and exports.

The Python API: `load_checked()` gives the checked layout (geo.data.model), `frames(checked)` one
GeoDataFrame per kind (geo.exports.frames).

Layout by job, imports pointing one way only (`LAYERS`, lowest first; tests/test_layout.py
enforces it): a package imports from its own level or below, never above.
- geo.safe, crs, settings, i18n, files, fonts: single modules that need no other package;
- geo.data: loading, validation, the checked model and what each district is assigned;
- layers (the map layers from the model) and geo.search;
- geo.maps: the maps themselves, web (Leaflet, drawn by geo/maps/web/gzmap.js) and print (matplotlib);
- geo.exports: files out (district sheets, their PDF, the atlas, data, standalone HTML);
- geo.review: the district review (its database, the spreadsheet round trip) on the sheets' rows;
- geo.ui: the server: Streamlit glue (the only package that imports streamlit), the map's files over HTTP;
- entry points: geo.__main__ (the CLI, never loads Streamlit) and app.py (the app).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

LAYERS = (("geo.safe", "geo.crs", "geo.settings", "geo.i18n", "geo.files", "geo.fonts"),
          ("geo.data",), ("layers", "geo.search"), ("geo.maps",), ("geo.exports",), ("geo.review",), ("geo.ui",),
          ("geo.__main__", "app"))

__all__ = ["frames", "load_checked", "validate"]
# Imported on first use, so `python -m geo.ui.serve` (the server launcher) does not load pandas
# and geopandas into a process that may serve another page (bench/'s bare page).
_HOME = {"load_checked": "geo.data.validate", "validate": "geo.data.validate", "frames": "geo.exports.frames"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'geo' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value
