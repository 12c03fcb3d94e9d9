"""The data revision: a short hash of the data files' bytes, taken as they are read (geo.data.load),
so that every view and export can say which data it shows and a review can record it."""
from __future__ import annotations

import hashlib

LENGTH = 12  # hex digits: 48 bits, ample for telling a project's data versions apart


class Revision:
    """Fed each file's name and bytes in reading order; the revision is their SHA-256, shortened."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def add(self, *, name: str, raw: bytes) -> None:
        # The name and length frame each file: moving bytes between files changes the revision.
        self._sha.update(f"{name}\0{len(raw)}\0".encode())
        self._sha.update(raw)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()[:LENGTH]
