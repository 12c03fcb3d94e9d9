"""Faults an intranet deployment meets: a server restarted under an open page, a read-only data
folder, several processes sharing one font cache. Real app processes, headless Chromium."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

import pytest
from fontTools.ttLib import TTFont
from matplotlib import ft2font
from playwright.sync_api import Browser
from pypdf import PdfReader

from geo.fonts import cached_font_ok
from tests.browser import ARTIFACTS, ROOT, free_port, is_map, map_frame, serving, wait_until

# Each test runs the app or its CLI in processes of its own, which it kills or starves.
pytestmark = pytest.mark.e2e

DATA = ROOT / "data"
DISTRICT = "黄埔区"


class AppServer:
    """`python -m geo.ui.serve run app.py` (the README's command) on a fixed loopback port, which
    can be killed and started again."""

    def __init__(self, port: int, log: Path, env: dict[str, str] | None = None, prefix: list[str] = (),
                 python: list[str] = (sys.executable,)):
        self.port, self.log, self.env, self.prefix = port, log, {**os.environ, **(env or {})}, list(prefix)
        self.python = list(python)  # the interpreter (and a wrapper script) that runs `-m geo.ui.serve`
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def launch(self) -> AppServer:
        """Start the process; `start` waits until it serves (several servers start side by side)."""
        with self.log.open("ab") as out:  # appended: one log across restarts
            self.proc = subprocess.Popen(
                [*self.prefix, *self.python, *(["-m"] if len(self.python) == 1 else []),
                 "geo.ui.serve", "run",
                 str(ROOT / "app.py"),
                 "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    def start(self) -> AppServer:
        if self.proc is None or self.proc.poll() is not None:
            self.launch()
        if not serving(self.url, self.proc):
            self.stop()
            raise RuntimeError(f"app did not start:\n{self.log_text()[-3000:]}")
        return self

    def kill(self) -> None:
        """A crash: SIGKILL, no goodbye to the browser."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def markers(frame, css_class: str = "") -> int:
    return frame.locator(f".gz-marker{'.' + css_class if css_class else ''}").count()


def map_showing(page, check, what: str, timeout_s: float = 60):
    """The map's iframe once `check(frame)` holds (a rerun updates the map in its frame; a reconnected
    page may draw a new one)."""
    return wait_until(page, lambda: next((f for f in page.frames if is_map(f) and check(f)), None), timeout_s, what)


def tree_state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder below `folder`: content hash (files) and mode."""
    out = {}
    for p in sorted(folder.rglob("*")):
        out[str(p.relative_to(folder))] = (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir",
                                          p.stat().st_mode)
    return out


# --- a) a server restarted under an open page --------------------------------------------------

def test_server_killed_and_restarted_under_an_open_page(tmp_path: Path, chromium: Browser):
    server = AppServer(free_port(), tmp_path / "app.log", {"GZMAP_CACHE": str(tmp_path / "cache")})
    ARTIFACTS.mkdir(exist_ok=True)
    with server:
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url)
        map_frame(page)
        parks = page.get_by_role("checkbox", name="多点（园区）")
        district = page.get_by_role("combobox", name="行政区")
        assert parks.is_checked() and parks.is_enabled() and district.is_enabled()
        all_markers = markers(map_showing(page, lambda f: markers(f, "gz-park") > 0, "parks"))

        # Mid-session state: the parks layer switched off.
        page.get_by_text("多点（园区）", exact=True).click()
        map_showing(page, lambda f: markers(f) > 0 and markers(f, "gz-park") == 0, "parks removed")

        server.kill()
        # The page says so: the sidebar's widgets are disabled, then a "Connection error" dialog.
        wait_until(page, lambda: parks.is_disabled() and district.is_disabled(), 15, "widgets disabled")
        dialog = page.get_by_role("dialog")
        dialog.filter(has_text="Connection error").wait_for(timeout=20_000)
        assert "not responding" in dialog.inner_text()
        page.screenshot(path=ARTIFACTS / "faults-disconnected.png")

        # The user dismisses the dialog and clicks anyway: the click is refused, visibly.
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=5_000)
        assert parks.is_disabled() and district.is_disabled()  # still greyed out without the dialog
        page.get_by_text("多点（园区）", exact=True).click(force=True)
        district.click(force=True)
        page.wait_for_timeout(500)
        assert page.get_by_role("option", name="南沙区").count() == 0  # the district list did not open
        clicked_state = parks.is_checked()  # refused (still off), or accepted: then applied on reconnection
        page.screenshot(path=ARTIFACTS / "faults-disconnected-click.png")

        # Same port, new process: the page reconnects on its own, keeps the session's choices
        # and draws the map again.
        server.start()
        wait_until(page, lambda: parks.is_enabled() and district.is_enabled(), 45, "widgets enabled again")
        assert page.get_by_role("dialog").count() == 0
        assert parks.is_checked() == clicked_state
        frame = map_showing(page, lambda f: markers(f) > 0 and (markers(f, "gz-park") > 0) == clicked_state,
                            "the map after reconnection, as the checkbox says")
        page.screenshot(path=ARTIFACTS / "faults-reconnected.png")
        assert markers(frame, "gz-node") > 0 and markers(frame, "gz-platform") > 0

        # The first change after reconnection is applied, not undone by the new session (which
        # must not re-apply the URL, written one rerun earlier, over the browser's widgets). The
        # page reruns in full on reconnecting (app.rerun_on_reconnect); a layer switch made before
        # that run has ended can be dropped by Streamlit (README, "Faults"), so the user here
        # clicks once the page is idle again.
        wait_until(page, lambda: page.locator("[data-testid='stStatusWidget']").count() == 0, 30, "the rerun")
        page.wait_for_timeout(1500)
        if not clicked_state:
            page.get_by_text("多点（园区）", exact=True).click()
        map_showing(page, lambda f: markers(f) == all_markers, "the parks switched on after reconnection "
                    "to be drawn (the first change after a server restart was undone)", 30)
        assert parks.is_checked()
        assert "Traceback" not in server.log_text()


# --- b) a read-only data folder ------------------------------------------------------------------

def readonly_prefix(folder: Path) -> tuple[list[str], str]:
    """A command prefix that runs the app with `folder` read-only, in a way that binds root too.

    As root: a read-only bind mount in a private mount namespace (EROFS for every process in
    it, as systemd's ReadOnlyPaths= does), else root without the capabilities that bypass file
    permissions, on a copy owned by nobody. As another user: plain permissions. The prefix
    itself checks that a write into the folder fails before it starts the app."""
    probe = f'if touch "{folder}/.gzmap-probe" 2>/dev/null; then echo "DATA FOLDER IS WRITABLE"; exit 3; fi'
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        return ["sh", "-c", f'{probe}; exec "$@"', "sh"], "permissions"
    mount = (f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" "{folder}" && '
             f'{probe} && exec "$@"')
    if subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", mount, "sh", "true"],
                      capture_output=True, check=False).returncode == 0:
        return ["unshare", "-m", "--propagation", "private", "sh", "-c", mount, "sh"], "read-only bind mount"
    subprocess.run(["chown", "-R", "65534:65534", str(folder)], check=True)
    subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
    drop = "-dac_override,-dac_read_search,-fowner,-chown,-linux_immutable,-sys_admin"
    return (["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "sh", "-c", f'{probe}; exec "$@"', "sh"],
            "root without CAP_DAC_OVERRIDE/CAP_FOWNER")


def test_app_runs_on_a_read_only_data_folder(tmp_path: Path, chromium: Browser):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    prefix, how = readonly_prefix(data)
    before = tree_state(data)
    cache = tmp_path / "cache"
    env = {"GZMAP_DATA": str(data), "GZMAP_CACHE": str(cache)}
    with AppServer(free_port(), tmp_path / "app.log", env, prefix) as server:
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url)
        frame = map_frame(page)
        assert markers(frame, "gz-park") > 0 and markers(frame, "gz-node") > 0
        assert page.get_by_text("数据文件有误").count() == 0 and page.get_by_text("内部错误").count() == 0

        page.goto(f"{server.url}/?district={DISTRICT}")
        page.get_by_text(f"{DISTRICT}：规划安排清单").wait_for(timeout=60_000)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="下载 Excel（XLSX）").click()
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert book.sheetnames[0] == "汇总" and len(book.sheetnames) > 1
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="下载 CSV").click()
        csv = Path(download.value.path()).read_bytes()
        assert csv.startswith(b"\xef\xbb\xbf") and "广州国际生物岛" in csv.decode("utf-8-sig")
        log = server.log_text()
    assert "DATA FOLDER IS WRITABLE" not in log, how
    for sign in ("Traceback", "Read-only file system", "Permission denied"):
        assert sign not in log, f"{sign!r} in the server log ({how}):\n{log[-3000:]}"
    assert tree_state(data) == before, f"the data folder changed ({how})"


# --- c) several processes, one data folder, one font cache ---------------------------------------

# Run a module (`geo`, `streamlit`) with an audit hook that logs every file opened for writing and
# every rename into the cache folder: whether a process ever writes a cached font in place (where
# another process could load it half-written) is then a fact of the run, not of its timing.
AUDITED = '''
import json, os, runpy, sys
cache, log = os.environ["GZMAP_CACHE"], open(os.environ["AUDIT_LOG"], "a", buffering=1)
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

def inside(path):
    return isinstance(path, (str, os.PathLike)) and os.path.abspath(os.fspath(path)).startswith(cache + os.sep)

def hook(event, args):
    if event == "open" and inside(args[0]) and (args[2] or 0) & WRITE:
        log.write(json.dumps(["write", os.path.abspath(os.fspath(args[0]))]) + "\\n")
    elif event == "os.rename" and inside(args[1]):
        log.write(json.dumps(["rename", os.path.abspath(os.fspath(args[0])), os.path.abspath(os.fspath(args[1]))]) + "\\n")

sys.addaudithook(hook)
sys.argv, sys.path[0] = sys.argv[1:], os.getcwd()  # as `python -m` would
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
'''


def audited(tmp_path: Path) -> list[str]:
    script = tmp_path / "audited.py"
    script.write_text(AUDITED, encoding="utf-8")
    return [sys.executable, str(script)]


def assert_written_atomically(cache: Path, logs: list[Path]) -> None:
    """Each process wrote its cached fonts (and their check files) under a temporary name of its own and renamed it into
    place; no process opened a final font file for writing."""
    temps: list[set[str]] = []
    for log in logs:
        events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        written = {e[1] for e in events if e[0] == "write"}
        renamed = {e[2]: e[1] for e in events if e[0] == "rename"}
        finals = {str(p) for p in cache.iterdir() if not p.name.startswith(".")}  # fonts, check files
        assert not written & finals, f"{log.name}: a cached font was written in place: {written & finals}"
        assert set(renamed.values()) <= written and set(renamed) <= finals, (log.name, events)
        assert renamed, f"{log.name}: this process built no font, so the processes did not race"
        temps.append(written)
    assert not set.intersection(*temps), f"two processes wrote the same temporary file: {set.intersection(*temps)}"


class CacheWatch(threading.Thread):
    """Watches the font cache while it is built: every .ttf that becomes visible must already be
    a complete font; records when the first one appeared (and calls `at_first` then)."""

    def __init__(self, folder: Path, at_first=lambda: None):
        super().__init__(daemon=True)
        self.folder, self.first_seen, self.bad, self.done = folder, None, [], threading.Event()
        self.at_first, self.at_first_result = at_first, None

    def run(self) -> None:
        checked: dict[str, int] = {}
        while not self.done.is_set():
            for p in self.folder.glob("*.ttf"):
                try:
                    size = p.stat().st_size
                    if checked.get(p.name) == size:
                        continue
                    if self.first_seen is None:
                        self.first_seen, self.at_first_result = time.time(), self.at_first()
                    TTFont(io.BytesIO(p.read_bytes()))["glyf"]
                    checked[p.name] = size
                except FileNotFoundError:
                    pass  # replaced between listing and reading
                except Exception as err:  # noqa: BLE001 - anything unreadable is a finding
                    self.bad.append(f"{p.name} ({size} bytes): {type(err).__name__}: {err}")
                    checked[p.name] = size
            time.sleep(0.005)


def assert_cache_consistent(cache: Path, text: str) -> None:
    names = sorted(p.name for p in cache.iterdir())
    files = [cache / n for n in names if n.endswith(".ttf")]
    assert files, "nothing was cached"
    # Each font with its check file (size and SHA-256, geo.fonts), and nothing else: no temporary file.
    assert names == sorted([p.name for p in files] + [p.name + ".sha256" for p in files]) \
        and not any(n.startswith(".") for n in names), f"left-overs in the cache: {names}"
    for p in files:
        assert cached_font_ok(p), f"{p.name} does not match its check file"
        font = TTFont(p)
        assert "glyf" in font and "CFF " not in font
        assert font["name"].getDebugName(1).startswith("GZMap Noto Sans SC")
        cmap = font.getBestCmap()
        assert all(ord(c) in cmap for c in text), p.name
        ft2font.FT2Font(str(p))  # matplotlib can load it


def assert_sheet_pdf(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"].get("/Font", {}).values() if "/BaseFont" in f.get_object()}
    assert any("GZMap" in f for f in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    assert f"{DISTRICT}：规划安排清单" in text, text[:300]
    return text


def test_two_app_processes_build_the_font_cache_at_once(tmp_path: Path, chromium: Browser):
    """As deployed (deploy/): two processes, one read-only data folder, one empty font cache;
    both open a district sheet at the same time, whose PDF (made with the page) builds the font
    subset, and both PDFs download."""
    data, cache = tmp_path / "data", tmp_path / "cache"
    shutil.copytree(DATA, data)
    prefix, how = readonly_prefix(data)
    before = tree_state(data)
    cache.mkdir()
    audits = [tmp_path / "audit-a.jsonl", tmp_path / "audit-b.jsonl"]
    servers = [AppServer(free_port(), tmp_path / f"{n}.log",
                         {"GZMAP_DATA": str(data), "GZMAP_CACHE": str(cache), "AUDIT_LOG": str(audit)},
                         prefix, audited(tmp_path)) for n, audit in zip("ab", audits)]
    watch = CacheWatch(cache)
    with contextlib.ExitStack() as running:
        for server in servers:  # side by side: a start takes seconds
            running.callback(server.stop)
            server.launch()
        for server in servers:
            server.start()
        assert not any(cache.iterdir())
        watch.start()
        pages = [chromium.new_page(viewport={"width": 1400, "height": 900}) for _ in servers]
        for page, server in zip(pages, servers):
            page.goto(f"{server.url}/?district={DISTRICT}")
        both_asked = time.time()
        for page in pages:
            page.get_by_text(f"{DISTRICT}：规划安排清单").wait_for(timeout=120_000)
            page.get_by_role("button", name="下载 PDF（A4，可打印）").wait_for(timeout=120_000)
        with pages[0].expect_download(timeout=120_000) as first, pages[1].expect_download(timeout=120_000) as second:
            for page in pages:
                page.get_by_role("button", name="下载 PDF（A4，可打印）").click()
        watch.done.set()
        texts = [assert_sheet_pdf(Path(d.value.path()).read_bytes()) for d in (first, second)]
        logs = servers[0].log_text() + servers[1].log_text()
    assert watch.first_seen and both_asked < watch.first_seen, "the second export came after the cache was built"
    assert not watch.bad, watch.bad
    assert texts[0] == texts[1]
    assert "Traceback" not in logs, logs[-3000:]
    assert_cache_consistent(cache, f"{DISTRICT}：规划安排清单")
    assert_written_atomically(cache, audits)
    assert tree_state(data) == before, f"the data folder changed ({how})"


def test_two_cli_sheets_at_once_share_one_cold_cache(tmp_path: Path):
    cache = tmp_path / "cache"
    cache.mkdir()
    audits = [tmp_path / "audit-a.jsonl", tmp_path / "audit-b.jsonl"]
    procs: list[subprocess.Popen] = []
    watch = CacheWatch(cache, lambda: [p.poll() for p in procs])
    watch.start()
    procs += [subprocess.Popen([*audited(tmp_path), "geo", "sheet", "--district", DISTRICT, "--format", "pdf",
                                "--out", str(tmp_path / f"{n}.pdf")], cwd=ROOT,
                               env={**os.environ, "GZMAP_DATA": str(DATA), "GZMAP_CACHE": str(cache),
                                    "AUDIT_LOG": str(audit)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for n, audit in zip("ab", audits)]
    outputs = [p.communicate(timeout=180)[0].decode() for p in procs]
    watch.done.set()
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert watch.first_seen and not watch.bad, watch.bad
    assert watch.at_first_result == [None, None], "one process finished before the other built the cache"
    texts = [assert_sheet_pdf((tmp_path / f"{n}.pdf").read_bytes()) for n in "ab"]
    assert texts[0] == texts[1]
    assert_cache_consistent(cache, f"{DISTRICT}：规划安排清单")
    assert_written_atomically(cache, audits)
