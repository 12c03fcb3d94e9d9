"""The map's files over HTTP, beside Streamlit's own routes (geo/ui/serve.py mounts them):

    /gzmap/static/<digest>/<file>   leaflet.js, leaflet.css, gzmap.js, gzmap.css (geo.maps.assets)
    /gzmap/component/<digest>/index.html   the map's component page (geo.maps.assets.component_page)
    /gzmap/data/<part>/<lang>/<crs>/<doc>/<system>/<digest>.json   a map document (geo.maps.payload)

Each URL names its content (the digest is a hash of the bytes sent), so a response is cached by
browsers for good (`immutable`) and a new deploy or a data edit gives new URLs. A URL whose digest
is not the current content's, or any segment that names nothing, is a plain 404: a stale page
asks again after its rerun. Bodies are gzipped once and kept (Streamlit's gzip middleware leaves
an encoded response alone; it would otherwise compress ~0.2 MB of JSON on every request).
No Streamlit here: only Starlette.
"""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from geo.data.problems import DataError
from geo.maps.assets import CSS, FILES, JS, PAGE, component_page
from geo.maps.payload import URL_PREFIX, DataKey, is_digest
from geo.ui.live import live

STATIC_PREFIX = "/gzmap/static"
PAGE_PREFIX = "/gzmap/component"
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8",
         ".json": "application/json; charset=utf-8"}
GZIP_LEVEL = 9  # once per body, so the smallest


@dataclass(frozen=True)
class Asset:
    body: bytes
    digest: str  # 16 hex of the SHA-256 of body: its URL's name


@lru_cache(maxsize=len(FILES) * 2)
def _read(path: Path, mtime_ns: int, size: int) -> Asset:
    body = path.read_bytes()
    return Asset(body, hashlib.sha256(body).hexdigest()[:16])


def asset(name: str) -> Asset:
    """One of the four files as it is now (read again only when it changes)."""
    path = FILES[name]
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


def static_url(name: str) -> str:
    """The URL of `name`, one of geo.maps.assets.FILES, named by its content."""
    return f"{STATIC_PREFIX}/{asset(name).digest}/{name}"


@lru_cache(maxsize=4)
def _page(css: tuple[str, ...], js: tuple[str, ...], stamps: tuple[tuple[int, int], ...]) -> Asset:
    body = component_page(css=css, js=js).encode("utf-8")
    return Asset(body, hashlib.sha256(body).hexdigest()[:16])


def page_asset() -> Asset:
    """The component page as it is now: made again when one of its parts or files changes."""
    stamps = tuple((s.st_mtime_ns, s.st_size) for s in (path.stat() for path in PAGE.values()))
    return _page(tuple(static_url(n) for n in CSS), tuple(static_url(n) for n in JS), stamps)


def page_url() -> str:
    """The URL of the map's component page, named by its content (and so by its files')."""
    return f"{PAGE_PREFIX}/{page_asset().digest}/index.html"


@lru_cache(maxsize=64)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


def _not_found() -> Response:
    # Not cached: the same URL may name something after a data edit is reverted.
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})


def _immutable(body: bytes, media_type: str, request: Request) -> Response:
    headers = {"Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding", "X-Content-Type-Options": "nosniff"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["Content-Encoding"] = _gzipped(body), "gzip"
    return Response(body, media_type=media_type, headers=headers)


def _static(request: Request) -> Response:
    name, wanted = request.path_params["file"], request.path_params["digest"]
    if name not in FILES:
        return _not_found()
    found = asset(name)
    if wanted != found.digest:
        return _not_found()
    return _immutable(found.body, MEDIA[Path(name).suffix], request)


def _page_response(request: Request) -> Response:
    found = page_asset()
    if request.path_params["digest"] != found.digest:
        return _not_found()
    return _immutable(found.body, MEDIA[".html"], request)


def _data(request: Request, directory: Path | None) -> Response:
    params = request.path_params
    try:
        key = DataKey.parse(**{k: params[k] for k in ("part", "lang", "crs", "doc", "system")})
    except ValueError:
        return _not_found()
    if not is_digest(params["digest"]):
        return _not_found()
    try:
        body, found = live(directory).data(key)  # made once per data revision and key
    except LookupError:  # a document or platform system the data do not have
        return _not_found()
    except DataError:  # no good version of the data yet: the page says so
        return PlainTextResponse("Data unavailable", status_code=503, headers={"Cache-Control": "no-store"})
    if found != params["digest"]:  # a URL from another revision of the data
        return _not_found()
    return _immutable(body, MEDIA[".json"], request)


def routes(*, directory: Path | None = None) -> list[BaseRoute]:
    """The map's routes, for Streamlit's App; the data of `directory` (default: the settings'
    data folder, geo.ui.live). Handlers run in the thread pool: a document takes a while to make
    the first time, and the event loop serves every session's websocket meanwhile."""

    async def static(request: Request) -> Response:
        return await run_in_threadpool(_static, request)

    async def component(request: Request) -> Response:
        return await run_in_threadpool(_page_response, request)

    async def data(request: Request) -> Response:
        return await run_in_threadpool(_data, request, directory)

    async def nothing(request: Request) -> Response:
        return _not_found()

    return [Route(STATIC_PREFIX + "/{digest}/{file}", static),
            Route(PAGE_PREFIX + "/{digest}/index.html", component),
            Route(URL_PREFIX + "/{part}/{lang}/{crs}/{doc}/{system}/{digest}.json", data),
            # Anything else under /gzmap/ is ours too: a 404, not Streamlit's page for unknown paths.
            Route("/gzmap/{rest:path}", nothing)]
