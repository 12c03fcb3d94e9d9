"""Find an entry by part of its Chinese or English name."""
from __future__ import annotations

from geo.model import Entry, Layout

# Axis nodes are left out: each stands on a core or park that is found instead.
SEARCHABLE = ("core", "core_area", "park", "platform")


def search(layout: Layout, query: str, limit: int = 20) -> list[Entry]:
    """Entries whose name contains the query (case-insensitive), best matches first."""
    q = query.strip().lower()
    if not q:
        return []
    hits = []
    for e in layout.entries.values():
        if e.layer not in SEARCHABLE:
            continue
        zh, en = e.name_zh.lower(), e.name_en.lower()
        if q in zh or q in en:
            hits.append((0 if zh.startswith(q) or en.startswith(q) else 1, len(e.name_zh), e))
    return [e for *_, e in sorted(hits, key=lambda h: (h[0], h[1]))][:limit]
