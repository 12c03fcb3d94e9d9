"""End to end (issue 3): the real app in headless Chromium, with no request leaving 127.0.0.1."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import shapely
from pypdf import PdfReader

from geo.data.validate import load_checked
from layers import build_layers
from tests.browser import ARTIFACTS, ROOT, browser, map_frame, running_app, wait_until
from tests.conftest import edit_yaml

CHECKED = load_checked()
EXPECTED = {layer.css_class: len([i for i in layer.items if i.geometry.geom_type == "Point"])
            for layer in build_layers(CHECKED)}


def count(frame, css_class: str) -> int:
    return frame.locator(f"path.{css_class}.gz-item").count()


def leaflet_view(frame) -> tuple[int, float, float]:
    return frame.evaluate("() => [map_div.getZoom(), map_div.getCenter().lat, map_div.getCenter().lng]")


def test_map_layers_popup_district_focus_and_offline():
    with running_app() as url, browser() as b:
        page = b.new_page(viewport={"width": 1600, "height": 1000})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        frame = map_frame(page)
        wait_until(page, lambda: count(frame, "gz-platform") == EXPECTED["gz-platform"], what="platforms")

        # Exactly as many markers as the data holds.
        assert count(frame, "gz-node") == EXPECTED["gz-node"] == 10
        assert count(frame, "gz-park") == EXPECTED["gz-park"] == 28
        assert count(frame, "gz-platform") == EXPECTED["gz-platform"] > 20
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "e2e-map.png")

        # Clicking a named node opens its popup with its role and a platform of its place.
        frame.locator("path.gz-id-node-knowledge-city").click()
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        text = popup.inner_text()
        assert "中新广州知识城" in text and "科技创新轴极点" in text
        assert "中新国际联合研究院" in text  # a platform the plans tie to 知识城
        page.wait_for_timeout(800)  # let the popup fade in and the map pan to it
        page.screenshot(path=ARTIFACTS / "e2e-popup.png")

        # Toggling the parks layer off removes its markers and leaves the others.
        page.get_by_text("多点（园区）", exact=True).click()
        frame = wait_until(page, lambda: next(
            (f for f in page.frames if "streamlit_folium" in f.url and count(f, "gz-node") == 10
             and count(f, "gz-park") == 0), None), what="parks removed")
        assert count(frame, "gz-platform") == EXPECTED["gz-platform"]

        # Choosing a district zooms to it and outlines it.
        zoom_before = leaflet_view(frame)[0]
        page.get_by_role("combobox", name="行政区").click()
        page.get_by_role("option", name="南沙区").click()
        frame = wait_until(page, lambda: next(
            (f for f in page.frames if "streamlit_folium" in f.url and leaflet_view(f)[0] > zoom_before), None),
            what="zoom to 南沙区")
        zoom, lat, lon = leaflet_view(frame)
        nansha = next(d for d in CHECKED.districts if d.name_zh == "南沙区").geometry
        assert nansha.buffer(0.05).contains(shapely.Point(lon, lat))
        assert frame.locator("path.gz-highlight").count() >= 1
        page.screenshot(path=ARTIFACTS / "e2e-district.png")

        # The current view (南沙区, parks off) downloads as a print PDF.
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="PDF", exact=True).click()
        pdf = PdfReader(download.value.path())
        text = pdf.pages[0].extract_text()
        assert "南沙区" in text and "多点 · 南部" not in text and "科技创新轴（示意）" in text

    outside = sorted({u for u in requests
                      if urlparse(u).scheme in ("http", "https", "ws", "wss")
                      and urlparse(u).hostname != "127.0.0.1"})
    assert requests and outside == []


XSS = "<img src=x onerror=alert(1)>${alert(2)}{{ 7*7 }}{% raw %}"
SSTI = "{{ cycler.__init__.__globals__.os.makedirs(dict(ssti_proof_dir=1)|list|first, exist_ok=True) }}"


def test_hostile_names_show_as_text_and_run_no_script(data_copy: Path):
    def poison(parks: list) -> None:
        park = next(p for p in parks if p["id"] == "park-huanghuagang")
        park["name_zh"] = park["name_en"] = XSS
        park["role_zh"] = XSS
        park["notes"] = SSTI

    edit_yaml(data_copy / "parks.yaml", poison)
    with running_app(data_copy) as url, browser() as b:
        page = b.new_page(viewport={"width": 1600, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        frame = map_frame(page)
        frame.locator("path.gz-id-park-huanghuagang").click()
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        assert XSS in popup.inner_text()
        assert popup.locator("img").count() == 0
        # The same name found by search shows literally in the details panel.
        page.get_by_label("名称（中文、英文或文件中的写法，可输入部分）").fill("onerror")
        page.get_by_label("名称（中文、英文或文件中的写法，可输入部分）").press("Enter")
        page.get_by_role("combobox", name=re.compile("找到")).click()
        page.get_by_role("option").first.click()
        page.get_by_text("地点详情").wait_for(timeout=10_000)
        wait_until(page, lambda: XSS in page.locator("[data-testid='stHtml']").first.inner_text(), what="details")
        page.wait_for_timeout(1000)
        assert dialogs == []
    assert not (ROOT / "ssti_proof_dir").exists()  # the app runs in the repo root


def checkout_state() -> set[str]:
    """What `git status` shows, ignored files included, less Python's and pytest's own caches
    and the tests' screenshots."""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {line for line in out.splitlines()
            if not any(part in line for part in ("__pycache__", ".pytest_cache", "artifacts/"))}


def test_the_app_and_every_export_write_nothing_into_the_checkout(tmp_path: Path):
    before = checkout_state()
    with running_app() as url, browser() as b:
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        map_frame(page)
    commands = [["validate"], ["export-data", "--format", "geojson", "--out", "l.geojson"],
                ["export-data", "--format", "csv", "--out", "l.csv"],
                ["export-map", "--format", "pdf", "--out", "m.pdf"], ["atlas", "--out", "a.pdf"]]
    for args in commands:
        done = subprocess.run([sys.executable, "-m", "geo", *[str(tmp_path / a) if a.endswith(
            (".geojson", ".csv", ".pdf")) else a for a in args]], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert checkout_state() == before


def test_a_district_link_opens_the_district_sheet_with_its_parks_and_downloads():
    with running_app() as url, browser() as b:
        for width, height, name in ((1440, 900, "desktop"), (390, 844, "phone")):
            page = b.new_page(viewport={"width": width, "height": height})
            page.goto(f"{url}/?district=黄埔区")
            page.get_by_text("黄埔区：规划安排清单").wait_for(timeout=60_000)
            page.get_by_text("广州国际生物岛").first.wait_for(timeout=20_000)
            for label in ("下载 Excel（XLSX）", "下载 CSV", "下载 PDF（A4，可打印）"):
                assert page.get_by_role("button", name=label).count() == 1
            page.wait_for_timeout(1500)
            page.screenshot(path=ARTIFACTS / f"e2e-sheet-{name}.png", full_page=False)
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name="下载 Excel（XLSX）").click()
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
            assert book.sheetnames[0] == "汇总" and "多点园区" in book.sheetnames
            page.close()
