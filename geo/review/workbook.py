"""A filled district-sheet workbook read back into review answers (the XLSX that
geo.review.form.to_xlsx writes), and imported in one transaction.

The file is untrusted and may come from Excel, LibreOffice or WPS Office (which writes inline
strings instead of shared ones and may drop the drop-downs and the hidden flags): it is read by its
header titles, not by positions or styles. Before openpyxl parses anything the file and the total
size its zip members declare are limited (a zip bomb is refused unread: Python's zipfile never
inflates a member past its declared size). Every failure is a WorkbookError naming the file, the
sheet, the row as Excel numbers it and the column, in the file's language (`text`) and in
English (str), and nothing is saved.

A file made from an older data revision is accepted: each answer keeps the row as the file showed
it (`seen`, `revision`), so a row whose content changed since is flagged here and shows as to
recheck later (geo.review.recheck).
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.kinds import KINDS, table_kinds
from geo.data.model import CheckedLayout
from geo.exports.district_sheet import Row
from geo.review.form import ADDITION_COLUMNS, GROUP_COLUMNS, status_label
from geo.i18n import LANGS, Lang, join, name, t
from geo.review.model import (
    ADDITION,
    MAX_COMMENT,
    MAX_NAME,
    SEEN_COLUMNS,
    STATUSES,
    Conflict,
    NotAllowed,
    Review,
    ReviewError,
    ReviewInput,
    Status,
    User,
)
from geo.review.rows import changed_columns, seen_of, sheet_rows
from geo.safe import sheet_cell, shorten

if TYPE_CHECKING:
    from geo.review.store import ReviewStore

MAX_BYTES = 2 * 1024 * 1024  # the file, and the total its zip members unpack to


Said = Callable[[Lang], str]  # a message, in the language asked for


class WorkbookError(ReviewError):
    """A workbook that cannot be imported: `text(lang)` says why in a reader's language, str() in
    English (the command line's)."""

    def __init__(self, said: Said) -> None:
        self.said = said
        super().__init__(said("en"))

    def text(self, lang: Lang) -> str:
        return self.said(lang)


@dataclass(frozen=True)
class Place:
    """Where an answer came from: a sheet's name and a row number as Excel shows them."""

    sheet: str
    row: int


@dataclass(frozen=True)
class Flagged:
    """A row whose content changed between the file's data revision and the current one."""

    place: Place
    key: str
    name: str
    changed: tuple[str, ...]  # the changed columns' titles in the file's language


@dataclass(frozen=True)
class Imported:
    district: str  # name_zh
    revision: str  # the file's data revision
    lang: Lang
    answers: list[ReviewInput]
    places: list[Place]  # where each answer is in the file
    flagged: list[Flagged]


@dataclass(frozen=True)
class ImportReport:
    saved: list[Review]
    unchanged: int  # answers equal to the stored review, not saved again
    flagged: list[Flagged]
    district: str
    revision: str


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _checked_zip(data: bytes, file: str) -> None:
    """Refuse what is too large, packed or not, and what is no zip, before any XML is parsed."""
    if len(data) > MAX_BYTES:
        raise WorkbookError(lambda lang: t("review.import.too_large", lang, file=file, size=_size(len(data)),
                                              limit=_size(MAX_BYTES)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise WorkbookError(lambda lang: t("review.import.not_workbook", lang, file=file)) from None
    if unpacked > MAX_BYTES:
        raise WorkbookError(lambda lang: t("review.import.too_large", lang, file=file, size=_size(unpacked),
                                              limit=_size(MAX_BYTES)))


def _text(value: object) -> str:
    """A cell as text: None empty, a whole number without ".0", our formula guard taken off."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text[1:] if text.startswith("'") and sheet_cell(text[1:]) == text else text


def _header(ws: Worksheet, lang: Lang, columns: Sequence[str]) -> dict[str, int]:
    """Column key -> index (0-based) of each of `columns` whose title is in the header row."""
    titles = {t(f"sheet.col.{c}", lang): c for c in columns}
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return {titles[_text(v).strip()]: i for i, v in enumerate(first) if _text(v).strip() in titles}


def _summary(ws: Worksheet, file: str) -> tuple[Lang, str, str]:
    """The file's language, data revision and district label, from the summary sheet."""
    cells = [[_text(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
    for lang in LANGS:
        before, _, after = t("data.revision", lang, revision="\0").partition("\0")
        revisions = [c[len(before):len(c) - len(after)] for row in cells for c in row[:1]
                     if c.startswith(before) and c.endswith(after) and len(c) > len(before) + len(after)]
        districts = [row[1] for row in cells if len(row) > 1 and row[0] == t("sheet.district", lang) and row[1]]
        if revisions and districts:
            return lang, revisions[0], districts[0]
    raise WorkbookError(lambda lang: t("review.import.no_summary", lang, file=file, line=t("sheet.district", lang)))


def _status(value: str) -> Status | None:
    if not value:
        return "unchecked"
    for s in STATUSES:
        if value.casefold() in (s, *(status_label(s, lang).casefold() for lang in LANGS)):
            return s
    return None


def _kind(value: str) -> str | None:
    if not value:
        return ""
    return next((k for k in table_kinds() if value.casefold() in {k, *(name(KINDS[k], lg).casefold() for lg in LANGS)}),
                None)


@dataclass(frozen=True)
class _Reader:
    """One file being read: its name and language, for the messages."""

    file: str
    lang: Lang

    def error(self, place: Place, column: str, problem: Said) -> WorkbookError:
        return WorkbookError(lambda lang: t("review.import.row", lang, file=self.file, sheet=place.sheet, row=place.row,
                                            field=t(f"sheet.col.{column}", lang), problem=problem(lang)))

    def cells(self, ws: Worksheet, columns: Sequence[str]) -> Iterator[tuple[Place, dict[str, str]]]:
        """The sheet's rows below the header that hold anything: where, and column key -> text
        (the review's own cells trimmed); a missing key or version column is an error."""
        found = _header(ws, self.lang, columns)
        missing = next((c for c in ("key", "version") if c not in found), None)
        if missing:
            raise WorkbookError(lambda lang: t("review.import.missing_column", lang, file=self.file, sheet=ws.title,
                                               column=t(f"sheet.col.{missing}", lang)))
        for n, row in enumerate(ws.iter_rows(min_row=2), start=2):
            value = {c: _text(row[i].value) if i < len(row) else "" for c, i in found.items()}
            value |= {c: value[c].strip() for c in ("status", "comment", "key", "version", "name", "kind") if c in value}
            if any(value.values()):
                yield Place(ws.title, n), value

    def comment(self, place: Place, value: str) -> str:
        if len(value) > MAX_COMMENT:
            raise self.error(place, "comment", lambda lang: t("review.problem.too_long", lang, n=len(value),
                                                                limit=MAX_COMMENT))
        return value

    def version(self, place: Place, value: str) -> int:
        if not value:
            return 0
        if not value.isdigit():
            raise self.error(place, "version", lambda lang: t("review.problem.version", lang, value=shorten(value, 20)))
        return int(value)


def read_workbook(*, data: bytes, checked: CheckedLayout, user: User, file_name: str) -> Imported:
    """The answers a filled district-sheet workbook holds, checked row by row (no database)."""
    file = shorten(file_name, 80)
    _checked_zip(data, file)
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # noqa: BLE001 - whatever openpyxl meets in a broken file, it is no workbook to us
        raise WorkbookError(lambda lang: t("review.import.not_workbook", lang, file=file)) from None
    lang, revision, label = _summary(book.worksheets[0], file)
    found = checked.district(label)
    if found is None:
        raise WorkbookError(lambda lang: t("review.import.no_summary", lang, file=file, line=t("sheet.district", lang)))
    district = found.name_zh
    if not user.may_review(district):
        raise WorkbookError(lambda lang: t("review.import.not_yours", lang, file=file, district=label, user=user.name))
    current = sheet_rows(checked, district=district, lang=lang)
    reader = _Reader(file, lang)
    got = Imported(district, revision, lang, [], [], [])
    for ws in book.worksheets[1:]:
        header = _header(ws, lang, (*GROUP_COLUMNS, *ADDITION_COLUMNS))
        if "kind" in header:
            for place, answer in _additions(ws, reader, district=district, revision=revision):
                got.answers.append(answer)
                got.places.append(place)
        elif header.keys() & {"status", "key", "version"}:  # else a sheet the reviewer added for notes
            _group(ws, reader, current=current, got=got, checked=checked, label=label)
    return got


def _group(ws: Worksheet, reader: _Reader, *, current: Mapping[str, Row], got: Imported, checked: CheckedLayout,
           label: str) -> None:
    """A group sheet's answers into `got`, and its rows whose content changed since the file's revision."""
    for place, value in reader.cells(ws, GROUP_COLUMNS):
        row = current.get(value["key"])
        if row is None:
            raise reader.error(place, "key", lambda lang: t("review.problem.unknown_key", lang,
                                                            key=shorten(value["key"], 60), district=label))
        status = _status(value.get("status", ""))
        if status is None:
            raise reader.error(place, "status", lambda lang: t(
                "review.problem.status", lang, value=shorten(value["status"], 40),
                choices=join((status_label(s, lang) for s in STATUSES), lang)))
        comment = reader.comment(place, value.get("comment", ""))
        version = reader.version(place, value["version"])
        if status == "unchecked" and not comment and not version:
            continue  # nothing said about a row nobody reviewed: nothing to record
        seen = {c: value.get(c, "") for c in SEEN_COLUMNS}
        got.answers.append(ReviewInput(district=got.district, key=row.key, status=status, revision=got.revision,
                                       lang=got.lang, seen=seen, comment=comment, base_version=version))
        got.places.append(place)
        now = seen_of(row)
        changed = changed_columns({c: seen[c] for c in SEEN_COLUMNS if c in value}, now)
        if got.revision != checked.revision and changed:
            got.flagged.append(Flagged(place, row.key, row.name, tuple(t(f"sheet.col.{c}", got.lang) for c in changed)))


def _additions(ws: Worksheet, reader: _Reader, *, district: str, revision: str) -> Iterator[tuple[Place, ReviewInput]]:
    """The additions sheet's filled rows; a row with a key updates that addition, one without adds one."""
    for place, value in reader.cells(ws, ADDITION_COLUMNS):
        added = value.get("name", "")
        if not added:
            raise reader.error(place, "name", lambda lang: t("review.problem.no_name", lang))
        if len(added) > MAX_NAME:
            raise reader.error(place, "name", lambda lang: t("review.problem.too_long", lang, n=len(added), limit=MAX_NAME))
        kind = _kind(value.get("kind", ""))
        if kind is None:
            raise reader.error(place, "kind", lambda lang: t(
                "review.problem.kind", lang, value=shorten(value["kind"], 40),
                choices=join((name(KINDS[k], lang) for k in table_kinds()), lang)))
        key = value["key"]
        if key and not key.startswith(ADDITION + ":"):
            raise reader.error(place, "key", lambda lang: t("review.problem.unknown_key", lang, key=shorten(key, 60),
                                                             district=district))
        yield place, ReviewInput(district=district, key=key or ADDITION, status="addition", revision=revision,
                                 lang=reader.lang, comment=reader.comment(place, value.get("comment", "")),
                                 added_name=added, added_kind=kind, base_version=reader.version(place, value["version"]))


def _same(answer: ReviewInput, stored: Review) -> bool:
    """Nothing new in `answer`: a row the reviewer left as the file showed it."""
    return (answer.status, answer.comment, answer.added_name, answer.added_kind) == (
        stored.status, stored.comment, stored.added_name, stored.added_kind)


def import_workbook(*, store: ReviewStore, data: bytes, checked: CheckedLayout, user: User,
                    file_name: str) -> ImportReport:
    """Read the workbook and save its answers in one transaction, or none (WorkbookError).
    Answers equal to the stored review are left alone, so that an untouched row of a file made
    before someone else's answer neither conflicts nor records anything; an added row equal to a
    stored addition is that addition imported again."""
    got = read_workbook(data=data, checked=checked, user=user, file_name=file_name)
    stored = store.reviews(district=got.district)
    additions = [r for r in stored.values() if r.key.startswith(ADDITION + ":")]
    todo = [(a, p) for a, p in zip(got.answers, got.places, strict=True)
            if not (a.key in stored and _same(a, stored[a.key]))
            and not (a.key == ADDITION and any(_same(a, r) for r in additions))]
    try:
        saved = store.save_all(user=user, answers=[a for a, _ in todo], action="import")
    except (Conflict, ReviewError, NotAllowed) as err:
        raise _refused(err, [p for _, p in todo], file=shorten(file_name, 80)) from None
    return ImportReport(saved, len(got.answers) - len(todo), got.flagged, got.district, got.revision)


def _refused(err: Exception, places: Sequence[Place], *, file: str) -> WorkbookError:
    """The store's refusal of one answer as a message naming its sheet and row."""
    index = getattr(err, "index", None)
    reason = shorten(str(err), 200)
    if index is None or not 0 <= index < len(places):
        return WorkbookError(lambda lang: t("review.import.refused", lang, file=file, reason=reason))
    place = places[index]
    if isinstance(err, Conflict):
        who, version = (err.current.user, err.current.version) if err.current else ("?", "?")
        return WorkbookError(lambda lang: t("review.import.row_refused", lang, file=file, sheet=place.sheet,
                                            row=place.row, reason=t("review.problem.conflict", lang, user=who,
                                                                    version=version)))
    return WorkbookError(lambda lang: t("review.import.row_refused", lang, file=file, sheet=place.sheet,
                                        row=place.row, reason=reason))
