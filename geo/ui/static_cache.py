"""Streamlit's own frontend files (its code chunks, styles and fonts under /static/, named by their
content) answered from memory, each read and gzipped once: an ASGI middleware for geo/ui/serve.py.

Why: a first visit asks for ~110 of them (the app's widgets each load their own chunks), and
Streamlit's handler streams every one from disk through a worker thread on the one event loop
that also sends every session's messages. A profile of the server during page loads found about
three quarters of that loop's busy time there, and the map's element waited behind it
(bench/README.md). Here a file costs one dictionary look-up after its first request; the server's
CPU per page load halved in the bench.

Only a name that carries Streamlit's content hash (`index.DormvYxC.js`) in its js/, css/ or media/
folder is answered, cached for good as Streamlit marks it too. Everything else (the page itself,
the manifest, a name with no hash, a file not there, a HEAD or a range request) goes on to
Streamlit unchanged.
"""
from __future__ import annotations

import gzip
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.ui.routes import IMMUTABLE

ROOT = Path(streamlit.__file__).parent / "static"  # what Streamlit serves at /
HASHED = re.compile(r"/static/(js|css|media)/[^/]+\.[A-Za-z0-9_-]{8}\.[a-z0-9]+")  # .../name.<hash>.<ext>
PACKED = {".woff2", ".woff", ".png", ".jpg", ".gif", ".webp"}  # compressed already: sent as they are
GZIP_LEVEL = 6  # once per file and process


@dataclass(frozen=True)
class Reply:
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _reply(path: Path, gz: bool) -> Reply:
    body = path.read_bytes()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = [(b"content-type", kind.encode()), (b"cache-control", IMMUTABLE.encode()),
               (b"vary", b"Accept-Encoding"), (b"x-content-type-options", b"nosniff")]
    if gz:
        body = gzip.compress(body, GZIP_LEVEL, mtime=0)
        headers.append((b"content-encoding", b"gzip"))
    return Reply(headers + [(b"content-length", str(len(body)).encode())], body)


class StaticCache:
    """Answers GET /static/{js,css,media}/<name>.<hash>.<ext> from memory; passes on the rest."""

    def __init__(self, app: ASGIApp, *, root: Path = ROOT) -> None:
        self.app = app
        self.root = root.resolve()
        self.replies: dict[tuple[str, bool], Reply] = {}

    def _file(self, url_path: str) -> Path | None:
        path = (self.root / url_path.lstrip("/")).resolve()
        return path if self.root in path.parents and path.is_file() else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not HASHED.fullmatch(scope["path"]) \
                or any(name == b"range" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        accepts = b", ".join(value for name, value in scope["headers"] if name == b"accept-encoding")
        key = (scope["path"], b"gzip" in accepts and Path(scope["path"]).suffix not in PACKED)
        reply = self.replies.get(key)  # a file answered once is looked for on disk no more
        if reply is None:
            if (path := self._file(scope["path"])) is None:
                await self.app(scope, receive, send)
                return
            reply = self.replies[key] = await run_in_threadpool(_reply, path, key[1])  # off the event loop, once
        await send({"type": "http.response.start", "status": 200, "headers": reply.headers})
        await send({"type": "http.response.body", "body": reply.body})
