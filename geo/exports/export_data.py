"""The layout for GIS users and spreadsheets, written from geo.exports.frames:

- GeoPackage: one layer per kind (and the districts) through pyogrio; tasks as a table;
- GeoJSON: one FeatureCollection of every kind, each feature's `kind` saying which, and the
  data revision as a top-level member `revision` (RFC 7946 §6.1) besides each feature's;
- CSV (UTF-8 with BOM, for Excel): every entry one row, points as lon/lat columns, no WKT;
- XLSX: one sheet per kind.
In CSV and XLSX no cell can become a formula (geo.safe.sheet_cell); CSV cells holding a comma,
`;`, a quote or a line break are quoted (geo.exports.output.csv_text).
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from geo.data.kinds import KINDS
from geo.data.model import CheckedLayout
from geo.exports.frames import frames
from geo.exports.output import csv_text
from geo.files import write_atomic
from geo.safe import sheet_cell

FORMATS = ("gpkg", "geojson", "csv", "xlsx")
# Columns first in CSV and on every sheet; the rest follow as each kind has them.
LEADING = ("id", "kind", "name_zh", "name_en", "district", "located_in", "lon", "lat", "precision_m")


def _table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns="geometry"))
    first = [c for c in LEADING if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def _all_rows(checked: CheckedLayout) -> pd.DataFrame:
    parts = []
    for key, frame in frames(checked).items():
        table = _table(frame)
        if key == "district":
            table = table.assign(id="district-" + table["adcode"], kind="district", district=table["name_zh"])
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def to_csv(checked: CheckedLayout) -> str:
    table = _all_rows(checked)
    first = [c for c in LEADING if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]
    return csv_text(rows=[list(table.columns), *table.itertuples(index=False)])


def to_geojson(checked: CheckedLayout) -> str:
    features = []
    for key, frame in frames(checked).items():
        doc = json.loads(frame.to_json(na="null", drop_id=True))
        for feat in doc["features"]:
            feat["properties"].setdefault("kind", key)
            if key == "district":
                feat["properties"]["id"] = f"district-{feat['properties']['adcode']}"
        features += doc["features"]
    return json.dumps({"type": "FeatureCollection", "revision": checked.revision, "features": features},
                      ensure_ascii=False)


def to_xlsx(checked: CheckedLayout) -> bytes:
    book = Workbook()
    del book[book.sheetnames[0]]  # the empty sheet a new workbook starts with
    for key, frame in frames(checked).items():
        sheet = book.create_sheet(key if key == "district" else KINDS[key].key)
        table = _table(frame)
        sheet.append([sheet_cell(c) for c in table.columns])
        for row in table.itertuples(index=False):
            sheet.append([None if v is None or v != v else sheet_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col in sheet.columns:
            width = max(len(str(c.value or "")) for c in col[:50])
            sheet.column_dimensions[col[0].column_letter].width = min(60, max(8, width * 1.2))
            for c in col[1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def to_gpkg(checked: CheckedLayout) -> bytes:
    """One layer per kind; pyogrio writes to a path, so build in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layout.gpkg")
        for key, frame in frames(checked).items():
            if frame.geometry.isna().all():  # tasks, node lists: an attribute table
                pyogrio.write_dataframe(pd.DataFrame(frame.drop(columns="geometry")), path, layer=key,
                                        driver="GPKG", append=os.path.exists(path))
            else:
                pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG",
                                        append=os.path.exists(path), promote_to_multi=True)
        return Path(path).read_bytes()


WRITERS: dict[str, Callable[[CheckedLayout], bytes | str]] = {
    "gpkg": to_gpkg, "geojson": to_geojson, "csv": to_csv, "xlsx": to_xlsx}


def export(checked: CheckedLayout, fmt: str, out: Path) -> Path:
    return write_atomic(out, WRITERS[fmt](checked))
