"""Guangzhou S&T innovation layout: loading, validation, coordinate systems and exports.

The Python API: `load_checked()` gives the checked layout (geo.data.model), `frames(checked)` one
GeoDataFrame per kind (geo.exports.frames).
"""
from geo.data.validate import load_checked, validate
from geo.exports.frames import frames

__all__ = ["frames", "load_checked", "validate"]
