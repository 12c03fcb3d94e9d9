"""GCJ-02 conversion (issue 2) and projected measures."""
from __future__ import annotations

import pytest

from geo.crs import distance_m, gcj02_to_wgs84, wgs84_to_gcj02

# A published pair: the README of the open-source Java library "Geometry Utilities" converts
# WGS-84 (39.980945, 116.348120) to GCJ-02 (39.982296, 116.354308).
WGS = (116.348120, 39.980945)
GCJ = (116.354308, 39.982296)


def test_known_pair_converts_both_ways():
    assert wgs84_to_gcj02(*WGS) == pytest.approx(GCJ, abs=1e-6)
    assert gcj02_to_wgs84(*GCJ) == pytest.approx(WGS, abs=1e-6)


def test_inverse_round_trips_in_guangzhou_to_a_centimetre():
    for lon, lat in [(113.2644, 23.1291), (113.55, 22.7), (113.6, 23.7)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        assert distance_m((lon, lat), back) < 0.01


def test_distance_is_geodesic_metres():
    # One degree of latitude near 23°N is about 110.8 km.
    assert distance_m((113.3, 23.0), (113.3, 24.0)) == pytest.approx(110_800, rel=0.002)
