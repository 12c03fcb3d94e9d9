"""The app's logic without a browser (issue 3): search, focus, district tables, escaping, the
offline map document, and the Streamlit script itself through AppTest."""
from __future__ import annotations

import json
import re
from pathlib import Path

import shapely
from streamlit.testing.v1 import AppTest

from geo.crs import distance_m
from geo.exports.district_sheet import district_sheet
from geo.exports.standalone import standalone_html
from geo.maps.basemaps import BASEMAPS
from geo.maps.details import details_html, notes_html
from geo.maps.view import HIT_ZOOM, view_of
from geo.maps.webmap import GUANGZHOU_ZOOM
from geo.search import search
from layers.districts import item_id
from tests.conftest import edit_yaml
from tests.mapdocs import app_state, drawn_at, layout, members, standalone_state
from tests.shipped import shipped

CHECKED = shipped()
ROOT = Path(__file__).resolve().parents[1]


def test_search_matches_part_of_a_chinese_or_english_name():
    assert search(CHECKED, "知识城")[0].entry.id == "core-knowledge-city"
    assert "park-bio-island" in [h.entry.id for h in search(CHECKED, "bio island")]
    # The place comes before the platforms named after it.
    assert [h.entry.id for h in search(CHECKED, "生物岛")][0] == "park-bio-island"
    assert search(CHECKED, "   ") == []
    assert search(CHECKED, "不存在的地方") == []


def test_district_focus_zooms_in_on_that_district_and_a_hit_zooms_further():
    city = view_of(CHECKED)
    assert city.zoom == GUANGZHOU_ZOOM and city.highlight is None
    tianhe = view_of(CHECKED, "天河区")
    assert tianhe.zoom > GUANGZHOU_ZOOM
    district = CHECKED.district("天河区")
    assert tianhe.highlight == item_id(district)  # its outline is drawn over the map
    assert district.geometry.contains(shapely.Point(tianhe.center[1], tianhe.center[0]))
    hit = view_of(CHECKED, "天河区", "park-bio-island")
    assert tianhe.zoom < hit.zoom <= HIT_ZOOM and hit.highlight.geom_type == "Point"
    # What a narrower map (a phone's) zooms out to hold: the district, the found place's circle;
    # the city view is the same everywhere (tests/test_e2e_glance.py checks both on a phone).
    assert tianhe.extent == district.geometry.bounds and city.extent is None
    west, south, east, north = hit.extent
    assert west < hit.center[1] < east and south < hit.center[0] < north



def test_the_sheet_s_shorter_map_still_shows_the_whole_district():
    """Nansha is tall: framed for the map page's 640 px it ran off the sheet's 420 px map, and
    the places in its south were out of sight."""
    import math

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    _, miny, _, maxy = CHECKED.district("南沙区").geometry.bounds
    for height in (420, 640):
        view = view_of(CHECKED, "南沙区", map_height=height)
        shown_px = (merc_y(maxy) - merc_y(miny)) * 256 * 2 ** view.zoom / (2 * math.pi)
        assert shown_px <= height - 40, (height, view.zoom)


XSS = "<img src=x onerror=alert(1)>${alert(2)}`"


def test_details_escape_html_and_template_literals():
    park = CHECKED.entries["park-huanghuagang"]
    evil = park.model_copy(update={"name_zh": XSS, "role_zh": XSS, "notes": XSS})
    html = details_html(CHECKED, evil, lang="zh")
    assert "<img" not in html and "${" not in html and "`" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#36;&#123;alert(2)&#125;&#96;" in html
    listed = notes_html([(XSS, XSS, XSS)], lang="zh")
    assert "<img" not in listed and "${" not in listed


def test_popup_shows_role_platforms_by_tier_and_sources():
    html = details_html(CHECKED, CHECKED.entries["node-knowledge-city"], lang="zh")
    for text in ("中新广州知识城", "科技创新轴极点", "其他平台", "中新国际联合研究院",
                 "《广州市科技创新“十四五”规划》（征求意见稿）（2021）", "<summary>位置来源与精度</summary>"):
        assert text in html
    assert ".txt" not in html  # documents by title, never by file name


def test_the_offline_map_loads_nothing_from_outside_its_own_file():
    page = standalone_html(CHECKED, lang="zh")
    assert not re.findall(r"<script[^>]*\ssrc=|<link[^>]*\shref=|<img[^>]*\ssrc=", page)  # every asset inlined
    state = standalone_state(page)
    assert state["tiles"] is None and state["assets"] == {"js": [], "css": []}
    placed_parks = [p.id for p in CHECKED.of_kind("park") if p.id in CHECKED.geometries]
    drawn = {m["id"] for m in members(state["layout"])}
    assert set(placed_parks) <= drawn and len(placed_parks) >= 24  # a marker member each
    assert set(placed_parks) <= set(state["popups"])
    assert state["view"]["fit"] is None  # the city: as it is on every screen
    # A district's file frames the district on any screen it is opened on (a phone's too).
    west, south, east, north = CHECKED.district("花都区").geometry.bounds
    fit = standalone_state(standalone_html(CHECKED, "花都区", lang="zh"))["view"]["fit"]
    assert fit["bounds"] == [[south, west], [north, east]] and fit["bottom"] > 0


def test_gcj02_basemap_shifts_geometry_only_on_the_map():
    loc = CHECKED.points["park-tianhe-cbd"]
    where = (loc.lon, loc.lat)
    gcj = layout(CHECKED, keys=["parks"], gcj02=BASEMAPS["amap"].gcj02)
    wgs = layout(CHECKED, keys=["parks"], gcj02=BASEMAPS["none"].gcj02)
    assert drawn_at(wgs, "park-tianhe-cbd") == where  # the shifted map left the data in WGS84
    # GCJ-02 moves a Guangzhou point about 600 m (620 m here).
    assert 300 < distance_m(where, drawn_at(gcj, "park-tianhe-cbd")) < 900
    assert "autonavi" in app_state(CHECKED, basemap=BASEMAPS["amap"])["tiles"]["url"]  # type: ignore[index]
    assert app_state(CHECKED, basemap=BASEMAPS["none"])["tiles"] is None


def test_app_runs_and_shows_the_map_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "一轴四核多点" in at.title[0].value
    at.selectbox(key="district").select("越秀区").run()
    at.radio(key="view").set_value("sheet").run()
    assert not at.exception
    assert any("越秀区：规划安排清单" in h.value for h in at.header)
    assert at.query_params["district"] == "越秀区"  # the link now opens this district


def test_a_district_link_opens_its_sheet_and_a_bad_one_shows_a_notice():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["district"] = "Nansha"
    at.run()
    assert not at.exception and any("南沙区：规划安排清单" in h.value for h in at.header)
    assert any("多点园区" in e.label for e in at.expander)  # the parks' group, one that folds
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["district"] = "<img src=x onerror=alert(1)>"
    at.run()
    assert not at.exception and "无法识别" in at.warning[0].value
    # Quoted as a Markdown code span: shown as text, never as HTML or a link.
    assert "`district=<img src=x onerror=alert(1)>`" in at.warning[0].value


def test_app_shows_validator_messages_instead_of_a_traceback(data_copy: Path, monkeypatch):
    edit_yaml(data_copy / "parks.yaml", lambda d: d[0].update(district="越秀县"))
    monkeypatch.setenv("GZMAP_DATA", str(data_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "数据文件有误" in at.error[0].value
    assert "parks.yaml: park-life-health-innovation-zone: district: unknown district '越秀县'" in at.code[0].value


def test_a_link_restores_what_it_names_and_ignores_what_it_cannot_use():
    from geo.ui.link import Link, link_params, parse_link
    from layers import layer_titles

    keys = list(layer_titles(lang="zh"))
    link = parse_link({"district": "Nansha", "layers": "districts,axis", "basemap": "osm", "doc": "003",
                       "place": "park-qingsheng", "view": "23.1,113.3,11"}, CHECKED, keys)
    assert (link.page, link.district, link.layers, link.basemap) == ("sheet", "南沙区", ("districts", "axis"), "osm")
    assert link.doc == "003_fadc3f19c3dd5753.txt" and link.place == "park-qingsheng" and link.view == (23.1, 113.3, 11)
    assert link.notices == ()
    params = link_params(link, keys)
    assert parse_link(params, CHECKED, keys) == Link(**{**link.__dict__, "view": None})
    bad = parse_link({"district": "", "layers": "roads", "place": "<script>", "view": "1e9,2,3",
                      "basemap": "x" * 500, "doc": "9"}, CHECKED, keys)
    assert bad == Link() and len(bad.notices) == 6
    assert all("<" not in n for n in bad.notices if "place" not in n)


def test_an_operator_tile_source_from_the_secrets_is_offered_and_used():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["tiles"] = [{"key": "intranet", "label_zh": "区政务内网底图", "crs": "gcj02",
                            "url": "http://tiles.intranet.example/{z}/{x}/{y}.png", "attribution": "© 区政务云"}]
    at.secrets["tianditu_key"] = "testkey"
    at.run()
    assert not at.exception
    options = at.selectbox(key="basemap").options
    assert "区政务内网底图" in options and "天地图（在线，需密钥）" in options
    from geo.maps.basemaps import catalogue

    intranet = catalogue(at.secrets["tiles"])["intranet"]
    tiles = app_state(CHECKED, basemap=intranet)["tiles"]
    assert tiles["url"] == "http://tiles.intranet.example/{z}/{x}/{y}.png"  # type: ignore[index]
    assert tiles["attribution"] == "© 区政务云"  # type: ignore[index]
    loc = CHECKED.points["park-tianhe-cbd"]
    shifted = layout(CHECKED, keys=["parks"], gcj02=intranet.gcj02)
    assert 300 < distance_m((loc.lon, loc.lat), drawn_at(shifted, "park-tianhe-cbd")) < 900  # a GCJ-02 source shifts the overlays
    assert "tk=testkey" in catalogue([], "testkey")["tianditu"].provider.build_url()


def map_element(at: AppTest) -> dict:
    """The arguments the page hands its map component, as they go to the browser."""
    [element] = [e for e in at.get("component_instance") if e.proto.component_name.endswith(".gzmap")]
    return json.loads(element.proto.json_args)


def test_a_shared_view_goes_to_the_map_as_the_users_and_the_apps_own_view_does_not():
    """A link's view= is shown exactly as shared (gzmap.js never nudges a user's view clear of the
    controls, and reports it back for "export this view"); the city view the app sets is its own."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert map_element(at)["view"]["users"] is False
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "23.13,113.32,12.5"
    at.run()
    view = map_element(at)["view"]
    assert (view["lat"], view["lon"], view["zoom"], view["users"]) == (23.13, 113.32, 12.5, True)


def test_the_map_element_carries_its_documents_by_url_and_stays_small():
    """A rerun (a layer switch, a district, a review) sends the map only its state: the layout and
    popups go by URL, fetched once and cached by the browser."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    city = map_element(at)
    at.selectbox(key="district").select("黄埔区").run()
    district = map_element(at)
    huangpu = district_sheet(CHECKED, "黄埔区", lang="zh")
    reviewed = {i: "核对：有误（区科技局 张三，2026-05-01）" for row in huangpu.rows for i in row.ids}
    signed_in = app_state(CHECKED, district="黄埔区", reviews=reviewed)  # a reviewer's line on every row
    assert len(reviewed) > 20 and signed_in["reviews"] == reviewed
    for state in (city, district, signed_in):
        assert len(json.dumps(state, ensure_ascii=False).encode()) < 10_000
        assert re.fullmatch(r"/gzmap/data/layout/zh/wgs84/all/all/[0-9a-f]{20}\.json", state["layout"])  # type: ignore[arg-type]
        assert re.fullmatch(r"/gzmap/data/popups/zh/wgs84/all/all/[0-9a-f]{20}\.json", state["popups"])  # type: ignore[arg-type]
    assert city["highlight"] is None and district["highlight"] == {"shape": item_id(CHECKED.district("黄埔区"))}
