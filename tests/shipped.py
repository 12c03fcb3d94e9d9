"""The shipped data (data/), validated once per test process and shared: nineteen test modules read
it when they are imported, and each validation takes ~0.1 s. A CheckedLayout is immutable
(frozen, read-only mappings), so sharing it cannot leak one test's changes into another. Tests of
loading itself, or of a data copy, call geo.data.validate.load_checked."""
from __future__ import annotations

import functools

from geo.data.model import CheckedLayout
from geo.data.validate import load_checked


@functools.cache
def shipped() -> CheckedLayout:
    return load_checked()
