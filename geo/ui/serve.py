"""Start the app: Streamlit's server with the map's own routes, warmed up, minus Streamlit's
outside look-ups.

    python -m geo.ui.serve run app.py [--section.option value | --section.option=value ...] [-- script args]

The command line is read by `streamlit run`'s own parser (its options, their STREAMLIT_*
environment variables, `.streamlit/config.toml` beside the script), so it means what it did when
this launcher ran Streamlit's command line. The server is Streamlit's public `App` (streamlit.starlette): for this
project's app.py it adds the map's file routes (geo/ui/routes.py), answers Streamlit's own hashed
frontend files from memory (geo/ui/static_cache.py) and, at start, before it takes a request,
imports the library the page needs, loads the data and makes the map's documents (geo.ui.live),
so the first visitor waits no longer than the next. Any other script (bench/'s bare page and naive app) is served as `streamlit run`
would: no routes, no warm-up. For every script, the connections it accepts send at once
(send_without_delay: Streamlit's listening socket left Nagle's algorithm on).

Streamlit 1.67 asks `streamlit.net_util` for the machine's addresses: `get_internal_ip` opens a
UDP socket toward a public resolver, `get_external_ip` fetches an AWS check-ip page (two name
look-ups). It does so at start (the "Network URL"/"External URL" banner lines, when
`server.address` is not set) and, with no option to avoid it short of allowing every origin, on
every websocket handshake whose Origin differs from Host (`is_url_from_allowed_origins`, which
never caches a failure and runs inside the event loop). On an intranet that leaks and stalls
every session behind a slow resolver, so both answer "unknown" here, from this process only.

What still admits a cross-origin page is unchanged and local: localhost/127.0.0.1,
`browser.serverAddress` and `server.corsAllowedOrigins`; XSRF protection stays on. Behind the
proxy (deploy/nginx) Origin and Host agree, so pages are same-origin and need none of these.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

# Nothing of the app is imported here at module level: bench/ serves a bare page through this
# launcher as its floor, which must not load pandas or geopandas (tests/test_egress.py).

# The look-ups replaced, by name; if Streamlit renames them, starting fails instead of silently
# reaching outside again.
LOOKUPS = ("get_internal_ip", "get_external_ip")
BIND = "_bind_socket"  # where Streamlit makes its listening socket (send_without_delay)
APP = Path(__file__).resolve().parents[2] / "app.py"  # this project's app: the one with the map's routes
USAGE = "usage: python -m geo.ui.serve run SCRIPT [--section.option value ...] [-- script args]"


def _unknown() -> str | None:
    """The machine's address is not looked up: None is Streamlit's own "could not tell"."""
    return None


def keep_lookups_local() -> None:
    """Replace Streamlit's address look-ups with local-only answers (None) in this process."""
    from streamlit import net_util

    missing = [name for name in LOOKUPS if not callable(getattr(net_util, name, None))]
    if missing:
        raise RuntimeError(f"streamlit.net_util has no {', '.join(missing)}: check geo/ui/serve.py "
                           "against this Streamlit version before serving")
    for name in LOOKUPS:
        setattr(net_util, name, _unknown)


def send_without_delay() -> None:
    """Every connection the server accepts sends at once (TCP_NODELAY).

    Streamlit binds its listening socket as `socket.socket(family)`, whose protocol reads 0, and
    asyncio turns Nagle's algorithm off only for sockets that say IPPROTO_TCP; so on a kept-alive
    connection each response's body waited behind its headers for the browser's delayed ACK,
    about 40 ms per request: the ~45 widget and map files of a first page, the map's frame and its
    layout document each paid it (the same defect as uvicorn's Kludex/uvicorn#3149). Set on the
    listening socket, the option is inherited by the sockets it accepts (Linux; tests/test_routes.py)."""
    from streamlit.web.server.starlette import starlette_server

    bind = getattr(starlette_server, BIND, None)
    if not callable(bind):
        raise RuntimeError(f"streamlit's starlette_server has no {BIND}: check geo/ui/serve.py "
                           "against this Streamlit version before serving")

    def bind_without_delay(*args: Any, **kwargs: Any) -> socket.socket:
        sock = bind(*args, **kwargs)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    setattr(starlette_server, BIND, bind_without_delay)


def command_line(argv: list[str]) -> tuple[Path, dict[str, Any], list[str]]:
    """`run SCRIPT [options] [-- script args]`, read by `streamlit run`'s own parser (its options,
    their STREAMLIT_* environment variables, their types, its refusal of a secret on the command
    line): the script, the config overrides for App.run, the script's arguments. SystemExit with
    the parser's message for anything it refuses."""
    import click
    from streamlit.web.cli import main_run

    if not argv or argv[0] != "run":
        raise SystemExit(USAGE)
    try:
        params = main_run.make_context("python -m geo.ui.serve run", argv[1:]).params
    except click.exceptions.Exit as done:  # --help, printed
        raise SystemExit(done.exit_code) from None
    except click.ClickException as err:
        raise SystemExit(f"{err.format_message()}\n{USAGE}") from None
    script, script_args = Path(params.pop("target")), list(params.pop("args"))
    # click names --server.port's value server_port (bootstrap.load_config_options undoes it the same way)
    return script, {name.replace("_", "."): value for name, value in params.items()
                    if value is not None and value != ()}, script_args


def import_library() -> None:
    """Import every module below geo.ui in geo.LAYERS (the app's first run would, ~2 s). They
    never touch Streamlit (tests/test_layout.py), so importing them outside a script run is
    safe; geo.ui's modules are not: a component declared outside one is never registered."""
    import geo

    for level in geo.LAYERS[:geo.LAYERS.index(("geo.ui",))]:
        for unit in level:
            package = importlib.import_module(unit)
            for module in pkgutil.walk_packages(getattr(package, "__path__", []), f"{unit}."):
                importlib.import_module(module.name)


def _warm() -> None:
    from streamlit.logger import get_logger

    from geo.data.problems import DataError
    from geo.ui.live import live, settle_heap

    log = get_logger(__name__)
    start = time.perf_counter()
    # st.set_page_config checks that the page icon is an emoji against this catalogue, which the
    # first run would otherwise load (~60 ms of the first visitor's wait).
    importlib.import_module("streamlit.emojis")
    # Streamlit's first element asks once whether it runs in a REPL (inspect.stack(), which maps
    # every loaded module to its file first: ~290 ms of the first visitor's run); that map is
    # inspect's own cache, filled here, after the library's imports, whatever the data say.
    inspect.stack()
    try:
        live().warm()
        settle_heap()  # what the warm-up made lives as long as the process: no collection scans it again
    except DataError as err:  # the page shows the data's errors
        log.warning("warm-up: the data have %d errors", len(err.problems))
    except Exception:  # noqa: BLE001 - the first visit does it instead
        log.exception("warm-up failed")
    else:
        log.info("warm-up: data and map documents ready in %.2f s", time.perf_counter() - start)


@asynccontextmanager
async def warm_at_start(_app: object) -> AsyncIterator[None]:
    """Before the server takes a request: the library's modules (~1 s), then the data and the
    map's documents (geo.ui.live.Live.warm, ~0.5 s), so that the first visitor waits no longer
    than the next. (In a background thread, the documents were still being made when a visitor
    came right after the start, who waited ~0.4 s longer; and a first script run importing beside
    that thread once met SQLAlchemy half-initialised: Python breaks an import deadlock between
    threads by handing one of them the unfinished module.)"""
    from streamlit.logger import get_logger

    log, start = get_logger(__name__), time.perf_counter()
    try:
        import_library()
    except Exception:  # noqa: BLE001 - the first visit imports them and shows any error
        log.exception("warm-up: importing the library failed")
    else:
        log.info("warm-up: library imported in %.2f s, before the first request", time.perf_counter() - start)
    _warm()
    yield


def main(*, argv: list[str] | None = None) -> None:
    """Serve SCRIPT with Streamlit's App (see the module's docstring), its look-ups kept local."""
    script, options, script_args = command_line(sys.argv[1:] if argv is None else argv)
    if not script.is_file():
        raise SystemExit(f"no such script: {script}")
    keep_lookups_local()
    send_without_delay()
    from streamlit.starlette import App

    script = script.resolve()  # App resolves a relative path against the script's own folder
    ours = script == APP
    # App.run takes sys.argv[0] as the script-level anchor (its folder's .streamlit/config.toml)
    # and the rest as the script's arguments, as `streamlit run` leaves them.
    sys.argv = [str(script), *script_args]
    if ours:
        from starlette.middleware import Middleware

        from geo.ui.routes import routes
        from geo.ui.static_cache import StaticCache

        app = App(script, routes=routes(), lifespan=warm_at_start, middleware=[Middleware(StaticCache)])
    else:
        app = App(script)
    app.run(config=options)


if __name__ == "__main__":
    main()
