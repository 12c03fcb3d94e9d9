"""Find an entry by part of its Chinese or English name."""
from __future__ import annotations

from geo.model import Entry, Layout

# Axis nodes are left out: each stands on a core or park that is found instead.
SEARCHABLE = ("core", "park", "core_area", "platform")  # also the order of results


def search(layout: Layout, query: str, limit: int = 20) -> list[Entry]:
    """Entries whose Chinese or English name contains the query (case-insensitive): exact
    names first, then places before the platforms at them, then shorter names."""
    q = query.strip().lower()
    if not q:
        return []
    hits = []
    for e in layout.entries.values():
        if e.layer not in SEARCHABLE:
            continue
        names = (e.name_zh.lower(), e.name_en.lower())
        if any(q in n for n in names):
            exact = q in names
            hits.append((not exact, SEARCHABLE.index(e.layer), len(e.name_zh), e.id, e))
    return [h[-1] for h in sorted(hits, key=lambda h: h[:4])][:limit]
