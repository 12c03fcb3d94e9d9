"""The map page's print exports made in the background once asked for and kept (issue 21):
the job store (geo.ui.jobs) and its buttons (geo.ui.map_exports), through AppTest and, for the
poll that reruns only its own cell, a real browser."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Browser
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from geo.ui import jobs
from geo.ui.jobs import Job, JobStore
from layers import build_layers
from tests.browser import ROOT, free_port, serving
from tests.shipped import shipped

CHECKED = shipped()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # a file's bytes, not text


def settled(result: Callable[..., Job], key: Hashable, timeout_s: float = 20) -> Job:
    """`key`'s job once it is no longer pending."""
    deadline = time.monotonic() + timeout_s
    while (job := result(key=key)).state == "pending":
        assert time.monotonic() < deadline, f"{key!r} still pending after {timeout_s} s"
        time.sleep(0.01)
    return job


def counting(data: bytes | str = b"file", *, gate: threading.Event | None = None, fails: int = 0):
    """A maker that counts its calls, waits for `gate` (if given) and fails its first `fails` calls."""
    calls: list[float] = []

    def make() -> bytes | str:
        calls.append(time.monotonic())
        if gate is not None:
            assert gate.wait(20)
        if len(calls) <= fails:
            raise ValueError("no fonts")
        return data
    return make, calls


# --- the job store ---------------------------------------------------------------------------

def test_a_key_is_made_once_however_often_it_is_asked_for():
    store, gate = JobStore(), threading.Event()
    make, calls = counting(PNG, gate=gate)
    for _ in range(5):
        store.submit(key="city.png", make=make)
    assert store.result(key="city.png") == Job("pending")
    gate.set()
    assert settled(store.result, "city.png") == Job("done", data=PNG)
    store.submit(key="city.png", make=make)  # asked again once made: kept, not made again
    assert store.result(key="city.png") == Job("done", data=PNG)
    assert len(calls) == 1
    assert store.result(key="never asked") == Job("absent")


def test_concurrent_submits_make_each_key_once():
    store, start = JobStore(), threading.Barrier(16)
    makers = {k: counting(k.encode()) for k in ("png", "svg", "pdf")}

    def ask() -> None:
        start.wait()
        for key, (make, _) in makers.items():
            store.submit(key=key, make=make)
    threads = [threading.Thread(target=ask) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for key, (_, calls) in makers.items():
        assert settled(store.result, key) == Job("done", data=key.encode())
        assert len(calls) == 1, key


def test_a_failure_is_kept_as_failed_with_a_short_message_and_a_retry_makes_it_again(caplog):
    store = JobStore()
    make, calls = counting("<html>", fails=1)
    with caplog.at_level(logging.ERROR, logger="gzmap"):
        store.submit(key="city.html", make=make)
        assert settled(store.result, "city.html") == Job("failed", error="ValueError: no fonts")
    assert any(r.exc_info and "city.html" in r.getMessage() for r in caplog.records), "traceback logged"
    time.sleep(0.1)
    assert store.result(key="city.html").state == "failed" and len(calls) == 1  # not retried by itself
    store.submit(key="city.html", make=make)
    assert settled(store.result, "city.html") == Job("done", data="<html>") and len(calls) == 2


def test_finished_files_are_kept_least_recently_used_first_out():
    store = JobStore(max_entries=3, max_bytes=10**6)
    for key in "abc":
        store.submit(key=key, make=lambda: b"x")
        settled(store.result, key)
    store.result(key="a")  # a asked for again: b is now the least recently used
    store.submit(key="d", make=lambda: b"x")
    settled(store.result, "d")
    assert {k: store.result(key=k).state for k in "abcd"} == {"a": "done", "b": "absent", "c": "done", "d": "done"}

    by_size = JobStore(max_entries=32, max_bytes=100)
    for key in ("one", "two", "three"):  # 40 bytes each: the third is over 100
        by_size.submit(key=key, make=lambda: b"y" * 40)
        settled(by_size.result, key)
    assert [by_size.result(key=k).state for k in ("one", "two", "three")] == ["absent", "done", "done"]
    by_size.submit(key="big", make=lambda: "图" * 50)  # 150 bytes in UTF-8: alone over the bound, still kept
    assert settled(by_size.result, "big").data == "图" * 50
    assert [by_size.result(key=k).state for k in ("two", "three")] == ["absent", "absent"]


# --- the buttons, in AppTest ------------------------------------------------------------------

def page(key, make, lang="en"):  # AppTest runs its source as a script: no names from this module
    from geo.ui.map_exports import export_buttons
    export_buttons(lang=lang, stem="Guangzhou_S&T_innovation_layout", files={"png": (key, make)})


@pytest.fixture
def media(monkeypatch) -> dict[str, bytes]:
    """The bytes of each file the pages hand Streamlit, by media file id (the stem of a download
    button's URL): what the browser would download."""
    files: dict[str, bytes] = {}
    load = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = load(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data
        return file_id
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


def downloads(at: AppTest, media: dict[str, bytes]) -> list[tuple[str, bytes]]:
    return [(b.label, media[Path(b.proto.url).stem]) for b in at.download_button]


def test_prepare_then_wait_gives_the_download_and_another_session_has_it_at_once(media):
    key, gate = ("view", uuid4().hex, "png"), threading.Event()
    make, calls = counting(PNG, gate=gate)
    at = AppTest.from_function(page, kwargs={"key": key, "make": make}, default_timeout=30).run()
    assert [b.label for b in at.button] == ["Prepare PNG"] and not at.download_button and not calls
    at.button(key="export_prepare_png").click().run()
    assert [c.value for c in at.caption] == ["⏳ Making the PNG…"] and not at.download_button
    gate.set()
    settled(jobs.result, key)
    at.run()  # what the waiting cell's poll does once the file is made
    assert downloads(at, media) == [("Download PNG", PNG)] and not at.button
    assert at.download_button[0].proto.ignore_rerun  # downloading it costs no rerun

    other = AppTest.from_function(page, kwargs={"key": key, "make": make, "lang": "zh"}, default_timeout=30).run()
    assert downloads(other, media) == [("下载 PNG", PNG)]
    assert len(calls) == 1


def test_a_failed_file_says_so_and_can_be_tried_again(media):
    key = ("view", uuid4().hex, "svg")
    make, calls = counting(b"<svg/>", fails=1)
    at = AppTest.from_function(page, kwargs={"key": key, "make": make}, default_timeout=30).run()
    at.button(key="export_prepare_png").click().run()
    settled(jobs.result, key)
    at.run()
    assert [c.value for c in at.caption] == ["The PNG could not be made (the reason is in the server log)."]
    assert [b.label for b in at.button] == ["Try the PNG again"] and not at.download_button
    at.button(key="export_prepare_png").click().run()
    settled(jobs.result, key)
    at.run()
    assert downloads(at, media) == [("Download PNG", b"<svg/>")] and not at.caption and len(calls) == 2


# --- the poll, in a browser -------------------------------------------------------------------

BROWSER_PAGE = """
import time
from pathlib import Path
import streamlit as st
from geo.ui.map_exports import export_buttons

runs = Path({runs!r})
runs.write_text(str(int(runs.read_text() or 0) + 1))  # the whole page ran once more
st.title("exports")

def make() -> bytes:
    time.sleep(2.5)
    return b"%PDF-1.4 made in the background"

export_buttons(lang="en", stem="city", files={{"pdf": (("browser", "pdf"), make)}})
"""


@pytest.fixture
def exports_page(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A page with only the export buttons (one slow PDF) on a server of its own; yields its URL
    and the file counting its full runs."""
    runs = tmp_path / "runs"
    runs.write_text("0")
    script = tmp_path / "exports_page.py"
    script.write_text(textwrap.dedent(BROWSER_PAGE.format(runs=str(runs))), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        assert serving(url, proc), proc.stdout.read().decode()[-2000:] if proc.poll() is not None else "no server"
        yield url, runs
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.e2e
def test_a_waiting_cell_polls_alone_and_stops_once_its_file_is_there(chromium: Browser, exports_page):
    url, runs = exports_page
    page = chromium.new_page()
    sent: list[float] = []  # the browser's messages to the server: a rerun request each
    page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.append(time.monotonic())))
    page.goto(url)
    prepare = page.get_by_role("button", name="Prepare PDF")
    prepare.wait_for(timeout=30_000)
    assert runs.read_text() == "1"
    prepare.click()
    page.get_by_text("⏳ Making the PDF…").wait_for(timeout=10_000)
    clicked = time.monotonic()
    download = page.get_by_role("button", name="Download PDF")
    download.wait_for(timeout=20_000)  # nothing clicked: the cell's poll found the file
    done = time.monotonic()
    polls = [s for s in sent if clicked < s < done]
    assert len(polls) >= 2, f"the waiting cell asked {len(polls)} times in {done - clicked:.1f} s"
    assert runs.read_text() == "2"  # the page ran once more to show the file, not on every poll
    page.wait_for_timeout(3000)
    assert [s for s in sent if s > done + 0.5] == [], "the poll went on after the file was there"
    with page.expect_download() as got:
        download.click()
    assert Path(got.value.path()).read_bytes() == b"%PDF-1.4 made in the background"
    page.wait_for_timeout(500)
    assert runs.read_text() == "2"  # downloading costs no rerun


# --- "export current view": the view the browser shows (issue 22) -----------------------------

def test_the_reported_view_is_read_for_its_own_token_only_and_in_wgs84():
    from geo.crs import wgs84_to_gcj02
    from geo.ui.map_component import shown_view

    value = {"last_clicked": None, "view": {"west": 113.30, "south": 23.10, "east": 113.40, "north": 23.16,
                                            "zoom": 12, "token": "天河区|0"}}
    assert shown_view(value, token="天河区|0", gcj02=False) == (113.30, 23.10, 113.40, 23.16)
    assert shown_view(value, token="全市|0", gcj02=False) is None  # a view of another district
    for bad in (None, {}, {"view": "x"}, {"view": {**value["view"], "west": "nan"}},
                {"view": {**value["view"], "east": 113.0}}):
        assert shown_view(bad, token="天河区|0", gcj02=False) is None, bad
    west, south = wgs84_to_gcj02(113.30, 23.10)
    east, north = wgs84_to_gcj02(113.40, 23.16)
    on_gcj = {"view": {"west": west, "south": south, "east": east, "north": north, "zoom": 12, "token": "t"}}
    assert shown_view(on_gcj, token="t", gcj02=True) == pytest.approx((113.30, 23.10, 113.40, 23.16), abs=1e-6)


def test_a_zoomed_view_exports_its_extent_and_a_view_of_the_whole_city_the_city_page():
    """What the map reports becomes the print's extent: zoomed to 12 over 天河, the page shows a
    few kilometres (its scale bar and names say so), not the city with its inset."""
    import shapely
    from geo.maps.static_map import export_map, map_figure
    from geo.ui.map_exports import export_view

    city = shapely.union_all([d.geometry for d in CHECKED.districts]).bounds
    assert export_view(city, checked=CHECKED, district=None) is None  # all of it: the city page
    assert export_view((0.0, 0.0, 1.0, 1.0), checked=CHECKED, district=None) is None  # none of it
    zoomed = export_view((113.2899, 23.0999, 113.4001, 23.1601), checked=CHECKED, district=None)
    assert zoomed == (113.2899, 23.0999, 113.4001, 23.1601)

    layers = build_layers(CHECKED, lang="zh")
    whole = map_figure(CHECKED, layers, None, "全市", lang="zh")
    view = map_figure(CHECKED, layers, None, "视图", lang="zh", view=zoomed)

    def width_m(fig) -> float:
        ax = fig.axes[0]
        return ax.get_xlim()[1] - ax.get_xlim()[0]
    assert width_m(view) < width_m(whole) / 5, (width_m(view), width_m(whole))
    assert len(view.axes) < len(whole.axes)  # no inset
    text = "".join(pdf_text_of(export_map(CHECKED, layers, None, "pdf", lang="zh", view=zoomed)))
    assert "天河区" in text and "南沙科学城" not in text and "从化区" not in text


def pdf_text_of(data: bytes) -> list[str]:
    from io import BytesIO

    from pypdf import PdfReader
    return [p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages]


@pytest.mark.e2e
def test_a_zoomed_browser_view_exports_that_view_not_the_city(chromium: Browser, app_url: str):
    """Zoomed to 12 over 天河 in the browser, "Prepare PDF" makes a page of that view: the names
    around it and not the outer districts' (the city page names 从化 and 南沙科学城)."""
    from tests.browser import map_frame, wait_until

    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{app_url}/?lang=en")
    frame = map_frame(page)
    wait_until(page, lambda: frame.evaluate("() => GZ.ready === true"), what="the layout drawn")
    frame.evaluate("() => GZ.map.setView([23.125, 113.35], 12, {animate: false})")
    # The user nudges the map (a view the app set is never reported: the server knows it); the map
    # reports its view 800 ms after it stops, and the page reruns with the view's file keys.
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 10, steps=5)
    page.mouse.up()
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="Prepare PDF").click()
    download = page.get_by_role("button", name="Download PDF")
    download.wait_for(timeout=90_000)
    with page.expect_download() as got:
        download.click()
    text = "".join(pdf_text_of(Path(got.value.path()).read_bytes()))
    assert "Tianhe District" in text
    assert "Conghua District" not in text and "Nansha Science City" not in text, "the whole city was exported"
    page.screenshot(path=str(ROOT / "artifacts" / "export_current_view.png"))
