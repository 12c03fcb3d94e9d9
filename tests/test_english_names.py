"""One Chinese name, one English name, everywhere (issue 23).

What "everywhere" means here, precisely:
1. Names. Every Chinese name the data gives (an entry's name_zh or alias, a unit's, a district's)
   stands for one English name: the entries, units and districts that carry it agree on name_en.
2. Mentions. Where the proper name of a place or institution (the name_zh of a core, core area,
   park or platform, four characters or more, the longest one where names nest) appears in
   another text's Chinese (a role_zh, a segment role's role_zh, another entry's name_zh), that
   text's English (its role_en or name_en) contains that entry's English name. Compared without
   the parts in brackets (they qualify or expand: "Bioland Laboratory (Guangzhou Regenerative
   Medicine …)" is mentioned as "Bioland Laboratory") and without regard to case (a role may say
   "build an intellectual property service park"). Descriptive labels (segments, tasks, platform
   systems, the axis) are not proper names and are not looked for.
3. Spelling. "Center", as the official English sources the data cites spell it, never "centre".
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from tests.shipped import shipped


CHECKED = shipped()
PROPER = ("core", "core_area", "park", "platform")
BRACKETS = re.compile(r"\s*\([^)]*\)\s*")


def english_of_every_chinese_name() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in CHECKED.entries.values():
        if getattr(e, "name_en", None):
            for zh in (e.name_zh, *getattr(e, "aliases", ())):
                out[zh].add(e.name_en)
    for unit in CHECKED.units.values():
        out[unit.name_zh].add(unit.name_en)
    for d in CHECKED.districts:
        out[d.name_zh].add(d.name_en)
    return out


def texts() -> Iterator[tuple[str, str, str, str]]:
    """(where, its Chinese, its English, the id of the entry it belongs to)."""
    for e in CHECKED.entries.values():
        if getattr(e, "role_en", None):
            yield f"{e.id}.role_en", e.role_zh, e.role_en, e.id
        for i, sr in enumerate(getattr(e, "segment_roles", ())):
            if sr.role_en:
                yield f"{e.id}.segment_roles[{i}].role_en", sr.role_zh, sr.role_en, e.id
        if e.kind in PROPER or e.kind in ("task", "segment"):
            yield f"{e.id}.name_en", e.name_zh, e.name_en, e.id


def core(name_en: str) -> str:
    return BRACKETS.sub(" ", name_en).strip().casefold()


def mentions(chinese: str, names: dict[str, object]) -> list[str]:
    """The proper names `chinese` holds, a name inside a longer one that is also there left out."""
    found = [n for n in names if n in chinese]
    return [n for n in found if not any(n != m and n in m for m in found)]


def test_each_chinese_name_has_one_english_name():
    split = {zh: sorted(en) for zh, en in english_of_every_chinese_name().items() if len(en) > 1}
    assert split == {}


def test_a_place_named_in_another_text_keeps_its_english_name_there():
    proper = {e.name_zh: e for e in CHECKED.entries.values() if e.kind in PROPER and len(e.name_zh) >= 4}
    wrong = []
    for where, zh, en, owner in texts():
        others = {n: e for n, e in proper.items() if e.id != owner}  # a name holds itself
        for name in mentions(zh, others):
            named = proper[name]
            if core(named.name_en) not in en.casefold():
                wrong.append(f"{where}: {name} is “{named.name_en}”, not in “{en}”")
    assert wrong == [], "\n".join(wrong)


def test_center_is_spelt_as_the_official_sources_spell_it():
    centre = [where for where, _, en, _ in texts() if re.search(r"centre", en, re.I)]
    centre += [f"unit {u.name_zh}" for u in CHECKED.units.values() if "centre" in u.name_en.casefold()]
    assert centre == []


def test_knowledge_city_is_the_name_huangpu_publishes_and_cites():
    city = CHECKED.entries["core-knowledge-city"]
    assert city.name_en == "Sino-Singapore Guangzhou Knowledge City"
    assert city.name_en_basis == "https://eng.hp.gov.cn/2018-11/14/c_291298.htm"
