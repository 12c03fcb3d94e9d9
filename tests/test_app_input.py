"""The app's untrusted input (issue 18, items 5, 6, 9, 14): links, data text on the pages, the
operator's tile configuration, and edits to data/ while the app runs. AppTest and plain functions;
tests/test_e2e_input.py looks at the same things in Chromium."""
from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.maps.basemaps import catalogue, configured
from geo.safe import linked_text, md_code, md_fill, md_literal
from geo.ui.link import MAX_NOTICES, parse_link
from layers import layer_titles
from tests.conftest import edit_yaml
from tests.mapdocs import app_state
from tests.shipped import shipped

ROOT = Path(__file__).resolve().parents[1]
CHECKED = shipped()
PHISH = "请登录 https://evil.example/sso 或 www.evil.example"
MARKUP = "**bold** https://x.example a@b.example"
INTRANET = {"key": "intranet", "label_zh": "区政务内网底图", "url": "http://127.0.0.1:9/{z}/{x}/{y}.png",
            "attribution": "© 区政务云"}


def app(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    return at


# Item 5: online basemaps -------------------------------------------------------------------

def test_a_link_naming_an_online_basemap_shows_the_offline_map_until_the_user_switches():
    at = app(basemap="osm").run()
    assert not at.exception
    assert at.selectbox(key="basemap").value == "none"  # the map is on the offline base
    assert "OpenStreetMap（在线）" in at.info[0].value and "外部服务器" in at.info[0].value
    assert at.query_params["basemap"] == "osm"  # still offered: a reload asks again
    at.button(key="basemap_switch").click().run()
    assert not at.exception and at.selectbox(key="basemap").value == "osm"
    assert not at.info and "basemap_switch" not in [b.key for b in at.button]  # asked once: notice and button gone
    # Choosing a basemap by hand works at once, and the offer goes.
    at = app(basemap="positron").run()
    at.selectbox(key="basemap").set_value("osm").run()
    assert not at.exception and at.selectbox(key="basemap").value == "osm" and not at.info
    assert at.query_params["basemap"] == "osm"


def test_an_operator_can_forbid_online_basemaps(monkeypatch):
    monkeypatch.setenv("GZMAP_ONLINE_BASEMAPS", "false")
    at = app(basemap="osm")
    at.secrets["tiles"] = [INTRANET]
    at.secrets["tianditu_key"] = "testkey"
    at.run()
    assert not at.exception
    assert at.selectbox(key="basemap").options == ["无底图（离线）", "区政务内网底图"]
    assert not at.info and "basemap=osm" in at.warning[0].value  # named, and ignored
    # The operator's own source is the operator's choice: a link may name it.
    at = app(basemap="intranet")
    at.secrets["tiles"] = [INTRANET]
    at.run()
    assert at.selectbox(key="basemap").value == "intranet" and not at.info
    assert set(catalogue(online=False)) == {"none"}
    assert set(catalogue([INTRANET], "key", online=False)) == {"none", "intranet"}


def test_a_misspelt_online_basemaps_setting_turns_them_off_instead_of_failing(monkeypatch, caplog):
    from geo.settings import settings

    monkeypatch.setenv("GZMAP_ONLINE_BASEMAPS", "nope")
    with caplog.at_level("ERROR", logger="gzmap"):
        assert settings().online_basemaps is False
    assert "GZMAP_ONLINE_BASEMAPS='nope' is not true or false" in caplog.text
    at = app().run()
    assert not at.exception and at.selectbox(key="basemap").options == ["无底图（离线）"]


# Item 6: link and data text never become markup or links -----------------------------------

def test_link_notices_are_bounded_in_number_and_length():
    params = {f"{'x' * 6000}{i}": "y" * 150 for i in range(200)}
    link = parse_link(params, CHECKED, list(layer_titles(lang="zh")))
    assert len(link.notices) == MAX_NOTICES + 1 and "195" in link.notices[-1]
    assert all(len(n) < 120 for n in link.notices) and all("…" in p for p in link.ignored)


def test_a_phishing_parameter_name_is_quoted_as_code_never_as_text_markdown_could_link():
    at = app(**{PHISH: "1"}).run()
    assert not at.exception
    notice = at.warning[0].value
    assert re.fullmatch(r"链接参数 `请登录 https://evil\.example/sso 或 www\.evil…=1` 无法识别，已忽略。", notice), notice
    # A code span holds any text: a backtick run in it gets a longer fence; line breaks go.
    assert md_code("a``b\n\nc") == "```a``b  c```" and md_code("`x") == "`` `x ``"
    assert md_fill("链接参数 {param} [x]", param="**b**") == "链接参数 `**b**` \\[x\\]"
    # In headings, data text is escaped, and quoted as code only where GFM would link it.
    assert md_literal("越秀区") == "越秀区" and md_literal("WWW.x.example区") == "`WWW.x.example区`"
    assert md_literal("a@b.example") == "`a@b.example`" and md_literal("**b**") == "\\*\\*b\\*\\*"


def hostile_names(data: Path) -> None:
    def poison(parks: list) -> None:
        for park in parks:
            if park["id"] in ("park-huanghuagang", "park-yunpu"):  # in a sheet table; not on the map
                park["name_zh"] = park["name_en"] = park["role_zh"] = MARKUP + park["id"][-4:]
    edit_yaml(data / "parks.yaml", poison)


def test_data_text_in_the_sheet_tables_shows_as_plain_text(data_copy: Path, monkeypatch):
    hostile_names(data_copy)
    monkeypatch.setenv("GZMAP_DATA", str(data_copy))
    at = app(district="越秀区").run()
    assert not at.exception and not at.table  # st.table renders cells as Markdown
    tables = [h.proto.body for h in at.get("html") if "gz-table" in h.proto.body]
    assert len(tables) >= 1 and any(f"{MARKUP}gang" in t for t in tables)
    assert not any(re.search(r"<(a|strong|em)\b", t) for t in tables)


def test_the_unplaced_list_shows_data_text_as_plain_text(data_copy: Path, monkeypatch):
    hostile_names(data_copy)
    monkeypatch.setenv("GZMAP_DATA", str(data_copy))
    at = app().run()
    assert not at.exception
    assert any(f"• {MARKUP}unpu（{MARKUP}unpu）" in t.value for t in at.text)  # st.text: no Markdown
    assert not any(MARKUP[2:6] in m.value for m in at.markdown)


# Item 9: the operator's tile configuration ---------------------------------------------------

BAD_TILES = [
    {"key": "noattr", "label_zh": "缺署名", "url": "http://127.0.0.1:9/{z}/{x}/{y}.png"},
    {"key": "foo", "label_zh": "未知占位符", "url": "http://127.0.0.1:9/{z}/{x}/{y}/{foo}.png", "attribution": "x"},
    {"key": "ftp", "label_zh": "非 http", "url": "ftp://127.0.0.1/{z}/{x}/{y}.png", "attribution": "x"},
    INTRANET,
]


def test_bad_tile_entries_are_reported_and_skipped_and_the_map_stays(monkeypatch):
    monkeypatch.setenv("GZMAP_TILES", "[{not json")
    at = app()
    at.secrets["tiles"] = BAD_TILES
    at.run()
    assert not at.exception
    assert at.selectbox(key="basemap").options[-1] == "区政务内网底图"  # the good one stays
    assert not {"缺署名", "未知占位符", "非 http"} & set(at.selectbox(key="basemap").options)
    assert "底图配置有误" in at.warning[0].value
    lines = at.code[0].value.splitlines()
    assert lines[0].startswith("secrets.toml [[tiles]] entry 1 (noattr): attribution: Field required")
    assert lines[1].startswith("secrets.toml [[tiles]] entry 2 (foo): url:") and "{foo}" in lines[1]
    assert lines[2].startswith("secrets.toml [[tiles]] entry 3 (ftp): url:") and "http" in lines[2]
    assert lines[3].startswith("GZMAP_TILES: not valid JSON") and len(lines) == 4
    assert not at.error
    at = app()
    at.secrets["tiles"] = [{"key": str(i)} for i in range(100)]
    at.run()
    assert not at.exception and len(at.code[0].value.splitlines()) == 11 and "(+" in at.code[0].value


def test_tile_configuration_problems_are_one_line_each_and_logged_once(caplog):
    env = {"GZMAP_TILES": json.dumps([{"key": "k" * 500, "label_zh": "x"}, "not a table"])}
    with caplog.at_level("WARNING", logger="gzmap"):
        basemaps, problems = configured({}, env)
        configured({}, env)
    assert "none" in basemaps and len(problems) == 4 and all("\n" not in p and len(p) < 260 for p in problems)
    assert len([r for r in caplog.records if "tile configuration" in r.message]) == 4


def test_an_operators_attribution_is_text_and_only_its_urls_become_links():
    evil = {**INTRANET, "attribution": "<img src=x onerror=alert(1)> © 区政务云 https://tiles.example/about."}
    attribution = app_state(CHECKED, basemap=catalogue([evil])["intranet"])["tiles"]["attribution"]  # type: ignore[index]
    assert attribution == ('&lt;img src=x onerror=alert(1)&gt; © 区政务云 <a href="https://tiles.example/about"'
                                      ' target="_blank" rel="noopener noreferrer">https://tiles.example/about</a>.')
    assert linked_text("javascript:alert(1) <b>") == "javascript:alert(1) &lt;b&gt;"


# Item 14: edits to data/ --------------------------------------------------------------------

def test_a_data_edit_shows_without_restart_and_a_broken_one_keeps_the_last_good_data(data_copy: Path, monkeypatch):
    monkeypatch.setenv("GZMAP_DATA", str(data_copy))
    at = app(district="越秀区").run()

    def sheet_text() -> str:
        return " ".join(h.proto.body for h in at.get("html") if "gz-table" in h.proto.body)

    assert "黄花岗科技园" in sheet_text()
    edit_yaml(data_copy / "parks.yaml",
              lambda parks: next(p for p in parks if p["id"] == "park-huanghuagang").update(name_zh="黄花岗创新园"))
    at.run()
    assert not at.exception and "黄花岗创新园" in sheet_text() and not at.warning
    edit_yaml(data_copy / "parks.yaml",
              lambda parks: next(p for p in parks if p["id"] == "park-huanghuagang").update(district="越秀县"))
    at.run()
    assert not at.exception and "黄花岗创新园" in sheet_text()  # the last good version, still whole
    assert "仍显示上一版有效数据" in at.warning[0].value
    assert "parks.yaml: park-huanghuagang: district: unknown district '越秀县'" in at.code[0].value
    edit_yaml(data_copy / "parks.yaml",
              lambda parks: next(p for p in parks if p["id"] == "park-huanghuagang").update(district="越秀区"))
    at.run()
    assert not at.exception and not at.warning and "黄花岗创新园" in sheet_text()
