"""Coordinate systems.

All data is WGS84 (EPSG:4326). Areas use an equal-area projection, the static maps and scale
bars use CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547), and GCJ-02 (the obfuscated datum
of Chinese web maps such as Amap/Gaode) is applied only at the edge, when drawing on its tiles.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
GAUSS_KRUGER_114E = "EPSG:4547"
# Albers equal-area with standard parallels bracketing Guangzhou (22.5°N–24.0°N).
EQUAL_AREA = "+proj=aea +lat_1=22.5 +lat_2=24 +lat_0=23 +lon_0=113.5 +ellps=GRS80 +units=m"


@lru_cache(maxsize=None)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def project(geom: BaseGeometry, dst: str, src: str = WGS84) -> BaseGeometry:
    """Reproject a shapely geometry (x = lon/easting, y = lat/northing)."""
    tr = _transformer(src, dst)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def area_km2(geom: BaseGeometry) -> float:
    """Area of a WGS84 geometry in km², computed in an equal-area projection."""
    return project(geom, EQUAL_AREA).area / 1e6


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lon, lat) points on the WGS84 ellipsoid."""
    return _GEOD.inv(a[0], a[1], b[0], b[1])[2]


_GEOD = Geod(ellps="WGS84")


# --- GCJ-02 -------------------------------------------------------------------------------
# The published forward formula (the same one every open implementation uses); the inverse has
# no closed form and is solved by fixed-point iteration to well under a millimetre.
_A = 6378245.0
_EE = 0.00669342162296594323


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-10 and abs(dlat) < 1e-10:
            break
    return wlon, wlat


def geometry_to_gcj02(geom: BaseGeometry) -> BaseGeometry:
    """Shift a WGS84 geometry onto GCJ-02 tiles (used only when drawing on Amap tiles)."""
    return shapely.transform(geom, lambda xy: np.array([wgs84_to_gcj02(x, y) for x, y in xy]))
