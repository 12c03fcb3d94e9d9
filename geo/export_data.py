"""All layers as one table of features, for GIS users: GeoJSON or CSV (UTF-8 with BOM)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import shapely
from shapely.geometry import mapping

from geo.geometry import axis_line, extent_of, located_in, point_of, segment_geometry
from geo.model import SCOPE_ZH, Entry
from geo.safe import sheet_cell
from geo.validate import CheckedLayout

COLUMNS = ("id", "layer", "name_zh", "name_en", "district", "located_in", "group", "role_zh",
           "platforms", "sources")


def _sources(e: Entry) -> list[dict[str, str]]:
    return [{"doc": s.doc, "section": s.section, "quote": s.quote} for s in e.sources]


def _district_label(e: Entry) -> str:
    return SCOPE_ZH.get(e.district_scope) or "、".join(e.districts)


def entry_geometry(checked: CheckedLayout, e: Entry) -> shapely.Geometry | None:
    layout, districts = checked.layout, checked.districts
    if e.layer == "axis":
        return axis_line(layout)
    if e.layer == "segment":
        return segment_geometry(layout, districts, e)
    if e.layer == "core_area" and (extent := extent_of(e)) is not None:
        return extent
    return point_of(layout, e)


def feature_rows(checked: CheckedLayout) -> list[tuple[dict[str, Any], shapely.Geometry | None]]:
    """(properties, geometry) for every district and entry, in a stable order."""
    rows = []
    for d in checked.districts:
        props = {"id": f"district-{d.adcode}", "layer": "district", "name_zh": d.name_zh,
                 "name_en": d.name_en, "district": d.name_zh, "located_in": d.name_zh,
                 "group": d.group, "role_zh": "", "platforms": [], "sources": [],
                 "adcode": d.adcode, "area_km2": d.area_km2}
        rows.append((props, d.geometry))
    for e in checked.layout.entries.values():
        layer = "axis" if e.layer == "segment" else e.layer
        props = {"id": e.id, "layer": layer, "name_zh": e.name_zh, "name_en": e.name_en,
                 "district": _district_label(e),
                 "located_in": located_in(checked.layout, checked.districts, e)
                 if e.layer not in ("axis", "segment", "task") else None,
                 "group": e.group or None, "role_zh": e.role_zh,
                 "platforms": [p.name_zh for p in checked.layout.platforms_at(e)], "sources": _sources(e)}
        if e.layer == "platform":
            props["tier"] = e.tier
        if e.layer == "task":
            props["lead_units"] = list(e.lead_units)
        rows.append((props, None if e.layer == "task" else entry_geometry(checked, e)))
    return rows


def to_geojson(checked: CheckedLayout) -> str:
    features = [{"type": "Feature", "properties": props,
                 "geometry": mapping(geom) if geom is not None else None}
                for props, geom in feature_rows(checked)]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def to_csv(checked: CheckedLayout) -> str:
    """Excel-friendly: BOM, lists joined with '；', sources one per line, geometry as WKT; no
    cell can become a formula (geo.safe.sheet_cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([*COLUMNS, "lon", "lat", "wkt"])
    for props, geom in feature_rows(checked):
        cells = [props[c] for c in COLUMNS]
        cells[COLUMNS.index("platforms")] = "；".join(props["platforms"])
        cells[COLUMNS.index("sources")] = "\n".join(
            f"{s['doc']} {s['section']}：{s['quote']}" for s in props["sources"])
        pt = geom.representative_point() if geom is not None else None
        writer.writerow([*(sheet_cell("" if c is None else c) for c in cells),
                         f"{pt.x:.6f}" if pt else "", f"{pt.y:.6f}" if pt else "",
                         geom.wkt if geom is not None else ""])
    return "\ufeff" + buf.getvalue()
