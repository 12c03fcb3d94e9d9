"""The sheet rows a review refers to, and whether a reviewed row has changed since.

A review keeps the row's cells as its reviewer saw them (`seen`, in the language of the page or
file) and the data revision. While the revision is the same, the review stands; after a data
change it stands if those cells are still what the sheet says in that language, and is
to-recheck (RECHECK) otherwise, with the columns that changed, or "removed" when the row is no
longer on the district's sheet.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from geo.data.model import CheckedLayout
from geo.exports.district_sheet import Row, district_sheet
from geo.i18n import Lang
from geo.review.model import ADDITION, RECHECK, SEEN_COLUMNS, Review, ReviewError

REMOVED = "removed"  # what changed, for a row no longer on the sheet


def sheet_rows(checked: CheckedLayout, *, district: str, lang: Lang) -> dict[str, Row]:
    """The district's sheet rows by key."""
    return {r.key: r for r in district_sheet(checked, district, lang=lang).rows}


def seen_of(row: Row) -> dict[str, str]:
    """The cells a review keeps of the row it answers."""
    cells = row.cells()
    return {c: cells[c] for c in SEEN_COLUMNS}


# Columns that list several values: compared item by item, so that a review kept before the list
# separator became ", " (the ids, an English period) is not taken for a changed row.
LISTED = ("ids", "period")
_LIST_SEP = re.compile(r"、|,\s*")


def changed_columns(seen: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The columns of `seen` (what a review saw) whose values differ from the row's `now`."""
    def differ(c: str) -> bool:
        if c in LISTED:
            return _LIST_SEP.split(seen[c]) != _LIST_SEP.split(now[c])
        return seen[c] != now[c]
    return [c for c in SEEN_COLUMNS if c in seen and differ(c)]


def check_key(checked: CheckedLayout, *, district: str, key: str) -> None:
    """Refuses a key that is not a row of the district's sheet (an added row's key excepted)."""
    if district not in {d.name_zh for d in checked.districts}:
        raise ReviewError(f"unknown district {district!r:.40}")
    if key == ADDITION or key.startswith(f"{ADDITION}:"):
        return
    if key not in sheet_rows(checked, district=district, lang="zh"):
        raise ReviewError(f"{key!r:.80} is not a row of {district}'s sheet")


def state_of(review: Review, *, checked: CheckedLayout, rows: dict[str, Row] | None = None) -> tuple[str, list[str]]:
    """The review's status, or RECHECK with the changed columns (module docstring). `rows`: the
    district's rows in the review's language, when the caller has them already."""
    if review.revision == checked.revision or review.key.startswith(f"{ADDITION}:"):
        return review.status, []
    rows = rows if rows is not None else sheet_rows(checked, district=review.district, lang=review.lang)
    row = rows.get(review.key)
    if row is None:
        return RECHECK, [REMOVED]
    now = seen_of(row)
    changed = changed_columns(review.seen, now)
    return (RECHECK, changed) if changed else (review.status, [])
