"""Tolerant search (geo/search.py, issue 22): what a user types finds the place they mean, and a
query that names one place shows it without a second step (`sole`)."""
from __future__ import annotations

import pytest

from geo.search import Match, match, search, sole
from tests.shipped import shipped

CHECKED = shipped()


def ids(query: str) -> list[str]:
    return [h.entry.id for h in search(CHECKED, query)]


def shown_at_once(query: str) -> str | None:
    one = sole(search(CHECKED, query))
    return None if one is None else one.entry.id


@pytest.mark.parametrize(("query", "place"), [
    ("中新知识城", "core-knowledge-city"),  # 广州 left out of 中新广州知识城
    ("知识城", "core-knowledge-city"),  # an alias, exactly
    ("bio island", "park-bio-island"),
    ("bio-island", "park-bio-island"),
    ("BIO  ISLAND", "park-bio-island"),
    ("ｂｉｏ　ｉｓｌａｎｄ", "park-bio-island"),  # full width, and an ideographic space
    ("GZ lab", "platform-guangzhou-lab"),  # GZ: Guangzhou abbreviated
    ("广州实验室", "platform-guangzhou-lab"),  # an alias, over 广州再生医学与健康广东省实验室
    ("呼吸疾病领域国家实验室", "platform-guangzhou-lab"),
    ("黄埔云埔", "park-yunpu"),  # the middle dot of 黄埔·云埔片区 left out
    ("Baietan riverside", "park-baietan"),  # the apostrophe of Bai'etan left out
    ("明珠工业园", "park-conghua-eda"),  # a part's name finds its zone
    ("Mingzhu Industrial Park", "park-conghua-eda"),
])
def test_the_issues_queries_show_the_place_at_once(query: str, place: str):
    assert shown_at_once(query) == place
    assert ids(query)[0] == place


def test_several_hits_wait_for_a_choice_with_the_place_first():
    # "knowledge city" is part of the core's name and of three platforms' named after it.
    assert shown_at_once("knowledge city") is None
    assert ids("knowledge city")[0] == "core-knowledge-city"
    assert set(ids("科学城")) == {"core-science-city", "core-nansha-science-city"}
    assert shown_at_once("科学城") is None


def test_english_words_by_their_beginnings_initials_or_abbreviated():
    assert ids("int bio")[:1] == ["park-bio-island"]  # International Bio Island
    assert "platform-gba-national-tech-innovation-centre" in ids("GBA")  # Greater Bay Area
    assert "platform-aircas-gba-institute" in ids("CAS")  # Chinese Academy of Sciences, "of" skipped
    assert ids("gz ai") == ["core-ai-digital-zone", "platform-casia-guangzhou-ai-computing-institute"]
    assert ids("AI zone")[0] == "core-ai-digital-zone"  # words in order, others between


def test_how_a_name_matches_ranks_the_hits():
    assert match("生物岛", "生物岛") is Match.EXACT
    assert match("Bio-Island", "Guangzhou International Bio Island") is Match.PART
    assert match("intl bio", "Guangzhou International Bio Island") is Match.ABBREVIATED
    assert match("中新知识城", "中新广州知识城") is Match.SHORTENED
    assert match("中新知识城", "省级博士博士后创新示范中心（中新广州知识城）") is Match.IN_ORDER
    assert match("知识城中新", "中新广州知识城") is None  # order counts
    # A Latin query never matches by scattered letters, only by words.
    assert match("zhou int", "Guangzhou International Bio Island") is Match.PART
    assert match("gil", "Guangzhou International Bio Island") is None
    # An initialism needs two letters or more: "g" alone is only a part of a name.
    assert match("g", "Greater Bay Area") is Match.PART


def test_nothing_typed_or_nothing_like_it_finds_nothing():
    assert search(CHECKED, "   ") == [] and search(CHECKED, "·-") == []
    assert search(CHECKED, "不存在的地方") == []
    assert search(CHECKED, "xyzzy") == []
    assert sole([]) is None


def test_only_searchable_kinds_are_found_and_the_limit_holds():
    assert len(search(CHECKED, "广州", limit=5)) == 5
    assert not [i for i in ids("广州") if i.startswith(("task-", "segment-", "system-"))]
