"""The layout as GeoDataFrames: one per kind, EPSG:4326, every attribute (the public Python API).

    import geo
    from geo.data.kinds import PARK
    frames = geo.frames(geo.load_checked())
    frames[PARK].plot()  # or .explore(), .to_file("parks.gpkg"), …

Each frame has the record's fields (lists joined with "；", records in them as one JSON array:
`json.loads(row["parts"])` gives a zone's parts with their points), the derived facts of geo.data.model
(`district` by the plans, `located_in` by the boundaries, the `platforms` at a place), the point's
`lon`, `lat`, `precision_m` and `location_method`, the geometry the map draws, the citations
twice (`sources`: a JSON array of {doc, section, quote} for programs, read with `json.loads` or
QGIS's `from_json("sources")`, since a section may itself hold "：" and no text split is reliable;
`sources_text`: the same one per line, "doc section：quote", for reading), and the data
`revision` it was made from (geo.data.model.CheckedLayout.revision: one value, on every row, so
that a row copied out of a file still says it). Tasks and node lists have no geometry (their
frames have an empty geometry column).
Every export format of geo.exports.export_data is written from these frames.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84
from geo.data.kinds import KINDS
from geo.data.model import CheckedLayout, district_frame
from geo.data.records import Entry, Source, sources_json

SEP = "；"


def _cell(value: object) -> object:
    """Lists as text joined with "；", mappings and lists of them (a zone's parts, a segment's
    places) as JSON (GIS formats and spreadsheets hold neither)."""
    if isinstance(value, dict) or (isinstance(value, (list, tuple)) and any(isinstance(v, dict) for v in value)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return SEP.join(str(_cell(v)) for v in value)
    return value


def sources_text(sources: Iterable[Source]) -> str:
    """The citations for a reader, one per line: doc section：quote."""
    return "\n".join(f"{s.doc} {s.section}：{s.quote}" for s in sources)


def _row(checked: CheckedLayout, e: Entry) -> dict[str, object]:
    data = e.model_dump(exclude={"location", "sources", "kind"})
    row = {"id": e.id, "kind": e.kind, **{k: _cell(v) for k, v in data.items() if k != "id"}}
    row["district"] = SEP.join(checked.declared.get(e.id, ()))
    row["located_in"] = checked.located.get(e.id)
    row["platforms"] = SEP.join(p.name_zh for p in checked.platforms_of(e))
    loc = checked.points.get(e.id)
    row.update(lon=loc.lon if loc else None, lat=loc.lat if loc else None,
               precision_m=loc.precision_m if loc else None, location_method=loc.method if loc else None)
    row["sources"] = sources_json(e.sources)
    row["sources_text"] = sources_text(e.sources)
    row["revision"] = checked.revision
    return row


def frames(checked: CheckedLayout) -> dict[str, gpd.GeoDataFrame]:
    """One GeoDataFrame per kind (registry order), plus "district" for the boundaries."""
    out = {"district": district_frame(checked.districts).assign(revision=checked.revision)}
    for key in KINDS:
        records = checked.of_kind(key)
        rows = [_row(checked, e) for e in records]
        # None where an entry has no geometry: geopandas takes it in an object array (its stubs, not in a list)
        geometry = np.array([checked.geometries.get(e.id) for e in records], dtype=object)
        out[key] = gpd.GeoDataFrame(pd.DataFrame(rows) if rows else pd.DataFrame({"id": []}),
                                    geometry=geometry, crs=WGS84)
    return out
