"""Find an entry by part of any of its names: Chinese, English, or a document's own spelling."""
from __future__ import annotations

from geo.data.kinds import searchable
from geo.data.model import CheckedLayout
from geo.data.records import Record


def names_of(entry: Record) -> tuple[str, ...]:
    return (entry.name_zh, entry.name_en, *entry.aliases)


def search(checked: CheckedLayout, query: str, limit: int = 20) -> list[Record]:
    """Entries whose names contain the query (case-insensitive): exact names first, then
    places before the platforms at them (registry order), then shorter names."""
    q = query.strip().lower()
    if not q:
        return []
    kinds = searchable()
    hits: list[tuple[bool, int, int, str, Record]] = []
    for e in checked.entries.values():
        if e.kind not in kinds or not isinstance(e, Record):  # searchable kinds are named records
            continue
        names = [n.lower() for n in names_of(e)]
        if any(q in n for n in names):
            hits.append((q not in names, kinds.index(e.kind), len(e.name_zh), e.id, e))
    return [h[-1] for h in sorted(hits, key=lambda h: h[:4])][:limit]
