"""The map's files over HTTP (geo/ui/routes.py) from the process's live data (geo/ui/live.py), and
the launcher that serves them (geo/ui/serve.py).

The routes are driven in-process as an ASGI app (Starlette's TestClient needs a package the
project does not install); one test starts the real server with the README's command.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, unquote

import pytest
from starlette.applications import Starlette

from geo.data.problems import DataError
from geo.maps.assets import CSS, FILES, JS
from geo.maps.payload import DataKey
from geo.settings import settings
from geo.ui import routes as routes_module
from geo.ui.live import live
from geo.ui.routes import IMMUTABLE, page_url, routes, static_url
from geo.ui.serve import command_line
from tests.browser import ROOT, free_port, serving
from tests.conftest import edit_yaml

CITY_ZH = DataKey(part="layout", lang="zh", gcj02=False, doc=None, system=None)
PARK = "park-life-health-innovation-zone"  # on the map: its name is a label in the layout


class Reply(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def get(app: Starlette, path: str, *, gzip_ok: bool = False) -> Reply:
    """One GET through the ASGI app, as uvicorn hands it over (the path percent-decoded)."""

    async def run() -> Reply:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": unquote(path), "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "headers": [(b"accept-encoding", b"gzip, deflate, br")] if gzip_ok else [],
                 "server": ("testserver", 80), "client": ("127.0.0.1", 1)}
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        return Reply(start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
                     b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))

    # In a thread of its own: a browser test on the same worker may have left this thread an
    # event loop (Playwright's sync API), and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def server(directory: Path | None = None) -> Starlette:
    return Starlette(routes=routes(directory=directory))


@pytest.mark.parametrize("key", [CITY_ZH, DataKey(part="popups", lang="en", gcj02=False, doc=None, system=None),
                                 DataKey(part="layout", lang="en", gcj02=True, doc="004_d0d840f101352d7b.txt",
                                         system="system-004")])
def test_a_map_document_is_served_for_good_under_the_hash_of_its_bytes(key: DataKey):
    url = live().url(key)
    reply = get(server(), url)
    assert reply.status == 200
    assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert hashlib.sha256(reply.body).hexdigest()[:20] == url.rsplit("/", 1)[1].removesuffix(".json")
    document = json.loads(reply.body)
    if key.part == "layout":
        assert (document["lang"], document["gcj02"]) == (key.lang, key.gcj02)
    else:
        assert PARK in document
    zipped = get(server(), url, gzip_ok=True)  # compressed once, the same bytes
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.body) == reply.body and len(zipped.body) < len(reply.body) / 3


def test_a_data_edit_gives_the_document_a_new_url_and_the_old_one_is_gone(data_copy: Path):
    app, data = server(data_copy), live(data_copy)
    before = data.url(CITY_ZH)
    assert get(app, before).status == 200
    edit_yaml(data_copy / "parks.yaml", lambda parks: next(p for p in parks if p["id"] == PARK)
              .update(name_zh="生命健康创新区（改）"))
    after = data.url(CITY_ZH)
    assert after != before
    assert get(app, before).status == 404  # a page drawn before the edit asks again after its rerun
    reply = get(app, after)
    assert reply.status == 200 and "生命健康创新区（改）" in reply.body.decode()
    assert hashlib.sha256(reply.body).hexdigest()[:20] in after


def test_an_edit_with_errors_keeps_serving_the_last_good_version(data_copy: Path):
    app, data = server(data_copy), live(data_copy)
    url = data.url(CITY_ZH)
    edit_yaml(data_copy / "parks.yaml", lambda parks: next(p for p in parks if p["id"] == PARK)
              .update(district="越秀县"))
    checked, error = data.current()
    assert error is not None and "越秀县" in "\n".join(map(str, error.problems))
    assert data.url(CITY_ZH) == url and get(app, url).status == 200
    assert checked is data.current()[0]  # validated once: the same good version, no reload


def test_with_no_good_version_the_data_error_is_raised_and_the_route_says_unavailable(data_copy: Path):
    edit_yaml(data_copy / "parks.yaml", lambda parks: parks[0].update(district="越秀县"))
    with pytest.raises(DataError):
        live(data_copy).current()
    reply = get(server(data_copy), CITY_ZH.url("0" * 20))
    assert reply.status == 503 and reply.body == b"Data unavailable"


def _hostile() -> list[str]:
    url = live().url(CITY_ZH)
    prefix, name = url.rsplit("/", 1)
    segments = url.split("/")  # ['', 'gzmap', 'data', part, lang, crs, doc, system, name]

    def with_segment(i: int, value: str) -> str:
        return "/".join(segments[:i] + [value] + segments[i + 1:])

    return [
        with_segment(3, "secrets"), with_segment(4, "fr"), with_segment(5, "mercator"),
        with_segment(3, "popups"),  # popups are wgs84 only, and this is a layout's digest anyway
        with_segment(6, ".."), with_segment(6, "..%2F..%2Fapp.py"), with_segment(6, "999_nope.txt"),
        with_segment(7, "system-999"), with_segment(7, PARK),  # an entry, but not a platform system
        with_segment(6, "a" * 5000), with_segment(8, "X" * 20 + ".json"), with_segment(8, name[:-6] + ".json"),
        with_segment(8, ("0" * 20) + ".json"), with_segment(8, name.replace(".json", ".txt")),
        prefix, f"{prefix}/{name}/more", "/gzmap/data/../../etc/passwd", "/gzmap/anything",
        url.replace("/gzmap/data/", "/gzmap/data/%00/"),
    ]


@pytest.mark.parametrize("path", _hostile())
def test_a_url_that_names_nothing_is_a_short_plain_404(path: str):
    reply = get(server(), path)
    assert (reply.status, reply.body) == (404, b"Not found")
    assert reply.headers["content-type"].startswith("text/plain") and "cache-control" in reply.headers
    assert "immutable" not in reply.headers["cache-control"]


@pytest.mark.parametrize("doc, system", [("999_nope.txt", None), (None, "system-999"), (None, PARK)])
def test_a_made_up_document_or_platform_system_is_never_built(doc: str | None, system: str | None):
    """Any URL can name one: it must not cost the server a document, nor a place in its cache."""
    with pytest.raises(LookupError):
        live().data(replace(CITY_ZH, doc=doc, system=system))


@pytest.mark.parametrize("name", list(FILES))
def test_the_map_scripts_and_styles_are_served_for_good_under_their_hash(name: str):
    url = static_url(name)
    reply = get(server(), url)
    assert reply.status == 200 and reply.body == FILES[name].read_bytes()
    assert reply.headers["cache-control"] == IMMUTABLE
    assert reply.headers["content-type"] == ("application/javascript; charset=utf-8" if name.endswith(".js")
                                             else "text/css; charset=utf-8")
    assert url == f"/gzmap/static/{hashlib.sha256(reply.body).hexdigest()[:16]}/{name}"
    assert gzip.decompress(get(server(), url, gzip_ok=True).body) == reply.body
    assert get(server(), url.replace(url.split("/")[3], "0" * 16)).status == 404
    assert get(server(), url.replace(name, "index.html")).status == 404  # only the four files


def test_a_changed_script_gets_a_new_url_and_the_old_one_is_gone(tmp_path: Path, monkeypatch):
    """A new deploy: the browser never runs an old gzmap.js it cached for good, nor an old map page
    that names it."""
    script = tmp_path / "gzmap.js"
    script.write_text("var GZ = 1;", encoding="utf-8")
    monkeypatch.setitem(routes_module.FILES, "gzmap.js", script)
    before, page_before = static_url("gzmap.js"), page_url()
    script.write_text("var GZ = 2; // new", encoding="utf-8")
    after, page_after = static_url("gzmap.js"), page_url()
    assert after != before and get(server(), before).status == 404
    assert get(server(), after).body == b"var GZ = 2; // new"
    assert page_after != page_before and get(server(), page_before).status == 404
    assert after in get(server(), page_after).body.decode()


def test_the_map_page_is_served_for_good_and_loads_its_scripts_and_styles_itself():
    """The map's frame asks for Leaflet and gzmap as it opens (not after Streamlit's first render
    message), and a second visit takes the page itself from the browser's cache."""
    url = page_url()
    reply = get(server(), url)
    assert reply.status == 200 and reply.headers["cache-control"] == IMMUTABLE
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert url == f"/gzmap/component/{hashlib.sha256(reply.body).hexdigest()[:16]}/index.html"
    head = reply.body.decode().split("</head>")[0]
    ready = head.index('send("streamlit:componentReady"')  # component.js, inline, before any file
    styles = [head.index(f'<link rel="stylesheet" href="{static_url(n)}">') for n in CSS]
    scripts = [head.index(f'<script defer src="{static_url(n)}"></script>') for n in JS]
    assert ready < min(styles) and max(styles) < min(scripts) and scripts == sorted(scripts)  # Leaflet first
    assert get(server(), url.replace(url.split("/")[3], "0" * 16)).status == 404


def test_the_launcher_reads_streamlit_runs_options_in_both_spellings_typed():
    script, options, rest = command_line(["run", "app.py", "--server.port", "8600", "--server.headless=true",
                                          "--server.address", "127.0.0.1", "--", "--not-an-option"])
    assert (script, rest) == (Path("app.py"), ["--not-an-option"])
    assert options == {"server.port": 8600, "server.headless": True, "server.address": "127.0.0.1"}


@pytest.mark.parametrize("argv, message", [
    (["run", "app.py", "--server.prot", "8600"], "No such option '--server.prot'"),
    (["run", "app.py", "--server.port", "many"], "'many' is not a valid integer"),
    (["run", "app.py", "--server.cookieSecret", "x"], "Setting 'server.cookieSecret' option using the CLI flag is not"),
    (["run", "app.py", "--server.port"], "Option '--server.port' requires an argument"),
    (["serve", "app.py"], "usage: python -m geo.ui.serve run SCRIPT"),
])
def test_the_launcher_refuses_a_bad_option_with_a_clear_message(argv: list[str], message: str):
    with pytest.raises(SystemExit, match=message):
        command_line(argv)


def test_the_connections_the_launcher_accepts_send_at_once(monkeypatch):
    """Without TCP_NODELAY each response on a kept-alive connection waited ~40 ms for the
    browser's delayed ACK (geo.ui.serve.send_without_delay): a connection accepted from the
    listening socket Streamlit binds has Nagle's algorithm off."""
    import socket

    from streamlit.web.server.starlette import starlette_server

    from geo.ui import serve

    monkeypatch.setattr(starlette_server, serve.BIND, getattr(starlette_server, serve.BIND))  # restored after
    serve.send_without_delay()
    listener = getattr(starlette_server, serve.BIND)("127.0.0.1", 0, 8)
    listener.setblocking(True)
    with listener, socket.create_connection(listener.getsockname(), timeout=5):
        accepted, _ = listener.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_the_launcher_fails_loudly_when_streamlit_moves_its_socket_binding(monkeypatch):
    from streamlit.web.server.starlette import starlette_server

    from geo.ui import serve

    monkeypatch.delattr(starlette_server, serve.BIND)
    with pytest.raises(RuntimeError, match=serve.BIND):
        serve.send_without_delay()


@pytest.mark.e2e
def test_the_server_started_as_the_readme_says_serves_the_map_documents_warmed_up(tmp_path: Path):
    """The README's command answers its health check and serves the document the app's page names
    (this process computes the same URL from the same data); its data were loaded and both
    languages' documents made at start, before it answers. A page of another script gets none."""
    log = tmp_path / "app.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "geo.ui.serve", "run", "app.py", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        assert serving(url, proc, 90), log.read_text(errors="replace")[-2000:]
        # the library imported and the documents made before the server answers: the first visitor
        # waits for neither (and no script run imports beside the warm-up)
        started = log.read_text(errors="replace")
        assert "warm-up: library imported" in started and "warm-up: data and map documents ready" in started
        data_url = live(settings().data).url(CITY_ZH)
        request = urllib.request.Request(url + quote(data_url), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=20) as reply:
            assert reply.headers["Cache-Control"] == IMMUTABLE and reply.headers["Content-Encoding"] == "gzip"
            body = gzip.decompress(reply.read())
        assert hashlib.sha256(body).hexdigest()[:20] in data_url
        with urllib.request.urlopen(url + static_url("gzmap.js"), timeout=20) as reply:
            assert reply.read() == FILES["gzmap.js"].read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    bare = tmp_path / "bare.py"  # bench/'s floor: served as `streamlit run` would, no warm-up
    bare.write_text("import streamlit as st\nst.write('hello')\n", encoding="utf-8")
    bare_log = tmp_path / "bare.log"
    port = free_port()
    with bare_log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "geo.ui.serve", "run", str(bare), "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                                cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        assert serving(f"http://127.0.0.1:{port}", proc, 90), bare_log.read_text(errors="replace")[-2000:]
        # No such route: Streamlit answers with its own page, as for any unknown path.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{static_url('gzmap.js')}", timeout=20) as reply:
            assert reply.headers["Content-Type"].startswith("text/html")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "warm-up" not in bare_log.read_text(errors="replace")
