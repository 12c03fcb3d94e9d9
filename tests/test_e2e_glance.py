"""Read the map at a glance (issue 22): the poles and the four cores are always labelled, and the
legend or a control never hides a marker, on a desktop and a phone, in Chinese and English.

Each viewport gets one page; readings, languages and districts are switched in it by the links a
user shares (geo/ui/link.py), as the sidebar would set them."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Frame, Page

from geo.data.kinds import label_always
from geo.i18n import LANGS, name
from tests.browser import ARTIFACTS, is_map, wait_until
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
    page = chromium.new_context(base_url=app_url, viewport=VIEWPORTS[device]).new_page()
    all_cores = must_labels(None, "zh")
    assert len(all_cores) == 4, all_cores  # 一区三城; the two poles stand on two of them
    for lang in LANGS:
        for doc in READINGS:
            expected = must_labels(doc, lang)
            frame = open_map(page, lang=lang, **({"doc": doc[:3]} if doc else {}))
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


@pytest.mark.parametrize("device", VIEWPORTS)
def test_no_marker_is_under_the_legend_or_a_control_in_any_district_view(app_url: str, chromium: Browser, device: str):
    """English: its legend is the larger. The city view is checked with the labels above. And the
    whole district is in sight: on a phone's narrower map too (花都区 and 白云区 lost half their
    width when the zoom was made for the desktop's map alone)."""
    page = chromium.new_context(base_url=app_url, viewport=VIEWPORTS[device]).new_page()
    for district in CHECKED.districts:
        frame = open_map(page, district=district.name_zh, lang="en")
        wait_until(page, lambda: frame.locator("path.gz-highlight").count() >= 1, what="the district outlined")
        uncovered(page, frame, f"{device} {district.name_zh}")
        margins = frame.evaluate(OUTLINE_MARGINS)  # left, top, right, bottom: px from the map's edges
        assert min(margins) >= -1, (device, district.name_zh, margins)
        if district.name_zh in ("天河区", "黄埔区"):  # the views
            frame.locator("#map").screenshot(path=ARTIFACTS / f"glance-{district.adcode}-{device}.png")
