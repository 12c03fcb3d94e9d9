"""Streamlit's hashed frontend files answered from memory (geo/ui/static_cache.py), driven
in-process as an ASGI app in front of a stand-in for Streamlit that records what reaches it."""
from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest

from geo.ui.routes import IMMUTABLE
from geo.ui.static_cache import ROOT, StaticCache

BUNDLE = next((ROOT / "static" / "js").glob("index.*.js"))  # Streamlit's main script, named by its hash
URL = f"/static/js/{BUNDLE.name}"


class Streamlit:
    """Stands in for Streamlit's app: answers 204 and keeps the paths it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.asked.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def call(app: StaticCache, path: str, *, method: str = "GET", headers: dict[str, str] | None = None
         ) -> tuple[int, dict[str, str], bytes]:
    sent: list[dict] = []
    scope = {"type": "http", "method": method, "path": path,
             "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()]}

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    # In a thread of its own: on a worker that ran a browser test, Playwright's loop is running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    return (start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]))


def test_a_hashed_frontend_file_is_answered_from_memory_for_good_and_gzipped_once():
    inner = Streamlit()
    app = StaticCache(inner)
    status, headers, body = call(app, URL, headers={"accept-encoding": "gzip, br"})
    assert status == 200 and gzip.decompress(body) == BUNDLE.read_bytes()
    assert headers["cache-control"] == IMMUTABLE and headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "text/javascript" and int(headers["content-length"]) == len(body)
    status, headers, plain = call(app, URL)  # a client that takes no gzip gets the file as it is
    assert status == 200 and plain == BUNDLE.read_bytes() and "content-encoding" not in headers
    assert inner.asked == []  # Streamlit never saw them
    assert len(app.replies) == 2  # each read once per encoding


@pytest.mark.parametrize("path, method, headers", [
    ("/", "GET", {}),  # the page: Streamlit's, never cached for good
    ("/static/manifest.json", "GET", {}),
    ("/static/index.html", "GET", {}),
    ("/static/js/nothing.AbCdEfGh.js", "GET", {}),  # hashed-looking but not there
    ("/static/js/../../../__init__.py", "GET", {}),  # out of the folder
    (URL, "HEAD", {}),
    (URL, "GET", {"range": "bytes=0-99"}),
    ("/gzmap/static/0000000000000000/gzmap.js", "GET", {}),  # the map's own routes
])
def test_everything_else_goes_on_to_streamlit(path: str, method: str, headers: dict[str, str]):
    inner = Streamlit()
    status, _, _ = call(StaticCache(inner), path, method=method, headers=headers)
    assert status == 204 and inner.asked == [path]
