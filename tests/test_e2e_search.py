"""One-step search in the real app (issue 22): typing a name shows the place and opens its
popup without another click, on a desktop and on a phone, where the sidebar folds away so the
popup is seen. Screenshots of each hit go to artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Frame, Page

from tests.browser import ARTIFACTS, map_frame, open_sidebar, sidebar_open, steady_view, wait_until

pytestmark = pytest.mark.e2e

BOX = {"zh": "名称（中文、英文或文件中的写法，可输入部分）",
       "en": "Name (Chinese, English or as a document writes it; part of it will do)"}
ROLE = {"zh": "\n定位", "en": "\nRole"}
DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


def open_app(chromium: Browser, url: str, *, lang: str, viewport: dict[str, int]) -> tuple[Page, Frame]:
    page = chromium.new_page(viewport=viewport)
    page.goto(url + ("/?lang=en" if lang == "en" else "/"))
    return page, map_frame(page)


def type_query(page: Page, text: str, lang: str) -> None:
    """Type into the sidebar's search box (on a phone, opening the sidebar first), and press no
    key after it: the box looks up what is typed by itself."""
    open_sidebar(page)
    box = page.get_by_label(BOX[lang])
    box.click()
    box.press_sequentially(text, delay=40)


def opened(page: Page, entry_id: str) -> str:
    """The text of the open popup once it shows `entry_id`'s details (in a popup for several
    entries at one place, that entry's part open)."""
    def text() -> str | None:
        popup = map_frame(page).locator(".leaflet-popup-content")
        shown = popup.locator(f".gz-details[data-id='{entry_id}']")
        return popup.first.inner_text() if shown.count() and shown.first.is_visible() else None
    return wait_until(page, text, 60, f"the popup of {entry_id} to open")  # a loaded CI machine is slow


@pytest.mark.parametrize(("lang", "query", "entry_id", "name"), [
    ("zh", "中新知识城", "core-knowledge-city", "中新广州知识城"),
    ("en", "bio island", "park-bio-island", "Guangzhou International Bio Island"),
    ("zh", "广州实验室", "platform-guangzhou-lab", "广州实验室（呼吸疾病领域国家实验室）"),
])
def test_typing_a_name_opens_its_popup(app_url: str, chromium: Browser, lang: str, query: str, entry_id: str,
                                       name: str):
    page, _ = open_app(chromium, app_url, lang=lang, viewport=DESKTOP)
    type_query(page, query, lang)
    text = opened(page, entry_id)
    head = text[:text.index(ROLE[lang])]
    assert head.count(name) == 1  # the name once above the role (it was there three times)
    assert re.search(rf"place={re.escape(entry_id)}\b", page.url)  # the link shares it
    # Zoomed to the place with its surroundings, not to a blank 500 m scale.
    zoom = map_frame(page).evaluate("() => GZ.map.getZoom()")
    assert 11 <= zoom <= 13
    page.screenshot(path=str(ARTIFACTS / f"search-{lang}-{entry_id}-1440.png"))


def test_a_query_with_several_hits_keeps_the_view_until_one_is_picked(app_url: str, chromium: Browser):
    page, _ = open_app(chromium, app_url, lang="zh", viewport=DESKTOP)
    type_query(page, "bio island", "zh")  # an English name on the Chinese page
    opened(page, "park-bio-island")
    before = steady_view(page)
    box = page.get_by_label(BOX["zh"])
    box.fill("")
    box.press_sequentially("科学城", delay=40)
    choice = page.get_by_role("button", name=re.compile("^南沙科学城"))
    choice.wait_for(timeout=20_000)
    assert steady_view(page) == before  # two hits: nothing moves until one is chosen
    choice.click()
    opened(page, "core-nansha-science-city")
    assert steady_view(page) != before


def controls_over_popup(page: Page) -> list[str]:
    """The map's buttons and read-outs that lie over the open popup (a view the app sets may move
    after the popup opens: the popup then pans clear again)."""
    return map_frame(page).evaluate("""() => {
      const p = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
      return [...document.querySelectorAll('.leaflet-control')]
        .filter(e => getComputedStyle(e).visibility !== 'hidden').map(e => [e.className, e.getBoundingClientRect()])
        .filter(([, c]) => c.width && c.left < p.right && c.right > p.left && c.top < p.bottom && c.bottom > p.top)
        .map(([name]) => name);
    }""")


@pytest.mark.parametrize(("lang", "query", "entry_id"), [
    ("zh", "中新知识城", "core-knowledge-city"),
    ("en", "bio island", "park-bio-island"),
    ("zh", "五山", "platform-shipai-wushan-longdong-university-cluster"),  # a part's name; drawn at 3 parts
])
def test_on_a_phone_the_sidebar_folds_and_the_popup_is_seen(app_url: str, chromium: Browser, lang: str,
                                                            query: str, entry_id: str):
    page, _ = open_app(chromium, app_url, lang=lang, viewport=PHONE)
    type_query(page, query, lang)
    opened(page, entry_id)
    wait_until(page, lambda: not sidebar_open(page), what="the sidebar to fold")
    page.wait_for_timeout(500)  # the sidebar's slide
    # The popup's heading is on the screen, and what lies there is the map's frame, not the sidebar
    # (Playwright gives a box in a frame in the page's coordinates).
    box = map_frame(page).locator(".leaflet-popup-content").first.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + 10
    assert 0 <= x <= PHONE["width"] and 0 <= y <= PHONE["height"]
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y]) == "IFRAME"
    assert controls_over_popup(page) == []
    page.screenshot(path=str(ARTIFACTS / f"search-{lang}-{entry_id}-390.png"))


def test_a_shared_link_to_a_place_opens_its_popup(app_url: str, chromium: Browser):
    page = chromium.new_page(viewport=DESKTOP)
    page.goto(f"{app_url}/?place=platform-guangzhou-lab&lang=en")
    text = opened(page, "platform-guangzhou-lab")
    assert text.startswith("Guangzhou Laboratory")
    assert page.get_by_label(BOX["en"]).input_value().startswith("Guangzhou Laboratory")  # its name in the box


def test_a_shared_link_to_a_zone_of_several_parts_opens_its_popup_clear_of_the_buttons_on_a_phone(
        app_url: str, chromium: Browser):
    page = chromium.new_page(viewport=PHONE)
    page.goto(f"{app_url}/?place=platform-shipai-wushan-longdong-university-cluster")
    opened(page, "platform-shipai-wushan-longdong-university-cluster")
    steady_view(page)
    assert map_frame(page).locator(".gz-id-platform-shipai-wushan-longdong-university-cluster").count() == 3
    assert controls_over_popup(page) == []
