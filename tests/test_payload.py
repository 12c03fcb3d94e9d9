"""The web map's two documents (geo.maps.payload, issue 21): the layout (markers, labels, lines,
areas, legend) and the popups, which the app serves as files named by their content and the
standalone HTML inlines. Everything placed is drawn once, GCJ-02 moves what is drawn (never the
data), data text stays text, and the same data always gives the same bytes (the same URL)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo.data.model import CheckedLayout
from geo.data.validate import load_checked
from geo.exports.standalone import standalone_html
from geo.i18n import Lang, name, t
from geo.maps.basemaps import BASEMAPS
from geo.maps.view import HIT_ZOOM, view_of
from geo.maps.payload import PARTS, DataKey, Part, document
from geo.maps.webmap import map_state
from layers import build_layers
from layers.districts import item_id
from tests.conftest import edit_yaml
from tests.mapdocs import ASSETS, members
from tests.shipped import shipped

CHECKED = shipped()
GEOD = Geod(ellps="WGS84")
LINES = ("LineString", "MultiLineString")
EVIL = "<img src=x onerror=alert(1)>"
PARK = "park-huanghuagang"
ZONE = "platform-shipai-wushan-longdong-university-cluster"


def key(part: Part = "layout", *, lang: Lang = "zh", gcj02: bool = False) -> DataKey:
    return DataKey.parse(part=part, lang=lang, crs="gcj02" if gcj02 else "wgs84", doc="all", system="all")


def decoded(checked: CheckedLayout, part: Part = "layout", *, lang: Lang = "zh", gcj02: bool = False) -> dict:
    return json.loads(document(checked, key(part, lang=lang, gcj02=gcj02)))


def test_everything_placed_is_drawn_once_and_has_its_popup():
    layout, popups = decoded(CHECKED), decoded(CHECKED, "popups")
    at_places = Counter(m["id"] for m in members(layout))
    drawn = [(layer.key, item) for layer in build_layers(CHECKED, lang="zh") for item in layer.items]
    marked = [i.id for _, i in drawn if i.entry is not None and (i.anchor is not None or isinstance(i.geometry, Point))]
    points = [eid for eid, g in CHECKED.geometries.items() if g.geom_type == "Point"]
    assert len(points) > 80 and set(points) <= set(marked)  # every point of the data has a marker
    # in exactly one place's members, a zone of several parts in one per placed part
    assert dict(at_places) == {i: len(CHECKED.placed_parts(CHECKED.entries[i])) or 1 for i in marked}
    assert set(at_places) <= set(popups)

    assert [d["id"] for d in layout["districts"]] == [item_id(d) for d in CHECKED.districts]  # each once
    shapes = {s["id"]: s for s in layout["shapes"]}
    lines = [i.id for _, i in drawn if i.entry is not None and i.geometry.geom_type in LINES]
    assert lines and all(shapes[i]["line"] and i in popups for i in lines)
    areas = [i.id for _, i in drawn if not isinstance(i.geometry, Point) and i.geometry.geom_type not in LINES]
    assert {i for i in areas if i.startswith("district-")} == {item_id(d) for d in CHECKED.districts}
    assert not any(shapes[i]["line"] for i in areas) and len(shapes) == len(lines) + len(areas)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def drawn_points(layout: dict) -> dict[str, tuple[float, float]]:
    """Every point the layout draws (markers, district names, each shape's first vertex) by a name."""
    out = {f"place {p['members'][0]['id']}": (p["lon"], p["lat"]) for p in layout["places"]}
    out |= {f"name {d['id']}": (d["lon"], d["lat"]) for d in layout["districts"]}
    for s in layout["shapes"]:
        coords = s["geometry"]["coordinates"]
        while isinstance(coords[0], list):
            coords = coords[0]
        out[f"shape {s['id']}"] = tuple(coords)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_zone_of_several_parts_is_drawn_at_each_placed_part_and_named_there(lang: Lang):
    """石牌-五山-龙洞高校聚集区: a marker at 石牌, 五山 and 龙洞, each named "zone · part", and none at
    the zone's own point (a centre chosen to cover all three, where no campus is)."""
    zone = CHECKED.entries[ZONE]
    parts = {(p.location.lon, p.location.lat): p for p in getattr(zone, "parts") if p.location}
    drawn = {(place["lon"], place["lat"]): [m["label"] for m in place["members"] if m["id"] == ZONE]
             for place in decoded(CHECKED, lang=lang)["places"]}
    drawn = {xy: labels for xy, labels in drawn.items() if labels}
    assert len(parts) == 3 and drawn.keys() == parts.keys()
    assert all(labels == [t("layer.part", lang, zone=name(zone, lang), part=name(parts[xy], lang))]
               for xy, labels in drawn.items())
    # A search hit rings every part, all in view (the map's width and height in view_for's pixels).
    view = view_of(CHECKED, hit=ZONE)
    assert {(p.x, p.y) for p in view.highlight.geoms} == set(parts)  # type: ignore[union-attr]
    half_lon = 640 * 360 / 256 / 2 ** view.zoom / 2
    assert all(abs(lon - view.center[1]) < half_lon for lon, _ in parts)
    assert view.zoom <= HIT_ZOOM


def test_on_gcj02_tiles_every_point_is_drawn_about_600_m_off():
    wgs, gcj = drawn_points(decoded(CHECKED)), drawn_points(decoded(CHECKED, gcj02=True))
    assert wgs.keys() == gcj.keys() and len(wgs) > 50
    off = {name: metres(wgs[name], gcj[name]) for name in wgs}
    assert all(300 < m < 900 for m in off.values()), {n: round(m) for n, m in off.items() if not 300 < m < 900}
    loc = CHECKED.points["park-tianhe-cbd"]
    assert wgs["place park-tianhe-cbd"] == (loc.lon, loc.lat)  # the WGS84 document draws the data as they are
    ring = map_state(layout="", popups="", assets=ASSETS, basemap=BASEMAPS["amap"], view=((0, 0), 1),
                     view_token="", visible=[], highlight=Point(loc.lon, loc.lat))["highlight"]
    assert 300 < metres((loc.lon, loc.lat), (ring["points"][0]["lon"], ring["points"][0]["lat"])) < 900  # type: ignore[index]


def test_a_core_of_several_parts_is_drawn_at_its_parts_too(data_copy: Path):
    """The rule is the model's, whatever the layer: a core given two placed parts (and an unplaced
    one) has a marker at each placed part and none at its own point."""
    core = "core-knowledge-city"
    at = {"lon": 113.50, "lat": 23.34, "precision_m": 500, "method": "test"}
    parts = [{"name_zh": "甲", "name_en": "A", "location": at},
             {"name_zh": "乙", "name_en": "B", "location": at | {"lon": 113.54, "lat": 23.37}},
             {"name_zh": "丙", "name_en": "C", "location": None}]
    edit_yaml(data_copy / "cores.yaml", lambda d: next(c for c in d["cores"] if c["id"] == core).update(parts=parts))
    drawn = [(p["lon"], p["lat"]) for p in decoded(load_checked(data_copy))["places"]
             if any(m["id"] == core for m in p["members"])]
    assert sorted(drawn) == [(113.5, 23.34), (113.54, 23.37)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_hostile_name_stays_text_in_both_documents_and_the_offline_page(data_copy: Path, lang: Lang):
    edit_yaml(data_copy / "parks.yaml",
              lambda parks: next(p for p in parks if p["id"] == PARK).update(name_zh=EVIL, name_en=EVIL))
    checked = load_checked(data_copy)
    for part in PARTS:
        raw = document(checked, key(part, lang=lang)).decode()
        assert "<img" not in raw and "&lt;img src=x onerror=alert(1)&gt;" in raw, part
    assert next(m for m in members(decoded(checked, lang=lang)) if m["id"] == PARK)["label"] == \
        "&lt;img src=x onerror=alert(1)&gt;"
    assert "<img" not in standalone_html(checked, lang=lang)


def test_the_same_data_give_the_same_bytes_and_only_real_keys_are_read():
    again = load_checked()  # loaded anew: nothing depends on the process or the order of loading
    for k in (key(), key(gcj02=True), key("popups"), key(lang="en")):
        assert document(CHECKED, k) == document(again, k)
    assert document(CHECKED, key()) != document(CHECKED, key(gcj02=True))
    assert document(CHECKED, key()) != document(CHECKED, key(lang="en"))

    reading = DataKey(part="layout", lang="en", gcj02=True, doc="003_fadc3f19c3dd5753.txt", system="system-004")
    segments = reading.url("0" * 20).split("/")[3:-1]
    assert DataKey.parse(**dict(zip(("part", "lang", "crs", "doc", "system"), segments))) == reading
    good = dict(part="popups", lang="zh", crs="wgs84", doc="all", system="all")
    assert DataKey.parse(**good) == DataKey(part="popups", lang="zh", gcj02=False, doc=None, system=None)
    for bad in ({"doc": ".."}, {"system": ".."}, {"doc": "../data"}, {"lang": "fr"}, {"crs": "gcj02"},
                {"part": "tiles"}, {"crs": "bd09"}, {"doc": ""}):
        with pytest.raises(ValueError):
            DataKey.parse(**{**good, **bad})
