"""Read the map at a glance (issue 22): the poles and the four cores are always labelled, and the
legend or a control never hides a marker, on a desktop and a phone, in Chinese and English.

Each viewport gets one page; readings, languages and districts are switched in it in the sidebar,
as a user chooses them (the same map draws each)."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Frame, Page

from geo.data.kinds import label_always
from geo.i18n import LANG_NAMES, LANGS, name, t
from tests.browser import ARTIFACTS, is_map, open_sidebar, sidebar_open, wait_until
from tests.shipped import shipped

pytestmark = pytest.mark.e2e

CHECKED = shipped()
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
READINGS = [None, *CHECKED.documents]  # the sidebar's "all documents", then each document

# The labels shown (not hidden by the placement), each with its box in the frame.
SHOWN_LABELS = """() => [...document.querySelectorAll('.gz-label')]
  .filter(e => getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.firstChild.getBoundingClientRect();
              return {text: e.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })"""
MAP_BOX = "() => { const r = GZ.map.getContainer().getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
# Every marker whose centre is on the map (and in the frame) where a click there would not reach
# it: its name and what lies on top instead.
COVERED = """() => { const box = GZ.map.getContainer().getBoundingClientRect();
  return [...document.querySelectorAll('.gz-marker')].map(m => {
    const r = m.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    if (x < Math.max(box.left, 0) || x >= Math.min(box.right, innerWidth)
        || y < Math.max(box.top, 0) || y >= Math.min(box.bottom, innerHeight)) return null;
    const hit = document.elementFromPoint(x, y);
    return m.contains(hit) ? null : m.getAttribute('aria-label') + ' under ' + (hit && hit.outerHTML.slice(0, 80));
  }).filter(Boolean); }"""

# The district's outline within the map: its distance from each edge of the map (negative: cut).
OUTLINE_MARGINS = """() => { const b = GZ.map.getContainer().getBoundingClientRect(),
  r = document.querySelector('path.gz-highlight').getBoundingClientRect();
  return [r.left - b.left, r.top - b.top, b.right - r.right, b.bottom - r.bottom]; }"""


# Points of the district's outline (sampled every 3 px along it) under the legend, if it is open.
OUTLINE_UNDER_LEGEND = """() => { const d = document.querySelector('.gz-legend');
  if (!d || !d.open || d.parentElement.style.display === 'none') return 0;
  const r = d.getBoundingClientRect(); let n = 0;
  for (const p of document.querySelectorAll('path.gz-highlight')) {
    const m = p.getScreenCTM(), length = p.getTotalLength();
    for (let s = 0; s < length; s += 3) {
      const q = p.getPointAtLength(s), x = m.a * q.x + m.c * q.y + m.e, y = m.b * q.x + m.d * q.y + m.f;
      if (x > r.left && x < r.right && y > r.top && y < r.bottom) n++;
    }
  }
  return n; }"""


ARTIFACTS.mkdir(exist_ok=True)  # the screenshots to look at


def open_map(page: Page, **params: str) -> Frame:
    """The map page of a shared link with `params`, once its layout is drawn."""
    page.goto(f"/?{urlencode({'page': 'map', **params})}")
    # A reading may place nothing (map_frame waits for a marker): the map's own legend box says it is made.
    frame = wait_until(page, lambda: next((f for f in page.frames if is_map(f) and f.locator(".gz-legend").count()),
                                          None), 60, "the map")
    wait_until(page, lambda: frame.evaluate("() => window.GZ && GZ.ready === true"), what="the layout drawn")
    return frame


def must_labels(doc: str | None, lang: str) -> set[str]:
    """The names of the poles and cores the reading places: labels never left off."""
    read = CHECKED.as_read(doc, None)
    return {name(e, lang) for e in read.entries.values() if e.id in read.points and label_always(e)}


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


def uncovered(page: Page, frame: Frame, where: str) -> None:
    """Every marker on the map answers a click at its centre (the legend re-fits after the map
    settles: it is given a moment to)."""
    try:
        wait_until(page, lambda: frame.evaluate(COVERED) == [], 5, "no marker covered")
    except AssertionError:
        pytest.fail(f"{where}: markers covered: {frame.evaluate(COVERED)}")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_poles_and_cores_are_labelled_at_city_zoom_in_every_reading(app_url: str, chromium: Browser, device: str):
    """Every reading in both languages, each chosen in the sidebar as a user does (on a phone,
    opening it and folding it again): the same map draws the reading's layout."""
    page = chromium.new_context(base_url=app_url, viewport=VIEWPORTS[device]).new_page()
    all_cores = must_labels(None, "zh")
    assert len(all_cores) == 4, all_cores  # 一区三城; the two poles stand on two of them
    frame = open_map(page)
    for lang in LANGS:
        for doc in READINGS:
            if (lang, doc) != (LANGS[0], None):
                redrawn(page, frame, lambda: choose_reading(page, lang, doc))
            expected = must_labels(doc, lang)
            shown = lambda: {label["text"] for label in frame.evaluate(SHOWN_LABELS)}  # noqa: E731
            try:
                wait_until(page, lambda: expected <= shown(), 10, "the poles' and cores' labels")
            except AssertionError:
                pytest.fail(f"{device} {lang} {doc}: unlabelled {sorted(expected - shown())}")
            labels = frame.evaluate(SHOWN_LABELS)
            left, top, right, bottom = frame.evaluate(MAP_BOX)
            for label in labels:
                if label["text"] in expected:  # on the map, not cut by its edge
                    assert left <= label["left"] and label["right"] <= right and top <= label["top"] \
                        and label["bottom"] <= bottom, (device, lang, label)
            assert overlapping(labels) == [], (device, lang, doc)
            uncovered(page, frame, f"{device} {lang} {doc} city")
            if doc is None:
                frame.locator("#map").screenshot(path=ARTIFACTS / f"glance-city-{device}-{lang}.png")


def redrawn(page: Page, frame: Frame, act) -> None:
    """Do `act` and wait until the map has drawn the layout document it asked for then."""
    frame.evaluate("() => { GZ.layout.gzSeen = true; }")
    act()
    wait_until(page, lambda: frame.evaluate("() => GZ.ready && !GZ.layout.gzSeen"), what="the new layout drawn")


def choose_reading(page: Page, lang: str, doc: str | None) -> None:
    """In the sidebar, the language `lang` and the reading `doc` (None: every document); on a phone
    the sidebar is opened first and folded after, as a user does."""
    phone = open_sidebar(page)
    if not page.get_by_role("radio", name=LANG_NAMES[lang], exact=True).is_checked():
        page.get_by_test_id("stSidebar").get_by_text(LANG_NAMES[lang], exact=True).click()
    page.get_by_role("combobox", name=t("app.document", lang), exact=True).click()  # waits for its new label
    shown = t("app.all_documents", lang) if doc is None else CHECKED.document_label(doc, lang)
    page.get_by_role("option", name=shown, exact=True).click()
    if phone:
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        wait_until(page, lambda: not sidebar_open(page), what="the sidebar to fold")


@pytest.mark.parametrize("device", VIEWPORTS)
def test_no_marker_is_under_the_legend_or_a_control_in_any_district_view(app_url: str, chromium: Browser, device: str):
    """English: its legend is the larger. The city view is checked with the labels above. An open
    legend hides no part of the district's outline either (it hid 番禺区's east side). And the
    whole district is in sight: on a phone's narrower map too (花都区 and 白云区 lost half their
    width when the zoom was made for the desktop's map alone). Each district is chosen in the
    sidebar, as a user does (the same map moves to it); on a phone the sidebar then folds away by
    itself, so that the district is seen."""
    page = chromium.new_context(base_url=app_url, viewport=VIEWPORTS[device]).new_page()
    frame = open_map(page, lang="en")
    for district in CHECKED.districts:
        frame.evaluate("() => document.querySelectorAll('path.gz-highlight').forEach(p => p.dataset.before = '1')")
        choose_district(page, CHECKED.district_name(district.name_zh, "en"))
        wait_until(page, lambda: frame.locator("path.gz-highlight:not([data-before])").count() >= 1,
                   what=f"{district.name_zh} outlined")
        if device == "phone":
            wait_until(page, lambda: not sidebar_open(page), what="the sidebar to fold after the choice")
        uncovered(page, frame, f"{device} {district.name_zh}")
        try:  # the legend re-fits after the map settles
            wait_until(page, lambda: frame.evaluate(OUTLINE_UNDER_LEGEND) == 0, 5, "the outline clear of the legend")
        except AssertionError:
            pytest.fail(f"{device} {district.name_zh}: {frame.evaluate(OUTLINE_UNDER_LEGEND)} points of the outline "
                        "under the open legend")
        margins = frame.evaluate(OUTLINE_MARGINS)  # left, top, right, bottom: px from the map's edges
        assert min(margins) >= -1, (device, district.name_zh, margins)
        if device == "desktop" and district.name_zh == "番禺区":
            # Folded here by itself; a user who opens it keeps it open as they move the map (the
            # next district's view is the app's again: its outline is checked above).
            legend_open = "() => document.querySelector('.gz-legend').open"
            assert not frame.evaluate(legend_open)
            frame.locator(".gz-legend summary").click()
            frame.evaluate("() => GZ.map.panBy([40, 30], {animate: false})")
            page.wait_for_timeout(800)  # the legend is fitted after a move, at once and 500 ms later
            assert frame.evaluate(legend_open), "the legend the user opened folded when the map moved"
        if district.name_zh in ("天河区", "黄埔区"):  # the views
            frame.locator("#map").screenshot(path=ARTIFACTS / f"glance-{district.adcode}-{device}.png")
            if device == "phone":
                page.screenshot(path=ARTIFACTS / f"glance-{district.adcode}-phone-page.png")


def choose_district(page: Page, shown: str) -> None:
    """Choose a district in the sidebar's select box (on a phone, opening the sidebar first)."""
    open_sidebar(page)
    page.get_by_role("combobox", name="District", exact=True).click()
    page.get_by_role("option", name=shown, exact=True).click()
