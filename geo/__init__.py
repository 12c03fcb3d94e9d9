"""Guangzhou S&T innovation layout: loading, validation, coordinate systems and exports.

The Python API: `load_checked()` gives the checked layout (geo.model), `frames(checked)` one
GeoDataFrame per kind (geo.frames).
"""
from geo.frames import frames
from geo.validate import load_checked, validate

__all__ = ["frames", "load_checked", "validate"]
