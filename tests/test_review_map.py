"""The review's map hooks (issue 20): status lines in the web map's popups for a signed-in user
(the map state's "reviews", geo.maps.webmap.map_state; gzmap.js shows them), and a click on the
map as a WGS84 point whatever basemap it was picked on (geo.ui.map_component.clicked_point, used
by show(clicks=True))."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from geo.crs import distance_m, wgs84_to_gcj02
from geo.maps.webmap import script_literal
from geo.review.model import Point
from geo.ui.map_component import clicked_point
from layers import build_layers
from tests.browser import ARTIFACTS, map_frame, steady_view, wait_until
from tests.mapdocs import app_state
from tests.shipped import shipped

EVIL = "</script><img src=x onerror=alert(1)>"
CHECKED = shipped()


def test_the_map_state_keeps_a_status_text_inert():
    # The text is HTML-escaped; an id (a lookup key, not shown) is kept as it is, and neither can
    # end a script the state is inlined in (the standalone page's) early.
    state = app_state(CHECKED, reviews={"park-bio-island": EVIL, EVIL: "核对：有误"})
    assert state["reviews"] == {"park-bio-island": "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
                                EVIL: "核对：有误"}
    literal = script_literal(state)
    assert "</script" not in literal and json.loads(literal)["reviews"] == state["reviews"]
    assert app_state(CHECKED)["reviews"] == {}  # signed out: no line


def test_a_click_on_a_gcj02_map_is_stored_in_wgs84():
    place = next(i.geometry for layer in build_layers(CHECKED, lang="zh") for i in layer.items
                 if i.id == "node-knowledge-city")  # 中新广州知识城, as the map draws it
    wgs = (place.x, place.y)
    gcj = wgs84_to_gcj02(*wgs)  # where the place is drawn, and clicked, on Amap's tiles
    assert distance_m(gcj, wgs) > 100  # the shift is real: leaving it in would be caught
    clicked = {"last_clicked": {"lat": gcj[1], "lng": gcj[0]}}
    point = clicked_point(clicked, gcj02=True)
    assert point is not None and distance_m((point.lon, point.lat), wgs) < 1
    assert clicked_point(clicked, gcj02=False) == Point(lon=gcj[0], lat=gcj[1])  # a WGS84 map's click as given
    assert clicked_point({"last_clicked": None}, gcj02=True) is None  # no click yet


@pytest.mark.e2e
def test_popup_shows_the_review_status_line_until_signed_out(app_url: str, chromium: Browser):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    # The map component's latest arguments (the map state), as its frame receives them.
    page.add_init_script("addEventListener('message', e => { if (e.data && e.data.type === 'streamlit:render')"
                         " window.gzArgs = e.data.args; })")
    page.goto(app_url)
    frame = map_frame(page)
    wait_until(page, lambda: frame.evaluate("() => GZ.popupsLoaded"), what="the popups")

    def tell(statuses: dict[str, str]) -> None:
        """Render the map again as Streamlit does on a rerun: its state with these status lines
        (escaped by map_state, as the app sends them)."""
        state = {**frame.evaluate("() => window.gzArgs"), "reviews": app_state(CHECKED, reviews=statuses)["reviews"]}
        page.evaluate("args => document.querySelector('iframe[src*=\"/gzmap/component/\"]')"
                      ".contentWindow.postMessage({type: 'streamlit:render', args}, '*')", state)

    def popup_of(entry: str):
        steady_view(page)  # clicked once the map stands still, as a user would
        frame.locator(f'.gz-marker[data-ids~="{entry}"]').click()
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        return popup

    # 知识城's marker stands for the node and the platforms at its place: a review of one of its
    # platforms shows in that marker's popup, named, before the place's details.
    ids = frame.locator(".gz-marker.gz-id-node-knowledge-city").get_attribute("data-ids").split()
    platform = next(i for i in ids if i.startswith("platform-"))
    tell({platform: EVIL})
    wait_until(page, lambda: frame.evaluate(f"() => GZ.reviews[{json.dumps(platform)}] !== undefined"), 5, "the reviews")
    line = popup_of(platform).locator(".gz-review")
    assert EVIL in line.inner_text()  # shown as text, not run
    assert frame.locator(".leaflet-popup img").count() == 0 and not alerts

    # The status in the page's language; kept when the map draws its markers again (a layer switch).
    tell({platform: "核对：有误"})
    wait_until(page, lambda: "核对：有误" in line.inner_text(), 5, "the open popup's line to change")
    frame.evaluate("() => { const keys = GZ.visible; GZ.setLayers(keys.slice(1)); GZ.setLayers(keys); }")
    popup = popup_of(platform)
    assert popup.locator(".gz-review").count() == 1 and "核对：有误" in popup.locator(".gz-review").inner_text()
    assert popup.inner_text().index("核对：有误") < popup.inner_text().index("中新广州知识城")  # at the top
    page.wait_for_timeout(500)  # the popup's fade-in and pan
    (ARTIFACTS / "review").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "review" / "popup-status-1440.png")

    # Signed out: no line, in the open popup or when it opens again.
    tell({})
    wait_until(page, lambda: popup.locator(".gz-review").count() == 0, 5, "the line to go")
    frame.evaluate("() => GZ.map.closePopup()")  # a click on the marker of an open popup would close it
    assert "中新广州知识城" in popup_of(platform).inner_text()
    assert frame.locator(".gz-review").count() == 0
