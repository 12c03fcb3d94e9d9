"""Start the real app on 127.0.0.1 and drive Debian's Chromium with Playwright."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Frame, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root in a sandbox, and with no background traffic that could leave the machine.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> bool:
    """Whether the Streamlit server `proc` answers at `url` within `timeout_s` (False as soon
    as it has exited). The tests, the fault tests and bench/ start their servers with it."""
    deadline = time.time() + timeout_s
    while proc.poll() is None and time.time() <= deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            return True
        except OSError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def running_app(data_dir: Path | None = None, *, env: dict[str, str] | None = None):
    """`python -m geo.ui.serve run app.py` (the README's command) on a free loopback port, with
    `env` added to the environment; yields its base URL."""
    port = free_port()
    env = {**os.environ, **(env or {})} | ({"GZMAP_DATA": str(data_dir)} if data_dir else {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo.ui.serve", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if not serving(url, proc):
            raise RuntimeError(f"app did not start: {proc.stdout.read().decode()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def browser() -> Browser:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


MAP_COMPONENT = "/gzmap/component/"  # the map's frame: its page, named by its content (geo/ui/routes.py)


def is_map(frame: Frame) -> bool:
    return MAP_COMPONENT in frame.url


def map_frame(page: Page, timeout_s: float = 60) -> Frame:
    """The map's iframe, once gzmap.js has drawn at least one marker."""
    return wait_until(page, lambda: next((f for f in page.frames if is_map(f)
                                          and f.locator(".gz-marker").count() > 0), None),
                      timeout_s, "the map to show a marker")


def wait_until(page: Page, check, timeout_s: float = 30, what: str = "condition"):
    """Poll `check` every 0.1 s (a check costs a few ms; each poll missed is time lost by every
    test); a rerun replaces the map's iframe, so a frame vanishing mid-check is retried."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            value = check()
        except PlaywrightError as err:
            if "detached" not in str(err):
                raise
            value = None
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def sidebar_open(page: Page) -> bool:
    return page.locator('[data-testid="stSidebar"][data-collapsed="false"]').count() == 1


def open_sidebar(page: Page) -> bool:
    """Open the sidebar if it is folded (a phone's), once it has slid in; whether it was folded."""
    if sidebar_open(page):
        return False
    page.get_by_test_id("stExpandSidebarButton").click()
    wait_until(page, lambda: sidebar_open(page) and page.get_by_test_id("stSidebar").bounding_box()["x"] >= 0,
               what="the sidebar to slide open")
    return True


def steady_view(page: Page) -> list[float]:
    """The map's centre and zoom once it stands still: a popup that opens pans the map, and the
    map moves itself clear of its controls (at once, and 500 ms on) after it is drawn again; a
    click while it moves lands beside its target."""
    def read() -> list[float]:
        return map_frame(page).evaluate("() => [GZ.map.getCenter().lat, GZ.map.getCenter().lng, GZ.map.getZoom()]")

    def still() -> list[float] | None:
        first = read()
        page.wait_for_timeout(1000)
        return first if read() == first else None
    return wait_until(page, still, what="the map to stand still")
