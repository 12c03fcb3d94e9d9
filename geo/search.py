"""Find an entry by any of its names (Chinese, English, a document's own spelling), tolerantly.

Names and query are compared in a normal form: Unicode NFKC (full-width letters, digits and
brackets as half-width), case-folded, with spaces, hyphens, dashes, middle dots and apostrophes
dropped, so "bio-island", "Bio Island" and "ＢＩＯ　ＩＳＬＡＮＤ" are one query. A hit is ranked
by how it matched (`Match`, best first), then places before the platforms at them (the kinds'
registry order), then shorter names.

Abbreviations need no table of our own: an English query word matches a name word that starts
with the same letter and holds the query word's letters in order ("GZ" → Guangzhou, "intl" →
International), or a run of words by their initials ("GBA" → Greater Bay Area); a Chinese query
matches a name holding its characters in order (中新知识城 → 中新广州知识城).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from geo.data.kinds import searchable
from geo.data.model import CheckedLayout
from geo.data.records import Record

IGNORED = re.compile(r"[\s\-‐‑‒–—―_·・•‧'’`]+")  # spaces, hyphens and dashes, middle dots, apostrophes
WORD = re.compile(r"[^\W_]+")  # a run of letters and digits: a word of an English name, once normalised
HAN = re.compile(r"[\u3400-\u9fff]")
# Not counted in an initialism: "CAS" is Chinese Academy of Sciences.
SMALL_WORDS = frozenset({"of", "and", "the", "for", "in", "on", "at"})
NAMES_KEPT = 8192  # normal forms kept (the data have ~400 names; a query is one more)


class Match(IntEnum):
    """How a name matched, best first."""

    EXACT = 0  # the whole name
    PART = 1  # a part of it ("knowledge city" is part of four names: the core's and its platforms')
    WORDS = 2  # the query's words begin consecutive words of it ("int bio" → International Bio Island)
    INITIALS = 3  # consecutive words by their initials ("GBA" → Greater Bay Area)
    ABBREVIATED = 4  # consecutive words abbreviated ("GZ lab" → Guangzhou Laboratory)
    SHORTENED = 5  # a Chinese name with characters left out, first and last kept (中新知识城)
    IN_ORDER = 6  # the query's characters (Chinese) or words (English, as above) in order, with gaps


@dataclass(frozen=True)
class Hit:
    entry: Record
    match: Match


def folded(text: str) -> str:
    """NFKC, case-folded, with apostrophes dropped (Bai'etan is one word)."""
    return re.sub(r"['’`]", "", unicodedata.normalize("NFKC", text).casefold())


def compact(text: str) -> str:
    """The normal form names and queries are compared in (module docstring)."""
    return IGNORED.sub("", folded(text))


@dataclass(frozen=True)
class Form:
    """A name or query as it is compared: compact, and its words (for English)."""

    compact: str
    words: tuple[str, ...]
    initials: frozenset[str]  # the words' first letters: a query's must all be a name's to match it


@lru_cache(maxsize=NAMES_KEPT)
def form(text: str) -> Form:
    """`text`'s normal forms, made once per text: a search compares every name in the data, and
    normalising them all on every rerun took most of its time."""
    words = tuple(WORD.findall(folded(text)))
    return Form(compact(text), words, frozenset(w[0] for w in words))


def names_of(entry: Record) -> tuple[str, ...]:
    """Its names, aliases and the names of its parts (明珠工业园 finds 从化经开区)."""
    parts = getattr(entry, "parts", ())
    return (entry.name_zh, entry.name_en, *entry.aliases, *(p.name_zh for p in parts), *(p.name_en for p in parts))


def _in_order(query: str, text: str, start: int = 0) -> int | None:
    """Where the last of `query`'s characters is found in `text` taking them in order, from
    `start`; None when they are not all there."""
    i = start - 1
    for ch in query:
        i = text.find(ch, i + 1)
        if i < 0:
            return None
    return i


def _abbreviates(word: str, name_word: str) -> bool:
    """`word` is `name_word` shortened: its first letter, then some of its letters in order."""
    return name_word[:1] == word[:1] and _in_order(word[1:], name_word, 1) is not None


def _initials(word: str, name_words: tuple[str, ...], start: int) -> int | None:
    """How many name words from `start` have `word` as their initials (small words skipped);
    None when they do not."""
    i, n = 0, start
    while i < len(word) and n < len(name_words):
        if name_words[n] in SMALL_WORDS and name_words[n][0] != word[i]:
            n += 1
            continue
        if name_words[n][0] != word[i]:
            return None
        i, n = i + 1, n + 1
    return n - start if i == len(word) and len(word) > 1 else None


def _words_match(words: tuple[str, ...], name_words: tuple[str, ...], *, initials: bool = False,
                 abbreviated: bool = False, gaps: bool = False) -> bool:
    """The query's words match name words in order, each the beginning of the name word after
    the previous one's (`gaps`: of any later one), or also (`initials`) the initials of a run of
    them, or also (`abbreviated`) one abbreviated. The first may match anywhere."""
    def rest(i: int, n: int) -> bool:  # words[i:] match from name word n on
        if i == len(words):
            return True
        w, last = words[i], len(name_words) if gaps or i == 0 else min(n + 1, len(name_words))
        for m in range(n, last):
            if (name_words[m].startswith(w) or abbreviated and _abbreviates(w, name_words[m])) and rest(i + 1, m + 1):
                return True
            if initials and (k := _initials(w, name_words, m)) is not None and rest(i + 1, m + k):
                return True
        return False

    return bool(words) and rest(0, 0)


def match(query: str, name: str) -> Match | None:
    """How `name` matches `query` (both as typed), or None."""
    return _match(form(query), form(name))


def _match(query: Form, name: Form) -> Match | None:
    q, n = query.compact, name.compact
    if not q or not n:
        return None
    if q == n:
        return Match.EXACT
    if q in n:
        return Match.PART
    words, name_words = query.words, name.words
    if not HAN.search(q):
        if not query.initials <= name.initials:  # every way below matches a word by its first letter
            return None
        if _words_match(words, name_words):
            return Match.WORDS
        if _words_match(words, name_words, initials=True):
            return Match.INITIALS
        if _words_match(words, name_words, initials=True, abbreviated=True):
            return Match.ABBREVIATED
        return Match.IN_ORDER if _words_match(words, name_words, initials=True, abbreviated=True, gaps=True) else None
    if len(q) > 1 and q[0] == n[0] and q[-1] == n[-1] and _in_order(q, n) is not None:
        return Match.SHORTENED
    return Match.IN_ORDER if len(q) > 1 and _in_order(q, n) is not None else None


def search(checked: CheckedLayout, query: str, *, limit: int = 20) -> list[Hit]:
    """The searchable entries a name of which matches `query`, best first (module docstring)."""
    typed = form(query)
    if not typed.compact:
        return []
    kinds = searchable()
    ranked: list[tuple[Match, int, int, str, Hit]] = []
    for e in checked.entries.values():
        if e.kind not in kinds or not isinstance(e, Record):  # searchable kinds are named records
            continue
        found = [m for m in (_match(typed, form(n)) for n in names_of(e)) if m is not None]
        if found:
            best = min(found)
            ranked.append((best, kinds.index(e.kind), len(e.name_zh), e.id, Hit(e, best)))
    return [r[-1] for r in sorted(ranked, key=lambda r: r[:4])][:limit]


def sole(hits: list[Hit]) -> Hit | None:
    """The hit to show at once: the only one, or the only one that matched best (an exact name
    among partial ones, 中新广州知识城 among names that merely hold 中新…知识城)."""
    best = [h for h in hits if h.match == hits[0].match]
    return best[0] if len(best) == 1 else None
