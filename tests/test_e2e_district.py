"""The district page read on a phone (issue 22): the 黄埔区 sheet at 390×844 scrolls only down, each
row a card whose cells are at least six characters wide; with screenshots at 390×844 and
1440×900 in both languages; and the sheet's PDF, its pages converted to images to look at."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page
from pypdf import PdfReader

from geo.data.validate import load_checked
from geo.exports.district_sheet import district_sheet, elsewhere_note, summary_items
from geo.exports.sheet_pdf import sheet_pdf
from geo.i18n import colon
from tests.browser import ARTIFACTS, wait_until

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "district"
TITLE = {"zh": "黄埔区：规划安排清单", "en": "Huangpu District: what the plans assign"}
# A character of the page's text: a Han character in Chinese, the "0" (CSS's `ch`) in English.
CHARACTER = {"zh": "中", "en": "0"}
MIN_CHARACTERS = 6

# Every cell of the sheet's tables that shows (an empty one is not drawn on a phone): its text
# box's width and six characters of its own font, measured with the same font on a canvas.
CELLS = """(character) => {
  const ctx = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('table.gz-sheet tbody th, table.gz-sheet tbody td')]
    .filter(c => c.getClientRects().length > 0)
    .map(c => {
      const cs = getComputedStyle(c);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      return {text: c.innerText.slice(0, 30), width: c.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),
              six: ctx.measureText(character.repeat(6)).width};
    });
}"""
# What scrolls sideways: the document, Streamlit's main pane, and each sheet table's frame.
SIDEWAYS = """() => [document.documentElement, document.querySelector('[data-testid=stMain]'),
                     ...document.querySelectorAll('.gz-sheet-wrap')]
  .filter(e => e && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.className || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`)"""


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def open_sheet(page: Page, app_url: str, lang: str) -> None:
    page.goto(f"{app_url}/?page=sheet&district=黄埔区" + ("&lang=en" if lang == "en" else ""))
    page.get_by_text(TITLE[lang]).wait_for(timeout=60_000)
    page.locator("table.gz-sheet").first.wait_for(timeout=30_000)


def drawn_groups(page: Page) -> Locator:
    """The groups' expanders, once the page has drawn all of them (as many as the summary counts)."""
    groups = page.get_by_test_id("stMain").get_by_test_id("stExpander")  # not the sidebar's sign-in
    counted = page.locator(".gz-sheet-counts li").count()
    wait_until(page, lambda: groups.count() == counted, what="every group drawn")
    return groups


def open_every_group(page: Page) -> int:
    """Open the folded groups (platforms, the tasks all districts share); how many groups there are."""
    groups = drawn_groups(page)
    for i in range(groups.count()):
        details = groups.nth(i).locator("details")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    wait_until(page, lambda: page.locator("[data-testid=stMain] [data-testid=stExpander] details:not([open])").count() == 0,
               what="every group open")
    page.wait_for_timeout(500)
    return groups.count()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_huangpu_sheet_on_a_phone_scrolls_only_down_and_no_cell_is_narrower_than_six_characters(
        app_url: str, chromium: Browser, lang: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                             has_touch=True)
    open_sheet(page, app_url, lang)
    page.screenshot(path=SHOTS / f"sheet-{lang}-390x844-top.png")
    assert open_every_group(page) >= 10  # 黄埔区 has 13 groups
    cells = page.evaluate(CELLS, CHARACTER[lang])
    assert len(cells) > 100  # every row of every group, not just a few
    narrow = [c for c in cells if c["width"] < c["six"] - 0.5]
    assert not narrow, narrow[:5]
    assert page.evaluate(SIDEWAYS) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    # No internal id on the page (the row keys stay with the review, off the page).
    body = page.inner_text("body")
    assert "segment-huangpu" not in body and "core-knowledge-city" not in body
    page.locator("table.gz-sheet").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=SHOTS / f"sheet-{lang}-390x844-cards.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_huangpu_sheet_on_a_desktop_opens_with_its_summary_and_folds_the_long_lists(
        app_url: str, chromium: Browser, lang: str):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    open_sheet(page, app_url, lang)
    summary = page.locator(".gz-sheet-summary")
    summary.wait_for(state="visible", timeout=30_000)
    box = summary.bounding_box()
    assert box is not None and box["y"] < 900  # on the first screen
    cores = summary.locator("dt", has_text={"zh": "创新核", "en": "Innovation core"}[lang]).locator("xpath=..")
    cores_text = cores.inner_text()
    for core in {"zh": ("中新广州知识城", "广州科学城"), "en": ("Knowledge City", "Guangzhou Science City")}[lang]:
        assert core in cores_text  # named as cores, although their rows are the axis nodes'
    folded = drawn_groups(page).locator("details:not([open])")
    assert folded.count() >= 6  # the platform groups and the shared tasks start folded
    assert page.evaluate(SIDEWAYS) == []
    page.screenshot(path=SHOTS / f"sheet-{lang}-1440x900.png")
    page.locator("table.gz-sheet").nth(1).scroll_into_view_if_needed()  # the axis nodes: the cores' rows
    page.wait_for_timeout(300)
    page.screenshot(path=SHOTS / f"sheet-{lang}-1440x900-groups.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_huangpu_pdf_opens_with_the_summary_and_its_pages_convert_for_a_look(lang: str, tmp_path: Path):
    """The table pages start with the summary (the cores named as cores) and the cores' group
    says where the others are; every page converted with pdftoppm (artifacts/district/)."""
    checked = load_checked()
    sheet = district_sheet(checked, "黄埔区", lang=lang)
    pdf = tmp_path / "huangpu.pdf"
    pdf.write_bytes(sheet_pdf(checked, sheet))
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    for term, text in summary_items(checked, sheet):  # wrapped lines read as one
        assert squashed(term + colon(lang) + text) in squashed(pages[1])
    assert squashed(elsewhere_note(checked, sheet, "core")) in squashed("".join(pages[1:]))
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = SHOTS / f"sheet-{lang}-pdf"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(stem)], check=True)
    assert len(list(SHOTS.glob(f"{stem.name}-*.png"))) >= len(pages)
