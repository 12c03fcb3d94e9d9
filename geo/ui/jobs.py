"""Files made in the background, once per key, and kept: the map page's print exports (issue 21).

A file the page makes on click (a deferred download) could be pruned by Streamlit before its
download started when many sessions ran (bench/README.md). Here a file is made once it is asked
for, by a small pool of worker threads, and kept in a process-wide store, so the page hands
Streamlit the finished bytes, every session that asks for the same key gets the same file, and
no rerun makes it twice.

The pool has 2 workers: the machine has 2 CPUs and a print map is CPU-bound matplotlib (drawn on
a `Figure`, never pyplot, so threads are safe), so more workers would only slow each file down.

Finished files are kept in an LRU of at most `MAX_ENTRIES` files and `MAX_BYTES` bytes, whichever
binds first. A print file is 0.2-1 MB (the city view: PNG 0.94 MB, SVG 0.73 MB, PDF 0.19 MB,
offline HTML 0.62 MB), so 32 entries (eight views in all four formats, the size of the app's
other caches of rendered views) is what normally binds, at about 30 MB; the byte bound caps the
memory if files grow (a higher resolution, a much larger data set). A file the page has shown
as a download button is already handed to Streamlit, so an eviction here only means the next
visitor asking for that view waits for it to be made again. Jobs still running are never evicted.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger("gzmap")

MAX_ENTRIES = 32
MAX_BYTES = 200 * 1024 * 1024
WORKERS = 2
MAX_ERROR = 200  # characters of a failure's message kept for the page; the traceback goes to the log

State = Literal["absent", "pending", "done", "failed"]
Maker = Callable[[], "bytes | str"]


@dataclass(frozen=True)
class Job:
    """What became of a key: never asked for (or evicted since), being made, made (`data`, empty
    in any other state), or failed (`error`, one short line)."""

    state: State
    data: bytes | str = b""
    error: str = ""


ABSENT = Job("absent")
PENDING = Job("pending")


def _size(data: bytes | str) -> int:
    return len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))


class JobStore:
    """A thread-safe store of background jobs: each key is made at most once at a time, and once
    made it is kept (least recently used first out) instead of made again."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 workers: int = WORKERS) -> None:
        self._max_entries, self._max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._pending: set[Hashable] = set()
        self._finished: OrderedDict[Hashable, tuple[Job, int]] = OrderedDict()  # with its size; oldest use first
        self._bytes = 0
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gzmap-job")

    def submit(self, *, key: Hashable, make: Maker) -> None:
        """Start making `key` with `make` unless it is being made or made already; a failed key is
        made again (the retry)."""
        with self._lock:
            if key in self._pending:
                return
            job, _ = self._finished.get(key, (None, 0))
            if job is not None and job.state == "done":
                self._finished.move_to_end(key)
                return
            if job is not None:  # failed: forget the failure, try again
                del self._finished[key]
            self._pending.add(key)
        self._pool.submit(self._run, key, make)

    def result(self, *, key: Hashable) -> Job:
        """`key`'s job as it stands now (a finished one counts as used)."""
        with self._lock:
            if key in self._pending:
                return PENDING
            if key not in self._finished:
                return ABSENT
            self._finished.move_to_end(key)
            return self._finished[key][0]

    def _run(self, key: Hashable, make: Maker) -> None:
        try:
            job = Job("done", data=make())
        except Exception as err:  # noqa: BLE001 - any failure is the job's, told to the page; the trace is logged
            log.exception("background job %r failed", key)
            job = Job("failed", error=f"{type(err).__name__}: {err}"[:MAX_ERROR])
        size = _size(job.data)
        with self._lock:
            self._pending.discard(key)
            self._finished[key] = (job, size)
            self._bytes += size
            self._evict(keep=key)

    def _evict(self, *, keep: Hashable) -> None:
        """Drop the least recently used files until both bounds hold; the file just made stays
        even when it alone is over the byte bound (it was asked for a moment ago)."""
        while len(self._finished) > self._max_entries or self._bytes > self._max_bytes:
            oldest = next(iter(self._finished))
            if oldest == keep:
                return
            self._bytes -= self._finished.pop(oldest)[1]


_STORE = JobStore()  # the process's: every session shares its files


def submit(*, key: Hashable, make: Maker) -> None:
    """Make `key` in the background with `make` (once: see JobStore.submit)."""
    _STORE.submit(key=key, make=make)


def result(*, key: Hashable) -> Job:
    """`key`'s background job: absent, pending, done (with the data) or failed (a short message)."""
    return _STORE.result(key=key)
