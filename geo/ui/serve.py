"""Start the app with Streamlit's own command line, minus Streamlit's outside look-ups.

    python -m geo.ui.serve run app.py [streamlit options]   # same arguments as `streamlit run`

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

import sys

# The look-ups replaced, by name; if Streamlit renames them, starting fails instead of silently
# reaching outside again.
LOOKUPS = ("get_internal_ip", "get_external_ip")


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


def main(*, argv: list[str] | None = None) -> None:
    """Run Streamlit's CLI (`streamlit ARGS...`) in this process, its look-ups kept local."""
    keep_lookups_local()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    # prog_name as `python -m streamlit` sets it, so Streamlit sees the same command line.
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
