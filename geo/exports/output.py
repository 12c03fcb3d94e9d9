"""Writing exports so that no output is ever lost: complete files or nothing, and only where the
user said.

Every file the CLI writes goes to a temporary file in the target folder and replaces the target
only once it is complete (geo.files.write_atomic), so a failed export leaves any earlier file byte-identical. An `--out`
mistake (a missing folder, a folder where a file is wanted, a file where a folder is wanted) is
found before any work and told in one line (OutputError); a file name built from data goes
through geo.safe.file_name and must land directly in its folder.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from geo.safe import file_name, sheet_cell


# The media type of each file format the app offers for download.
MIMES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "html": "text/html"}


class OutputError(Exception):
    """An output path that cannot be written, said in one line for the user."""


def out_file(*, out: Path | str, option: str = "--out") -> Path:
    """`out` as a file to (over)write: its folder must exist and it must not be a folder."""
    path = Path(out)
    if path.is_dir():
        raise OutputError(f"{option} {out} is a folder; give a file name, such as {path / 'name.ext'}")
    folder = path.parent
    if not folder.exists():
        raise OutputError(f"{option} {out}: the folder {folder} does not exist (create it first)")
    if not folder.is_dir():
        raise OutputError(f"{option} {out}: {folder} is a file, not a folder")
    return path


def out_folder(*, out: Path | str, option: str = "--out") -> Path:
    """`out` as a folder to write files into, created (with its parents) when missing."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {out} is a file; give a folder (it is created if missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{option} {out}: cannot create the folder: {err.strerror or err}") from None
    return path


def file_in(*, folder: Path, name: str) -> Path:
    """`folder / name` for a name made from data: one safe file name (geo.safe.file_name), and the
    resolved path's folder must be `folder` itself, so no name can lead out of it (ValueError)."""
    path = Path(folder) / file_name(name)
    if path.resolve().parent != Path(folder).resolve():
        raise ValueError(f"file name {name[:60]!r} would leave the folder {folder}")
    return path


def write_error(err: OSError) -> str:
    """An OSError from writing as one short line (no traceback, no repr)."""
    return " ".join(str(err.strerror or err).split()) + (f": {err.filename}" if err.filename else "")


# Characters that make a CSV cell need quotes: the delimiter, the quote, line breaks, and `;` and
# tab, on which Excel in semicolon locales (and tab-separated imports) splits cells.
_CSV_QUOTE = frozenset(',;"\t\r\n\u2028\u2029')


def csv_cell(value: object) -> str:
    """One CSV cell: formula-guarded (geo.safe.sheet_cell), quoted when it holds a character above."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(sheet_cell(value))
    if _CSV_QUOTE.intersection(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(*, rows: Iterable[Iterable[object]]) -> str:
    """CSV for Excel: UTF-8 byte-order mark, CRLF line ends, cells as csv_cell makes them."""
    return "\ufeff" + "".join(",".join(csv_cell(v) for v in row) + "\r\n" for row in rows)
