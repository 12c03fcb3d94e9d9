"""The web map's asset folders (geo.maps.assets) served by the app itself, straight from where
they are: each is declared as a Streamlit component, served under /component/<module>.<name>/.
Nothing is copied, so the app writes nothing into the source tree."""
from __future__ import annotations

import threading

from streamlit.components.v1 import declare_component

from geo.maps.assets import FOLDERS, SERVING_MODULE

# Streamlit names a component after the module that declares it: the map's URLs name this one.
if __name__ != SERVING_MODULE:
    raise ImportError(f"geo.maps.assets.SERVING_MODULE is {SERVING_MODULE!r}, but the assets are served by "
                      f"{__name__!r}: the web map would ask for URLs nobody serves")

_declared = threading.Lock()
_done: list[bool] = []


def serve() -> None:
    """Register the asset folders with the running Streamlit server (call from the app), once per
    process: sessions run in threads, and declaring is not thread-safe (inspect.getmodule)."""
    with _declared:
        if not _done:
            for name, folder in FOLDERS.items():
                declare_component(name, path=folder)
            _done.append(True)
