"""Hostile data files, round 2 (issue 18 items 2, 8, 10, 13): every malformed, oversized or
misleading file gets the validator's message (file, entry, what is wrong) quickly, in bounded
memory, never a traceback; geometry and text that would print wrongly are refused or warned about."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely
from shapely.geometry import mapping, shape

from geo.__main__ import main
from geo.data.problems import DataError, errors
from geo.data.validate import load_checked, validate
from tests.conftest import edit_yaml

ROOT = Path(__file__).resolve().parents[1]
PARK = "park-huanghuagang"  # in 越秀区, the second park of parks.yaml


def run_validate(data: Path, capsys) -> tuple[int, str]:
    """`python -m geo --data DATA validate` in-process: exit code and everything it printed."""
    code = main(["--data", str(data), "validate"])
    out = capsys.readouterr()
    return code, out.out + out.err


def set_park_line(data: Path, field: str, yaml_value: str) -> None:
    """Replace one field of PARK in parks.yaml by raw YAML text (what an editor would type)."""
    path = data / "parks.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- id: {PARK}\n")
    at = text.index(f"\n  {field}:", start) + 1
    end = text.index("\n", at)
    path.write_text(text[:at] + f"  {field}: {yaml_value}" + text[end:], encoding="utf-8")


def hits(problems, **match) -> list:
    return [p for p in problems if all(getattr(p, k) == v for k, v in match.items())]


# ------------------------------------------------------------------ item 2: alias bombs, excerpts


def alias_bomb(size: int, levels: int) -> str:
    """A flow sequence of `levels` nested levels of 9 aliases each, padded to `size` bytes."""
    parts = ["&a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for i in range(1, levels):
        parts.append(f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    text = "[" + ", ".join(parts) + "]"
    assert len(text) <= size, len(text)
    return text[:-1] + " " * (size - len(text)) + "]"


MEASURE = """
import resource, sys, time
from geo.__main__ import main
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.process_time()  # CPU seconds: the work done, not how long a busy machine queued it
code = main(["--data", sys.argv[1], "validate"])
took = time.process_time() - start
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(f"MEASURED {code} {took:.3f} {grew}", file=sys.stderr)
"""


@pytest.mark.parametrize(("size", "levels"), [(523, 9), (569, 10)])
def test_a_yaml_alias_bomb_is_refused_within_2_cpu_s_and_200_mb(size: int, levels: int, data_copy: Path):
    bomb = alias_bomb(size, levels)
    assert len(bomb.encode()) == size
    set_park_line(data_copy, "name_en_basis", bomb)
    try:
        run = subprocess.run([sys.executable, "-c", MEASURE, str(data_copy)], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("validate ran for more than 60 s on a few hundred bytes of YAML aliases")
    code, took, grew_kb = run.stderr.rsplit("MEASURED ", 1)[1].split()
    assert code == "1"
    assert float(took) < 2.0
    assert int(grew_kb) < 200 * 1024  # ru_maxrss is in KiB on Linux
    assert "Traceback" not in run.stderr
    assert len(run.stdout) < 20_000  # one line per problem, nothing expanded
    line = [x for x in run.stdout.splitlines() if x.startswith("ERROR: parks.yaml")]
    assert line and "alias" in line[0] and "line " in line[0]


def test_an_alias_inside_its_own_anchor_is_refused_with_its_line(data_copy: Path):
    set_park_line(data_copy, "aliases", "&self [黄花岗, *self]")
    bad = hits(errors(validate(data_copy).problems), file="parks.yaml")
    assert len(bad) == 1 and "its own anchor" in bad[0].message and bad[0].field.startswith("line ")


def test_a_huge_bad_value_is_quoted_as_a_short_excerpt(data_copy: Path, capsys):
    set_park_line(data_copy, "name_en_basis", "x" * 200_000)
    set_park_line(data_copy, "name_zh", "[" + ",".join(["1"] * 50_000) + "]")
    code, out = run_validate(data_copy, capsys)
    assert code == 1
    lines = [x for x in out.splitlines() if PARK in x]
    assert {x.split(": ")[3] for x in lines} >= {"name_en_basis", "name_zh"}
    assert all(len(x) < 400 for x in lines), max(map(len, lines))


def test_a_huge_bad_district_value_is_quoted_as_a_short_excerpt(data_copy: Path):
    path = data_copy / "districts.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["group"] = "南" * 100_000
    doc["features"][1]["properties"]["area_km2"] = ["x" * 100_000]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_checked(data_copy)
    assert len(err.value.problems) == 2
    assert all(len(str(p)) < 400 for p in err.value.problems)


# ------------------------------------------------------------------ item 8: depth, big numbers


def test_yaml_nested_10000_deep_gives_a_message_not_a_traceback(data_copy: Path, capsys):
    set_park_line(data_copy, "notes", "[" * 10_000 + "]" * 10_000)
    code, out = run_validate(data_copy, capsys)
    assert code == 1 and "Traceback" not in out
    assert any(x.startswith("ERROR: parks.yaml: -: line ") and "nested deeper than" in x for x in out.splitlines())
    with pytest.raises(DataError) as err:
        load_checked(data_copy)
    assert any("nested deeper than" in p.message for p in err.value.problems)


def test_geojson_nested_100000_deep_gives_a_message_not_a_traceback(data_copy: Path, capsys):
    path = data_copy / "districts.geojson"
    text = path.read_text(encoding="utf-8")
    assert text.count('"coordinates":[') == 11
    path.write_text(text.replace('"coordinates":[', '"coordinates":' + "[" * 100_001, 1).rstrip()[:-1]
                    + "]" * 100_000 + "}", encoding="utf-8")
    code, out = run_validate(data_copy, capsys)
    assert code == 1 and "Traceback" not in out
    assert any(x.startswith("ERROR: districts.geojson: -: line ") and "nested deeper than" in x
               for x in out.splitlines())
    with pytest.raises(DataError):
        load_checked(data_copy)


@pytest.mark.parametrize("file, number, huge", [("parks.yaml", "precision_m: 2000", "precision_m: {}"),
                                                ("districts.geojson", '"area_km2":62.8', '"area_km2":{}')])
def test_a_5000_digit_integer_gives_a_message(data_copy: Path, capsys, file: str, number: str, huge: str):
    path = data_copy / file
    text = path.read_text(encoding="utf-8")
    assert number in text
    path.write_text(text.replace(number, huge.format("9" * 5000), 1), encoding="utf-8")
    code, out = run_validate(data_copy, capsys)
    assert code == 1 and "Traceback" not in out
    bad = [x for x in out.splitlines() if x.startswith(f"ERROR: {file}")]
    assert len(bad) == 1 and "digits" in bad[0] and "line " in bad[0] and len(bad[0]) < 300
    with pytest.raises(DataError):
        load_checked(data_copy)


def test_a_broken_districts_file_is_not_blamed_on_missing_documents(data_copy: Path, capsys):
    (data_copy / "districts.geojson").write_text("{", encoding="utf-8")
    code, out = run_validate(data_copy, capsys)
    assert code == 1
    assert "ERROR: districts.geojson" in out
    assert "no planning documents" not in out  # the documents are there (shared/seeds)


# ------------------------------------------------------------------ item 10: size limits


def ring(lon: float, lat: float, n: int, radius: float = 0.01) -> list[list[float]]:
    """A closed ring of n vertices: a circle around (lon, lat) inside Guangzhou."""
    import math

    pts = [[round(lon + radius * math.cos(2 * math.pi * i / n), 7),
            round(lat + radius * math.sin(2 * math.pi * i / n), 7)] for i in range(n)]
    return pts + [pts[0]]


def replace_geometries(data: Path, geometries: dict[int, dict]) -> None:
    path = data / "districts.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for i, geom in geometries.items():
        doc["features"][i]["geometry"] = geom
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_a_41_mb_district_of_a_million_vertices_is_refused_quickly(data_copy: Path):
    import random

    rnd = random.Random(1)
    # jitter keeps the numbers as long as real survey coordinates (~41 bytes a vertex)
    coords = [[113.5 + rnd.random() * 1e-3 + 0.1 * i / 1_000_087, 23.5 + rnd.random() * 1e-3]
              for i in range(1_000_087)]
    replace_geometries(data_copy, {9: {"type": "Polygon", "coordinates": [coords + [coords[0]]]}})
    assert (data_copy / "districts.geojson").stat().st_size > 40_000_000
    start = time.perf_counter()
    problems = errors(validate(data_copy).problems)
    assert time.perf_counter() - start < 10
    bad = hits(problems, file="districts.geojson")
    assert len(bad) == 1 and "MB" in bad[0].message and "limit" in bad[0].message


def test_a_district_with_too_many_vertices_is_refused_by_name(data_copy: Path):
    replace_geometries(data_copy, {9: {"type": "Polygon", "coordinates": [ring(113.6, 23.6, 150_000)]}})
    bad = hits(errors(validate(data_copy).problems), file="districts.geojson")
    assert [(p.entry_id, p.field) for p in bad] == [("从化区", "geometry")]
    assert "150,001 vertices" in bad[0].message and "limit" in bad[0].message


def test_districts_with_too_many_vertices_in_all_are_refused(data_copy: Path):
    # five districts just under the per-district limit, spread apart so none overlaps another
    spots = {4: (113.30, 23.30), 5: (113.50, 23.20), 7: (113.20, 23.45), 9: (113.60, 23.65), 10: (113.70, 23.35)}
    replace_geometries(data_copy, {i: {"type": "Polygon", "coordinates": [ring(x, y, 90_000)]}
                                   for i, (x, y) in spots.items()})
    bad = hits(errors(validate(data_copy).problems), file="districts.geojson")
    assert len(bad) == 1 and bad[0].entry_id == "-" and "vertices in all" in bad[0].message


# ------------------------------------------------------------------ item 13: geometry and text


def districts_doc(data: Path) -> dict:
    return json.loads((data / "districts.geojson").read_text(encoding="utf-8"))


def test_a_district_covering_the_whole_city_is_refused(data_copy: Path):
    doc = districts_doc(data_copy)
    city = shapely.union_all([shape(f["geometry"]) for f in doc["features"]])
    replace_geometries(data_copy, {1: mapping(city)})  # 越秀区 drawn as all of Guangzhou
    bad = hits(errors(validate(data_copy).problems), file="districts.geojson", entry_id="越秀区")
    assert bad and all(p.field == "geometry" for p in bad)
    assert any("overlaps" in p.message and "km²" in p.message for p in bad)


def test_a_sliver_covering_another_districts_label_point_is_refused(data_copy: Path):
    doc = districts_doc(data_copy)
    haizhu = shape(doc["features"][2]["geometry"])
    label = haizhu.representative_point()
    liwan = shape(doc["features"][0]["geometry"])
    # a 20 m square: far under the overlap tolerance, but the 海珠区 label would sit in 荔湾区
    patch = shapely.box(label.x - 1e-4, label.y - 1e-4, label.x + 1e-4, label.y + 1e-4)
    replace_geometries(data_copy, {0: mapping(shapely.MultiPolygon([*liwan.geoms, patch]))})
    bad = hits(errors(validate(data_copy).problems), file="districts.geojson", entry_id="荔湾区")
    assert len(bad) == 1 and "海珠区" in bad[0].message and "label point" in bad[0].message


def shared_vertex(doc: dict, first: int, second: int) -> tuple[float, float]:
    a, b = (shape(doc["features"][i]["geometry"]) for i in (first, second))
    common = shapely.get_coordinates(a.boundary).tolist()
    ours = {tuple(c) for c in shapely.get_coordinates(b.boundary).tolist()}
    return next(tuple(c) for c in common if tuple(c) in ours)


def test_a_point_exactly_on_a_border_counts_for_the_declared_district(data_copy: Path):
    doc = districts_doc(data_copy)
    lon, lat = shared_vertex(doc, 0, 1)  # 荔湾区 | 越秀区: the old code took the first in the file
    text = (data_copy / "parks.yaml").read_text(encoding="utf-8")
    start = text.index(f"- id: {PARK}\n")
    end = text.index("\n- id:", start)
    park = text[start:end]
    park = park.replace(park[park.index("    lon:"):park.index("    precision_m:")],
                        f"    lon: {lon!r}\n    lat: {lat!r}\n")
    (data_copy / "parks.yaml").write_text(text[:start] + park + text[end:], encoding="utf-8")
    report = validate(data_copy)
    assert errors(report.problems) == []
    assert report.checked.located[PARK] == "越秀区"
    assert not [p for p in report.problems if p.entry_id == PARK]


@pytest.mark.parametrize("char", ["\u3164", "\u2800", "\u115f", "\u1160", "\uffa0"])
def test_invisible_fillers_are_refused(char: str, data_copy: Path):
    edit_yaml(data_copy / "parks.yaml", lambda d: next(p for p in d if p["id"] == PARK).update(
        name_zh="黄花岗" + char + "科技园"))
    bad = hits(errors(validate(data_copy).problems), entry_id=PARK, field="name_zh")
    assert len(bad) == 1 and f"U+{ord(char):04X}" in bad[0].message


@pytest.mark.parametrize("char", ["\u2028", "\u2029"])
def test_unicode_line_and_paragraph_separators_fold_into_a_space(char: str, data_copy: Path):
    edit_yaml(data_copy / "parks.yaml", lambda d: next(p for p in d if p["id"] == PARK).update(
        notes="第一行" + char + "第二行"))
    assert load_checked(data_copy).entries[PARK].notes == "第一行 第二行"


def test_characters_the_print_font_lacks_are_warned_about_by_entry_and_field(data_copy: Path, capsys):
    edit_yaml(data_copy / "parks.yaml", lambda d: next(p for p in d if p["id"] == PARK).update(
        name_zh="黄花岗𠀀科技园", notes="好😀"))
    report = validate(data_copy)
    assert errors(report.problems) == []
    warned = [p for p in report.problems if p.entry_id == PARK]
    assert {(p.level, p.field) for p in warned} == {("warning", "name_zh"), ("warning", "notes")}
    assert "U+20000" in str(warned[0]) + str(warned[1]) and "U+1F600" in str(warned[0]) + str(warned[1])
    code, out = run_validate(data_copy, capsys)
    assert code == 0
    assert f"WARNING: parks.yaml: {PARK}: name_zh: the print font cannot draw U+20000 𠀀:" in out
    assert f"WARNING: parks.yaml: {PARK}: notes: the print font cannot draw U+1F600 😀:" in out
    assert load_checked(data_copy).entries[PARK].name_zh == "黄花岗𠀀科技园"  # the app still runs


@pytest.mark.parametrize(("key", "name"), [("name_en", "/etc/cron.d/x"), ("name_zh", "../../越秀区"),
                                          ("name_en", "CON"), ("name_zh", "越秀区" * 30)])
def test_district_names_that_cannot_be_file_names_are_refused(key: str, name: str, data_copy: Path):
    path = data_copy / "districts.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][1]["properties"][key] = name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bad = hits(errors(validate(data_copy).problems), file="districts.geojson", field=key)
    assert len(bad) == 1 and "file name" in bad[0].message
    with pytest.raises(DataError):
        load_checked(data_copy)


def test_the_shipped_data_stays_clean():
    report = validate()
    assert errors(report.problems) == []
    assert len([p for p in report.problems if p.level == "finding"]) == 4
