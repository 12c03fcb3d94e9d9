"""The web map as a Streamlit element: our own component (its page: geo/maps/web/index.html and
component.js, with the map's styles and scripts, made by geo.maps.assets.component_page and served
by geo/ui/routes.py), whose arguments are the map state of geo.maps.webmap.map_state.

The component keeps its frame across reruns (one key per map): a new state reaches the mounted
map (GZ.update) and nothing is rebuilt, so a layer switch, a district or a language sends only
the state, a few KB; the layout and popups come as files by URL (geo/ui/routes.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.components.v1 import declare_component
from streamlit.components.v1.custom_component import CustomComponent

from geo.crs import gcj02_to_wgs84
from geo.review.model import Point
from geo.ui.routes import page_url


@lru_cache(maxsize=16)
def _component(url: str) -> CustomComponent:
    """The component at its page's URL (geo/ui/routes.py: named by its content, so cached for
    good, and its styles and scripts load with it); declared again when the page changes."""
    return declare_component("gzmap", url=url)


def frame_url(*, key: str, layout: object) -> str:
    """The map frame's URL: its page, and after `#layout=` the layout document of the session's
    first map under `key`, which the page asks for as it opens (component.js), before Streamlit's
    first render message names it. It stays the same for the session: Streamlit makes a new
    frame (a new element) when the URL changes, so a later layout (another language) comes with
    the render messages only."""
    first = st.session_state.setdefault(f"_gzmap_first_layout_{key}", layout)
    return page_url() + (f"#{urlencode({'layout': first})}" if isinstance(first, str) else "")


def show(state: Mapping[str, object], *, key: str, clicks: bool = False, gcj02: bool = False,
         report_view: bool = False) -> Point | None:
    """The map in the page, full width. Without `clicks` it returns nothing (a click on the map
    reruns nothing). With `clicks`, the map reports where it was last clicked, as a WGS84 Point
    (converted from GCJ-02 when `gcj02`, the shown basemap's flag: the overlays are drawn shifted
    onto it), or None before any click; each click reruns the script. The component returns the
    last click on every later rerun, until another click; the caller tells a new click from an
    old one by comparing with the value it had before. A click on a marker opens its popup and is
    not a map click. With `report_view`, the map also reports the view it shows, 800 ms after it
    stops moving and only when it moved noticeably (each report reruns the script): read it with
    `shown_view(st.session_state[key], ...)`."""
    args: dict[str, Any] = {**state, "clicks": clicks, "report_view": report_view}
    value = _component(frame_url(key=key, layout=state.get("layout")))(**args, key=key, default=None)
    return clicked_point(value, gcj02=gcj02) if clicks else None


def clicked_point(value: Mapping[str, object] | None, *, gcj02: bool) -> Point | None:
    """The WGS84 point of the component's `last_clicked` ({lat, lng} in the map's own
    coordinates: GCJ-02 when `gcj02`), or None when there is none."""
    clicked = (value or {}).get("last_clicked")
    try:  # from the browser: anything but two numbers is no click
        lon, lat = float(clicked["lng"]), float(clicked["lat"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    if gcj02:
        lon, lat = gcj02_to_wgs84(lon, lat)
    return Point(lon=lon, lat=lat)


Bounds = tuple[float, float, float, float]  # west, south, east, north: WGS84 lon/lat


def shown_view(value: Mapping[str, object] | None, *, token: str, gcj02: bool) -> Bounds | None:
    """The WGS84 bounds of the view the map reported (its value's `view`, in the map's own datum:
    GCJ-02 when `gcj02`) while showing view `token`; None when it reported none for that token
    (a view of an earlier district or pick no longer counts)."""
    view = (value or {}).get("view")
    try:  # from the browser: anything but four numbers and this token is no view
        if view["token"] != token:  # type: ignore[index]
            return None
        west, south, east, north = (float(view[k]) for k in ("west", "south", "east", "north"))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    if not (west < east and south < north):
        return None
    if gcj02:
        west, south = gcj02_to_wgs84(west, south)
        east, north = gcj02_to_wgs84(east, north)
    return west, south, east, north
