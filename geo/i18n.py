"""中文 / English: every text the app, the maps and the exports show, in the reader's language.

Interface texts live in geo/ui_strings.yaml (one key, both languages; a test fails when a key
lacks one, when code asks for a key it does not have, or when English pages show Chinese outside
what is marked as Chinese). Names come from the data: `name_zh`/`name_en` of each entry and
district, `name_zh`/`name_en` of each kind (geo.data.kinds), roles from `role_zh`/`role_en`. The
names of the closed vocabularies (tiers, district groups, task scopes, core types: their values in
geo.data.records) are catalogue texts too (`tier.<value>`, ...). The documents print no English, so every English name and role is
a translation and the data says so (`name_en_basis`).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal, Protocol

import yaml

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
LANG_NAMES: dict[Lang, str] = {"zh": "中文", "en": "English"}  # each in its own language
CATALOGUE = Path(__file__).with_name("ui_strings.yaml")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def t(key: str, lang: Lang, /, **fields: object) -> str:
    """The interface text `key` in `lang`, with `{field}`s filled in."""
    text = catalogue()[key][lang]
    return text.format(**fields) if fields else text


class Named(Protocol):
    """Anything with a name in both languages: an entry, a district, a kind."""

    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...


class Roled(Protocol):
    """Anything with a role: an entry, an axis node's role in a segment."""

    @property
    def role_zh(self) -> str: ...
    @property
    def role_en(self) -> str | None: ...


def name(entry: Named, lang: Lang) -> str:
    """An entry's (or district's, or kind's) name in `lang`."""
    return entry.name_en if lang == "en" else entry.name_zh


def role(entry: Roled, lang: Lang) -> str:
    """An entry's role; in English its translation where the data has one (else the Chinese)."""
    return (entry.role_en if lang == "en" else None) or entry.role_zh


def join(items: Iterable[str], lang: Lang) -> str:
    """A list as one phrase: 甲、乙 / A, B."""
    return t("punct.join", lang).join(items)


def sep(lang: Lang) -> str:
    """Between clauses: ；/ ; ."""
    return t("punct.sep", lang)


def colon(lang: Lang) -> str:
    return t("punct.colon", lang)


def paren(text: str, lang: Lang) -> str:
    return t("punct.paren", lang, text=text)


def tier_name(tier: str, lang: Lang) -> str:
    return t(f"tier.{tier}", lang)


def group_name(group: str, lang: Lang) -> str:
    """A group of districts (001 §三): 中部 / Central."""
    return t(f"group.{group}", lang)


def scope_name(scope: str, lang: Lang) -> str:
    """Whom a task for all districts names: 各区政府 / every district government."""
    return t(f"scope.{scope}", lang)


def core_type_name(core_type: str, lang: Lang) -> str:
    return t(f"core_type.{core_type}", lang)
