"""The data round (issue 10): names as printed, tasks linked, one document's reading, official
display, sourced coordinates."""
from __future__ import annotations

import html
import re

import pytest

from geo.data.validate import normalise
from geo.exports.district_sheet import district_sheet
from geo.maps.details import details_html
from geo.search import search
from layers import build_layers
from tests.mapdocs import layout, members, popups
from tests.shipped import shipped

CHECKED = shipped()


def names(e) -> list[str]:
    return [n for n in (e.name_zh, *getattr(e, "aliases", ())) if len(normalise(n)) >= 4]


def test_every_task_links_the_places_and_platforms_its_quotes_name():
    linkable = [e for e in CHECKED.entries.values() if e.kind in ("core", "core_area", "park", "platform")]
    missing = []
    for task in CHECKED.of_kind("task"):
        text = normalise("".join(s.quote for s in task.sources))
        linked = set(task.places) | set(task.platforms)
        for e in linkable:
            if e.id not in linked and any(normalise(n) in text for n in names(e)):
                missing.append(f"{task.id} names {e.name_zh} ({e.id})")
    assert not missing, "\n".join(missing)


def named_in(e, text: str) -> bool:
    """By its name or an alias; or, for 004's lists with a shared suffix (天河、琶洲、花都省级高新区),
    by its distinctive part and that suffix: 广州天河高新区 is 天河 … 高新区."""
    if any(normalise(n) in text for n in (e.name_zh, *e.aliases)):
        return True
    m = re.fullmatch(r"广州(.{2})(高新区)", e.name_zh)
    return bool(m) and re.search(f"{m[1]}[^。]*?{m[2]}", text) is not None


def test_each_link_of_a_task_is_named_in_its_quotes():
    for task in CHECKED.of_kind("task"):
        text = normalise("".join(s.quote for s in task.sources))
        for ref in (*task.places, *task.platforms):
            assert named_in(CHECKED.entries[ref], text), (task.id, ref)


def test_task_units_are_split_as_printed():
    for task in CHECKED.of_kind("task"):
        assert task.units_as_printed, task.id
        printed = normalise(task.units_as_printed)
        head = printed.split("，")[0]
        assert all(normalise(u).removeprefix("市")[:2] in head for u in task.lead_units), task.id


@pytest.mark.parametrize("doc", ["003_fadc3f19c3dd5753.txt", "002_302d52edf2386795.txt"])
def test_one_documents_reading_shows_only_what_it_cites(doc: str):
    shown = CHECKED.as_read(doc)
    assert shown.entries and len(shown.entries) < len(CHECKED.entries)
    for e in shown.entries.values():
        assert any(s.doc == doc for s in getattr(e, "sources", ())) or e.kind == "node_list", e.id
    others = [e.id for e in CHECKED.entries.values() if e.id not in shown.entries]
    drawn = layout(shown)
    on_map = {m["id"] for m in members(drawn)} | {s["id"] for s in drawn["shapes"]} | set(popups(shown))
    assert on_map and not on_map & set(others), sorted(on_map & set(others))
    for layer in build_layers(shown, lang="zh"):
        for item in layer.items:
            assert item.entry is None or item.entry.id in shown.entries


def test_003_shows_its_2019_framing_and_001_its_axis():
    framing = CHECKED.as_read("003_fadc3f19c3dd5753.txt")
    assert "三城一区十三节点" in normalise("".join(s.quote for e in framing.entries.values() for s in e.sources))
    axis = CHECKED.as_read("001_c53a813f44610f0f.txt")
    assert len(axis.of_kind("axis_node")) == 10 and axis.geometries["axis-innovation"].length > 0.5


def test_either_reading_of_the_platform_system():
    wide, narrow = CHECKED.as_read(system="system-001"), CHECKED.as_read(system="system-004")
    count = lambda c, tier: len([p for p in c.of_kind("platform") if p.tier == tier])  # noqa: E731
    assert count(wide, "tech-innovation-centre") == 2 and count(narrow, "tech-innovation-centre") == 1
    assert count(wide, "national-lab") == 1


def test_every_platform_declared_in_a_district_is_on_its_sheet_placed_or_not():
    for p in CHECKED.of_kind("platform"):
        for district in CHECKED.declared[p.id]:
            rows = [r for r in district_sheet(CHECKED, district, lang="zh").rows if p.id in r.ids]
            assert rows, (p.id, district)
            assert rows[0].placed == ("已上图" if p.id in CHECKED.geometries else "未上图")


def test_search_finds_a_place_by_another_documents_name():
    hits = [h.entry.id for h in search(CHECKED, "南沙庆盛片区")]
    assert "park-qingsheng" in hits
    assert "platform-guangzhou-lab" in [h.entry.id for h in search(CHECKED, "呼吸疾病领域国家实验室")]


def test_nodes_have_their_segment_roles():
    roles = {n.id: n.segment_roles for n in CHECKED.of_kind("axis_node")}
    assert len(roles["node-bio-island"]) == 2  # 黄埔段 and 海珠段 both count it
    assert sum(1 for r in roles.values() if r) >= 5


def test_popups_name_documents_by_title_and_keep_working_notes_collapsed():
    for e in CHECKED.entries.values():
        if e.kind in ("node_list", "platform_system") or not hasattr(e, "sources"):
            continue
        text = details_html(CHECKED, e, lang="zh")
        assert ".txt" not in text, e.id
        main = re.sub(r"<details.*?</details>", "", text, flags=re.S)
        assert "BD-09" not in main and "GCJ-02" not in main and "github" not in main.lower(), e.id


def test_no_point_is_placed_from_memory():
    for loc_owner in CHECKED.entries.values():
        loc = getattr(loc_owner, "location", None)
        if loc is not None:
            assert "memory" not in loc.method.lower() and "from memory" not in html.unescape(loc.method)
