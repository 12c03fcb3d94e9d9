"""The layout for GIS users and spreadsheets, written from geo.exports.frames:

- GeoPackage: one layer per kind (and the districts) through pyogrio; tasks as a table;
- GeoJSON: one FeatureCollection of every kind, each feature's `kind` saying which, and the
  data revision as a top-level member `revision` (RFC 7946 §6.1) besides each feature's;
- CSV (UTF-8 with BOM, for Excel): every entry one row, points as lon/lat columns, no WKT;
- XLSX: one sheet per kind.
Sources, in every format, are a JSON array of {doc, section, quote}: in GeoJSON the property
`sources` is that array itself; in GeoPackage, CSV and XLSX the column `sources` holds it as JSON
text, one cell per entry (an entry has one to a dozen sources: a column per source would give
every row as many as the most cited entry). `sources_text` is the same for reading, one
"doc section：quote" per line; a section may itself hold "：", so programs read `sources`.
In CSV and XLSX no cell can become a formula (geo.safe.sheet_cell); CSV cells holding a comma,
`;`, a quote or a line break are quoted (geo.exports.output.csv_text).
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
import tempfile
from contextlib import closing
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
            else:  # JSON inside JSON would make a reader parse twice
                feat["properties"]["sources"] = json.loads(feat["properties"]["sources"])
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


def _declare_json(path: str, column: str, layers: list[str]) -> None:
    """Say in the GeoPackage that `column` of `layers` holds JSON (the Schema extension's
    gpkg_data_columns, mime type application/json), so GDAL reads it as a JSON field and QGIS
    offers it to from_json(); pyogrio writes every text column as plain text."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
                   "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, "
                   "constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
                   "CONSTRAINT gdc_tn UNIQUE (table_name, name))")
        db.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                   "VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
                   "'http://www.geopackage.org/spec121/#extension_schema', 'read-write')")
        db.executemany("INSERT INTO gpkg_data_columns (table_name, column_name, mime_type) "
                       "VALUES (?, ?, 'application/json')", [(layer, column) for layer in layers])


def to_gpkg(checked: CheckedLayout) -> bytes:
    """One layer per kind; pyogrio writes to a path, so build in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layout.gpkg")
        made = frames(checked)
        for key, frame in made.items():
            if frame.geometry.isna().all():  # tasks, node lists: an attribute table
                pyogrio.write_dataframe(pd.DataFrame(frame.drop(columns="geometry")), path, layer=key,
                                        driver="GPKG", append=os.path.exists(path))
            else:
                pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG",
                                        append=os.path.exists(path), promote_to_multi=True)
        _declare_json(path, "sources", [key for key, frame in made.items() if "sources" in frame])
        return Path(path).read_bytes()


WRITERS: dict[str, Callable[[CheckedLayout], bytes | str]] = {
    "gpkg": to_gpkg, "geojson": to_geojson, "csv": to_csv, "xlsx": to_xlsx}


def export(checked: CheckedLayout, fmt: str, out: Path) -> Path:
    return write_atomic(out, WRITERS[fmt](checked))
