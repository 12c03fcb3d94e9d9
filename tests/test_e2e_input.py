"""The app's untrusted input in Chromium (issue 18, items 5, 6, 9): a link that names an online
basemap, link and data text that Markdown would turn into links or bold, an operator's hostile
attribution. Every request that would leave 127.0.0.1 is aborted and recorded."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Browser

from tests.browser import map_frame, running_app, wait_until
from tests.test_app_input import MARKUP, PHISH, hostile_names

pytestmark = pytest.mark.e2e


def guarded(chromium: Browser):
    """A browser context in which nothing leaves the machine: requests to any other host than
    127.0.0.1 are aborted (Chromium sends nothing) and recorded."""
    ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    outside: list[str] = []

    def handle(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", None):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()
    ctx.route("**/*", handle)
    return ctx, outside


def test_a_link_naming_an_online_basemap_asks_first_and_sends_nothing_outside_until_then(
        app_url: str, chromium: Browser):
    ctx, outside = guarded(chromium)
    page = ctx.new_page()
    page.goto(f"{app_url}/?basemap=osm")
    frame = map_frame(page)
    switch = page.get_by_role("button", name="切换到 OpenStreetMap（在线）")
    switch.wait_for(timeout=30_000)
    assert "地图先以离线底图显示" in page.inner_text("body")
    page.wait_for_timeout(3000)  # time for any tile request to go out
    assert outside == [] and frame.locator(".leaflet-tile").count() == 0
    switch.click()
    wait_until(page, lambda: any("tile.openstreetmap.org" in u for u in outside), 60, "tile requests")
    assert {urlparse(u).hostname for u in outside} <= {"tile.openstreetmap.org"}
    wait_until(page, lambda: switch.count() == 0, what="the offer to go")
    assert "basemap=osm" in page.url


def test_link_and_data_text_show_literally_with_no_link_or_bold(data_copy: Path, chromium: Browser):
    hostile_names(data_copy)
    with running_app(data_copy) as url:
        ctx, outside = guarded(chromium)
        page = ctx.new_page()
        page.goto(f"{url}/?{quote(PHISH)}=1&district=越秀区")
        alert = page.locator("[data-testid='stAlert']").first
        alert.wait_for(timeout=60_000)
        assert "https://evil.example/sso" in alert.inner_text() and "无法识别" in alert.inner_text()
        assert alert.locator("a").count() == 0  # neither the URL nor the www. name is a link
        # The district sheet's tables: the park's name and role as written, no link, no bold.
        cell = page.locator("table.gz-table td, table.gz-table th", has_text="**bold**").first
        cell.wait_for(timeout=60_000)
        assert f"{MARKUP}gang" in page.locator("table.gz-table").first.inner_text()
        assert page.locator("table.gz-table a, table.gz-table strong, [data-testid='stTable']").count() == 0
        # The city map's list of what it cannot place.
        page.goto(url)
        map_frame(page)
        page.locator("[data-testid='stExpander'] summary", has_text="多点（园区）").click()
        listed = page.get_by_text(f"{MARKUP}unpu", exact=False).first
        listed.wait_for(timeout=20_000)
        expander = page.locator("[data-testid='stExpander']", has_text=f"{MARKUP}unpu")
        assert expander.locator("a, strong").count() == 0
        assert outside == []


def test_an_operators_hostile_attribution_shows_as_text_and_runs_nothing(monkeypatch, chromium: Browser):
    monkeypatch.setenv("GZMAP_TILES", json.dumps([{
        "key": "intranet", "label_zh": "区政务内网底图", "url": "http://127.0.0.1:9/{z}/{x}/{y}.png",
        "attribution": "<img src=x onerror=alert(1)> 区政务云 https://tiles.example/about"}]))
    with running_app() as url:  # its own: GZMAP_TILES is in its environment
        ctx, outside = guarded(chromium)
        page = ctx.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/?basemap=intranet")  # the operator's own source: no question asked
        credit = map_frame(page).locator(".leaflet-control-attribution")
        wait_until(page, lambda: "区政务云" in credit.inner_text(), 60, "the attribution")
        assert "<img src=x onerror=alert(1)> 区政务云" in credit.inner_text()
        assert credit.locator("img").count() == 0
        assert credit.locator("a[href='https://tiles.example/about']").count() == 1
        page.wait_for_timeout(1500)
        assert dialogs == [] and outside == []
