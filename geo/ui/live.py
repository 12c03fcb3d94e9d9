"""The process's live data: the data folder as it is now, its readings and the map's documents,
shared by every session and by the map's HTTP routes (geo/ui/routes.py). No Streamlit here.

An edit of the data folder is picked up at the next request, without a restart: every call looks
at the files' names, sizes and modification times (cheap), and a changed folder is validated once.
An edit with errors keeps the last good version in use and is reported (`Live.current`).
Everything made from the data is keyed by its content revision, so nothing made from one version
is ever served for another.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from pathlib import Path
from typing import Generic, TypeVar

from geo.data.model import CheckedLayout
from geo.data.problems import DataError
from geo.data.records import PlatformSystem
from geo.data.validate import load_checked
from geo.i18n import LANGS
from geo.maps.payload import PARTS, DataKey, digest, document
from geo.maps.view import CITY, View, view_of
from geo.settings import settings

log = logging.getLogger("gzmap")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

VERSIONS = 4  # good versions kept: a page drawn just before an edit still finds its own
READINGS = 32  # (revision, document, platform system) readings, as the app's caches had
DOCUMENTS = 64  # map documents (~0.2 MB each): every part, language and datum of a few readings
VIEWS = 512  # map views (a few numbers each): every district and search hit of a few readings


def settle_heap() -> None:
    """Collect the garbage, then set every object now alive aside from the garbage collector
    (gc.freeze): the loaded data, the map's documents and the imported library live as long as
    the process. Streamlit collects all generations after every script run, and with them
    (~220k objects) that took ~120 ms of a ~200 ms rerun; set aside, a few ms (bench/README.md).
    Called after the warm-up and after an edited data folder is loaded, so a replaced version's
    cycles are still collected (unfreeze first)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def data_fingerprint(directory: Path) -> str:
    """A fingerprint of the data files' names, sizes and modification times: cheap enough to
    take on every request, so an edit to the folder is picked up at the next one, no restart."""
    out = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        try:
            stat = path.stat()
        except OSError:  # gone between listing and looking: the next request sees the new state
            continue
        out.update(f"{path.relative_to(directory)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return out.hexdigest()


class Memo(Generic[K, V]):
    """A bounded map of results, the least recently used dropped first. Each result is made
    once: a thread asking for one that another thread is making waits for it instead of making
    it again (the warm-up and the first visitor ask for the same documents)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[K, Future[V]] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            pending = self._items.get(key)
            mine = pending is None
            if pending is None:
                pending = self._items[key] = Future()
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
            else:
                self._items.move_to_end(key)
        if mine:
            try:
                pending.set_result(make())
            except BaseException as err:  # the waiters get it too; the next ask tries again
                with self._lock:
                    if self._items.get(key) is pending:
                        del self._items[key]
                pending.set_exception(err)
                raise
        return pending.result()


class Live:
    """One data folder's live state (see the module's docstring); safe to use from any thread."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()  # held while a changed folder is validated: once, not per caller
        self._fingerprint: str | None = None  # of the version in use
        self._failed: str | None = None  # the fingerprint that failed validation, and its error
        self._error: DataError | None = None
        self._versions: OrderedDict[str, CheckedLayout] = OrderedDict()  # revision -> good version, newest last
        self._readings: Memo[tuple[str, str | None, str | None], CheckedLayout] = Memo(READINGS)
        self._documents: Memo[tuple[str, DataKey], tuple[bytes, str]] = Memo(DOCUMENTS)
        self._views: Memo[tuple[str, str | None, str | None, str, str | None], View] = Memo(VIEWS)

    def current(self) -> tuple[CheckedLayout, DataError | None]:
        """The data as the files are now; while an edit has errors, the last good version and
        the validator's DataError (each version is validated once). Raises DataError when no
        version has been good since the process started."""
        fingerprint = data_fingerprint(self.directory)
        with self._lock:
            if fingerprint not in (self._fingerprint, self._failed):
                try:
                    checked = load_checked(self.directory)
                except DataError as err:
                    if self._versions:
                        log.error("%s was edited with errors; still showing the last good version:\n%s",
                                  self.directory, "\n".join(map(str, err.problems)))
                    self._failed, self._error = fingerprint, err
                else:
                    self._fingerprint, self._failed, self._error = fingerprint, None, None
                    edited = bool(self._versions)  # the first version is settled by the warm-up
                    self._versions.pop(checked.revision, None)
                    self._versions[checked.revision] = checked
                    while len(self._versions) > VERSIONS:
                        self._versions.popitem(last=False)
                    if edited:
                        settle_heap()
            if not self._versions:
                assert self._error is not None  # no good version: this fingerprint failed
                raise self._error
            return next(reversed(self._versions.values())), self._error if fingerprint == self._failed else None

    def reading(self, *, revision: str, doc: str | None, system: str | None) -> CheckedLayout:
        """What document `doc` and platform-system reading `system` say (None: no restriction) in
        the version `revision` (one this process has loaded lately; LookupError otherwise)."""
        return self._readings.get((revision, doc, system), lambda: self._version(revision).as_read(doc, system))

    def view(self, *, revision: str, doc: str | None, system: str | None, district: str, hit: str | None) -> View:
        """geo.maps.view.view_of in a reading, made once (the warm-up makes every place's): framing
        a search hit projects a circle, and pyproj prepares a projection again in every new thread
        (each script run is one), ~30 ms."""
        checked = self.reading(revision=revision, doc=doc, system=system)
        where = CITY if hit in checked.points else district  # a place is framed whatever the district
        return self._views.get((revision, doc, system, where, hit), lambda: view_of(checked, where, hit))

    def data(self, key: DataKey, *, revision: str | None = None) -> tuple[bytes, str]:
        """The map document `key` names, of the version `revision` (default: the current data),
        and its digest (its URL's name). LookupError when the key's document or platform system
        is not in the data, or that version is no longer loaded."""
        checked = self.current()[0] if revision is None else self._version(revision)
        if key.doc is not None and key.doc not in checked.documents:
            raise LookupError(f"no document {key.doc!r}")
        if key.system is not None and not isinstance(checked.entries.get(key.system), PlatformSystem):
            raise LookupError(f"no platform system {key.system!r}")
        revision = checked.revision

        def build() -> tuple[bytes, str]:
            body = document(self.reading(revision=revision, doc=key.doc, system=key.system), key)
            return body, digest(body)

        return self._documents.get((revision, key), build)

    def url(self, key: DataKey, *, revision: str | None = None) -> str:
        """Where the browser fetches the document `key` names, of the version `revision` (default:
        the current data; a page passes the one it shows, which spares looking at the folder)."""
        return key.url(self.data(key, revision=revision)[1])

    def warm(self) -> None:
        """Load the data and make the documents a first visit asks for (the whole city in either
        language on the offline basemap), the default language's first, and every place's view."""
        for lang in LANGS:
            for part in PARTS:
                self.data(DataKey(part=part, lang=lang, gcj02=False, doc=None, system=None))
        checked, _ = self.current()
        for place in checked.points:
            self.view(revision=checked.revision, doc=None, system=None, district=CITY, hit=place)

    def _version(self, revision: str) -> CheckedLayout:
        with self._lock:
            found = self._versions.get(revision)
        if found is None:
            raise LookupError(f"data revision {revision} is not loaded in this process")
        return found


_live: dict[Path, Live] = {}
_live_lock = threading.Lock()


def live(directory: Path | None = None) -> Live:
    """The process's live state of `directory` (default: the settings' data folder)."""
    path = (directory if directory is not None else settings().data).resolve()
    with _live_lock:
        found = _live.get(path)
        if found is None:
            found = _live[path] = Live(path)
        return found
