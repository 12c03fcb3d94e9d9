"""The map's frame loads what it needs as it opens, not once Streamlit's first render message has
named it (geo.maps.assets.component_page, geo.ui.map_component.frame_url, component.js): the
scripts from its page's head and the layout document its URL names. The first map then waits
for the page's busy main thread only once, not twice (bench/README.md)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser

from geo.maps.assets import JS
from geo.ui.routes import static_url
from tests.browser import map_frame, wait_until

pytestmark = pytest.mark.e2e


def test_the_map_frame_asks_for_its_scripts_and_layout_before_any_render_message(app_url: str, chromium: Browser):
    page = chromium.new_page()
    page.goto(app_url)
    frame = map_frame(page)
    layout = parse_qs(urlparse(frame.url).fragment)["layout"][0]
    assert layout.startswith("/gzmap/data/layout/zh/")  # the city in Chinese: the page's first map
    assert frame.evaluate("async (url) => JSON.stringify(await (await fetch(url)).json()) === JSON.stringify(GZ.layout)",
                          layout)  # and the document it drew
    # The frame's page on its own: no Streamlit around it, so no render message ever comes.
    alone = chromium.new_page()
    asked: list[str] = []
    alone.on("request", lambda r: asked.append(urlparse(r.url).path))
    alone.goto(frame.url)
    wait_until(alone, lambda: layout in asked and all(static_url(n) in asked for n in JS), 20,
               "the layout document and the map's scripts")
    assert alone.evaluate("() => typeof GZ.mount") == "function"  # Leaflet and gzmap ran, in order
    assert asked.count(layout) == 1
