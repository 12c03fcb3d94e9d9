"""Guangzhou S&T innovation layout: loading, validation, coordinate systems and exports.

The Python API: `load_checked()` gives the checked layout (geo.data.model), `frames(checked)` one
GeoDataFrame per kind (geo.exports.frames).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

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
