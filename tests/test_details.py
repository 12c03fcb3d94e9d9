"""Compact popups (issue 22, geo/maps/details.py): read at a glance in a 380 px box, the name
once, then what and where it is, its role and platforms; the rest one click away."""
from __future__ import annotations

import pytest

from geo.i18n import name, paren, t
from geo.maps.details import details_html
from tests.shipped import shipped

CHECKED = shipped()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("entry_id", ["platform-guangzhou-lab", "park-bio-island", "core-knowledge-city"])
def test_the_name_once_then_role_and_platforms_and_the_rest_folded(entry_id: str, lang: str):
    entry = CHECKED.entries[entry_id]
    html = details_html(CHECKED, entry, lang=lang)
    shown = html[:html.index("<details")]  # what a popup shows before any click
    head = shown[:shown.index(t("details.role", lang))]  # above the role (platforms may bear its name)
    other = entry.name_zh if lang == "en" else entry.name_en
    assert head.count(name(entry, lang)) == 1 and other not in shown
    assert not [a for a in entry.aliases if a not in name(entry, lang) and a in head]
    assert shown.index(t("details.role", lang)) < shown.index(t("details.platforms", lang)) \
        if CHECKED.platforms_of(entry) else t("details.role", lang) in shown
    # Sources and their quotes are folded, the other-language name too.
    assert "gz-quote" not in shown and t("details.sources", lang) not in shown
    assert f"<summary>{t('details.sources', lang)}" in html and "gz-quote" in html and other in html


def test_the_details_still_escape_the_data():
    park = CHECKED.entries["park-huanghuagang"]
    evil = park.model_copy(update={"name_en": "<b>x</b>", "aliases": ("<i>y</i>",)})
    html = details_html(CHECKED, evil, lang="zh")
    assert "<b>x" not in html and "<i>y" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_zone_of_several_parts_names_each_part_and_says_which_are_not_placed(lang: str):
    zone = CHECKED.entries["park-conghua-eda"]
    html = details_html(CHECKED, zone, lang=lang)
    assert t("details.parts", lang) in html
    for part in zone.parts:  # type: ignore[attr-defined]
        shown = name(part, lang)
        assert shown in html
        marked = html.split(shown, 1)[1].startswith(paren(t("details.part_unplaced", lang), lang))
        assert marked == (part.location is None), shown
