"""The validator: shipped data passes; each kind of broken input gets a message naming file,
entry and field (issue 2)."""
from __future__ import annotations

from pathlib import Path

import pytest

from geo.__main__ import main
from geo.data.problems import errors
from geo.data.validate import validate
from geo.settings import settings
from tests.conftest import edit_yaml

SEEDS_DIR = settings().seeds


def test_shipped_data_has_no_errors_and_every_finding_is_explained():
    checked = validate()
    assert errors(checked.problems) == []
    findings = [p for p in checked.problems if p.level == "finding"]
    assert findings, "the data holds places administered by one district but lying in another"
    assert all("UNEXPLAINED" not in p.message for p in findings)


def test_cli_exits_0_and_prints_counts_per_layer(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    counts = dict(item.rsplit(" ", 1) for item in out.splitlines()[-1].removeprefix("counts: ").split(", "))
    # What the seeds name: 11 districts; 001's axis has 2 poles + 8 nodes in 6 segments;
    # 一区三城 = 4 cores; 002 gives the 一区 three 片区 and 001 a fourth; 001's 多点 专栏
    # name 13 + 10 + 5 parks.
    assert counts["district"] == "11"
    assert counts["axis_node"] == "10"
    assert counts["segment"] == "6"
    assert counts["core"] == "4"
    assert counts["core_area"] == "4"
    assert counts["park"] == "28"
    # 002 专栏3: 1 national lab, 2 technology innovation centres, 4 facilities, 4 provincial
    # labs and 11 institutes (the "N"); 004's "1+1+4+4+N" is kept as a note, not a count.
    tiers = out.splitlines()[-2].removeprefix("platforms by tier: ")
    assert tiers.startswith("national-lab 1, tech-innovation-centre 2, major-facility 4, "
                            "provincial-lab 4, research-institute 11, other ")


def first(entries: list, **match) -> dict:
    return next(e for e in entries if all(e.get(k) == v for k, v in match.items()))


BROKEN = {
    "unknown district": (
        "parks.yaml", lambda d: first(d, id="park-huanghuagang").update(district="越秀县"),
        ("parks.yaml", "park-huanghuagang", "district", "unknown district '越秀县'")),
    "duplicate id": (
        "parks.yaml", lambda d: d.append(dict(first(d, id="park-huanghuagang"))),
        ("parks.yaml", "park-huanghuagang", "id", "duplicate id")),
    "missing name": (
        "parks.yaml", lambda d: first(d, id="park-baietan").pop("name_zh"),
        ("parks.yaml", "park-baietan", "name_zh", "missing required field")),
    "missing role": (
        "cores.yaml", lambda d: d["cores"][1].pop("role_zh"),
        ("cores.yaml", "core-nansha-science-city", "role_zh", "missing required field")),
    "missing sources": (
        "platforms.yaml", lambda d: d[0].update(sources=[]),
        ("platforms.yaml", None, "sources", "non-empty list")),
    "quote not in document": (
        "parks.yaml", lambda d: first(d, id="park-tianhe-cbd")["sources"][0].update(quote="打造宇宙中心"),
        ("parks.yaml", "park-tianhe-cbd", "sources[0].quote", "quote not found in 001")),
    "outside Guangzhou": (
        "parks.yaml", lambda d: first(d, id="park-huanghuagang")["location"].update(lon=116.4, lat=39.9),
        ("parks.yaml", "park-huanghuagang", "location", "outside Guangzhou")),
    "lat/lon swapped": (
        "parks.yaml", lambda d: first(d, id="park-huanghuagang")["location"].update(
            lon=first(d, id="park-huanghuagang")["location"]["lat"], lat=first(d, id="park-huanghuagang")["location"]["lon"]),
        ("parks.yaml", "park-huanghuagang", "location", "look swapped")),
    # A zone's parts (issue 23): each in Guangzhou and in the zone's declared district.
    "part in another district": (
        "platforms.yaml", lambda d: first(d, id="platform-shipai-wushan-longdong-university-cluster")["parts"][0][
            "location"].update(lon=113.37123, lat=23.0695),  # 官洲 station, 海珠区
        ("platforms.yaml", "platform-shipai-wushan-longdong-university-cluster", "parts[0].location",
         "lies outside the declared district(s) 天河区")),
    "part outside Guangzhou": (
        "parks.yaml", lambda d: first(d, id="park-conghua-eda")["parts"][0]["location"].update(lon=116.4, lat=39.9),
        ("parks.yaml", "park-conghua-eda", "parts[0].location", "outside Guangzhou")),
    "unknown platform": (
        "parks.yaml", lambda d: first(d, id="park-bio-island").update(platforms=["platform-nowhere"]),
        ("parks.yaml", "park-bio-island", "platforms", "unknown id 'platform-nowhere'")),
    "unknown node place": (
        "axis.yaml", lambda d: d["nodes"][3].update(place="park-atlantis"),
        ("axis.yaml", None, "place", "unknown id 'park-atlantis'")),
    "task scope without districts": (
        "tasks.yaml", lambda d: first(d, id="task-003-02").update(districts=[]),
        ("tasks.yaml", "task-003-02", "districts", "district_scope is named")),
    "not YAML": (
        "tasks.yaml", None,
        ("tasks.yaml", "-", "line", "not valid YAML")),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_error_kind_names_file_entry_and_field(case: str, data_copy: Path):
    file, change, (want_file, want_id, want_field, want_text) = BROKEN[case]
    if change is None:
        (data_copy / file).write_text("- id: [unclosed\n", encoding="utf-8")
    else:
        edit_yaml(data_copy / file, change)
    found = errors(validate(data_copy).problems)
    assert any(
        p.file == want_file and (want_id is None or p.entry_id == want_id)
        and p.field.startswith(want_field) and want_text in p.message
        for p in found
    ), "\n".join(map(str, found))


def test_cli_exits_1_and_prints_the_line(data_copy: Path, capsys):
    edit_yaml(data_copy / "parks.yaml", lambda d: first(d, id="park-huanghuagang").update(district="越秀县"))
    assert main(["--data", str(data_copy), "validate"]) == 1
    assert "ERROR: parks.yaml: park-huanghuagang: district: unknown district '越秀县'" in capsys.readouterr().out


def test_unknown_field_is_an_error_not_dropped(data_copy: Path):
    edit_yaml(data_copy / "parks.yaml", lambda d: first(d, id="park-baietan").update(rol_zh="typo"))
    found = errors(validate(data_copy).problems)
    assert any(p.entry_id == "park-baietan" and p.field == "rol_zh" for p in found)


def test_a_place_lying_in_another_district_is_a_finding_not_an_error(data_copy: Path):
    # Declare 黄花岗 (in 越秀) as 天河: users must see it, but the data is still usable.
    edit_yaml(data_copy / "parks.yaml", lambda d: first(d, id="park-huanghuagang").update(district="天河区"))
    problems = validate(data_copy).problems
    hit = [p for p in problems if p.entry_id == "park-huanghuagang"]
    assert [p.level for p in hit] == ["finding"]
    assert "点位落在越秀区" in hit[0].message


def test_every_task_whose_responsible_units_name_a_district_government_is_in_the_data():
    """Counted from the seeds themselves: each （责任单位：…区政府…） block is one task."""
    import re
    from collections import Counter

    from geo.data.validate import load_checked

    per_doc = Counter(t.sources[0].doc for t in load_checked().of_kind("task"))
    for doc in ("003_fadc3f19c3dd5753.txt", "004_d0d840f101352d7b.txt"):
        text = re.sub(r"\s+", "", (SEEDS_DIR / doc).read_text(encoding="utf-8"))
        blocks = [u for u in re.findall(r"（责任单位：([^）]*)）", text) if "区政府" in u]
        assert per_doc[doc] == len(blocks), doc


def test_the_parks_are_exactly_those_of_001s_three_duodian_columns_with_their_groups():
    import re

    from geo.data.validate import load_checked

    text = (SEEDS_DIR / "001_c53a813f44610f0f.txt").read_text(encoding="utf-8")
    start = text.index("专栏 中部多点重点建设内容")
    columns = {"中部": text[start:text.index("专栏 东部北部多点重点建设内容")],
               "东部北部": text[text.index("专栏 东部北部多点重点建设内容"):text.index("专栏 南部多点重点建设内容")],
               "南部": text[text.index("专栏 南部多点重点建设内容"):text.index("# 广州市科技创新“十四五”规划空间布局图")]}
    printed = {name: group for group, body in columns.items() for name in re.findall(r"\*\*([^*]+?)。\*\*", body)}
    parks = {p.name_zh: p.group for p in load_checked().of_kind("park")}
    assert parks == printed
