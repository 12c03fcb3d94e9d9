"""What a district review is, before any storage or page: the statuses, one reviewer's answer for
one sheet row, the stored review, and the errors a write can meet.

A review refers to a district-sheet row by its key (geo.exports.district_sheet: `<group>:<id>`,
language-free and stable); a row a reviewer adds for something the plans assign and the map
lacks has the key `addition:<n>`. Each review keeps the row as its reviewer saw it (`seen`: the
row's cells in the language of the page or file, and the data revision), so that when the data
changes, the review of a row whose content changed shows as to-recheck with what changed
(geo.review.recheck), neither silently kept nor dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from geo.i18n import Lang

Status = Literal["unchecked", "confirmed", "disputed", "addition"]
STATUSES: tuple[Status, ...] = ("unchecked", "confirmed", "disputed", "addition")  # review.status.<s>
RECHECK = "recheck"  # a derived state, never stored: the row changed since it was reviewed
Role = Literal["reviewer", "bureau"]
ROLES: tuple[Role, ...] = ("reviewer", "bureau")
ADDITION = "addition"  # the group of a reviewer's added row: key `addition:<n>`
MAX_COMMENT = 2000  # characters; a longer comment is refused with a message, never cut
MAX_NOTE = 500  # the note on a proposed point
MAX_NAME = 200  # an added row's name
SEEN_COLUMNS = ("name", "role", "lead_units", "supporting_units", "period", "basis", "placed", "sources", "ids")


class ReviewError(ValueError):
    """A review that cannot be saved as given (bad status, too long, unknown row): says why."""

    index: int | None = None  # in a batch (ReviewStore.save_all), the failing answer's position


class NotAllowed(PermissionError):
    """The user may not write this district's reviews (checked on the server for every write)."""

    index: int | None = None


@dataclass(frozen=True)
class Point:
    """A proposed location, in WGS84 whatever basemap it was picked on."""

    lon: float
    lat: float


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    districts: frozenset[str]  # name_zh of each district the user may review

    def may_review(self, district: str) -> bool:
        return district in self.districts

    def may_read(self, district: str) -> bool:
        return self.role == "bureau" or district in self.districts


@dataclass(frozen=True)
class ReviewInput:
    """One reviewer's answer for one row, as the page or a workbook gives it."""

    district: str  # name_zh
    key: str  # the row key, or `addition:<n>` (n given by the store when new: ADDITION alone)
    status: Status
    revision: str  # the data revision the reviewer saw
    lang: Lang  # the language of `seen`
    seen: dict[str, str] = field(default_factory=dict)  # the row's SEEN_COLUMNS cells as shown
    comment: str = ""
    point: Point | None = None
    point_note: str = ""
    added_name: str = ""  # an added row: what is missing, and its kind (a registry kind key, or "")
    added_kind: str = ""
    base_version: int = 0  # the review's version the answer was made from; 0: there was none


@dataclass(frozen=True)
class Review:
    """A stored review: the answer, who gave it and when, and its version (1 for the first save)."""

    district: str
    key: str
    status: Status
    revision: str
    lang: Lang
    seen: dict[str, str]
    comment: str
    point: Point | None
    point_note: str
    added_name: str
    added_kind: str
    version: int
    user: str
    at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit log: who did what to which row, old and new answers."""

    at: datetime
    user: str
    district: str
    key: str
    action: str  # "save", "import", or "conflict" (an answer refused because another came first)
    old: dict[str, object] | None
    new: dict[str, object] | None


class Conflict(Exception):
    """Another reviewer saved the row after the version this answer started from: their answer
    is `current`; nothing was overwritten."""

    index: int | None = None

    def __init__(self, *, current: Review | None, key: str) -> None:
        super().__init__(f"row {key} was changed by {current.user if current else 'someone'} "
                         f"(version {current.version if current else '?'}) since it was read")
        self.current = current
        self.key = key
