"""The web map as a Streamlit element, its arguments made once per map: the one module that
borrows streamlit-folium's private helpers.

streamlit_folium's `st_folium` renders the folium map into its component's arguments on every
call (about 110 ms for this map), so a rerun that changes nothing on the map (a layer switch, a
search being typed) pays for it again. Here the arguments are made by the same helpers
`st_folium` uses, the caller caches them, and they go to its component directly. Borrowed, all
private to streamlit-folium (so the import fails unless the installed version is the one
requirements.txt pins): `_get_html`, `_get_header`, `_get_map_string`,
`_get_feature_group_string`, `_component_func`, and the undocumented `get_full_id` and
`generate_js_hash`. tests/test_app_logic.py checks that the arguments match what `st_folium`
itself would send.
"""
from __future__ import annotations

import folium
import streamlit_folium as sf

from geo.crs import gcj02_to_wgs84
from geo.maps.folium_internals import walk
from geo.pins import require_pinned
from geo.review.model import Point

require_pinned("streamlit-folium", user=__file__)


def component_args(m: folium.Map, highlight: folium.FeatureGroup | None = None) -> dict:
    """What `st_folium(m, feature_group_to_add=highlight)` hands its component (in its order:
    the page is rendered before the map's script, which alters the folium tree)."""
    m.get_root().render()
    m.render()
    html, header = sf._get_html(m), sf._get_header(m)
    script = sf._get_map_string(m)
    links = [e for e in walk(m) if isinstance(e, folium.elements.JSCSSMixin)]
    return {
        "script": script, "header": header, "html": html, "id": sf.get_full_id(m),
        "feature_group": None if highlight is None else sf._get_feature_group_string(highlight, map=m, idx=0),
        "css_links": list(dict.fromkeys(href for e in links for _, href in getattr(e, "default_css", []))),
        "js_links": list(dict.fromkeys(src for e in links for _, src in getattr(e, "default_js", []))),
    }


def show(args: dict, *, key: str, height: int, clicks: bool = False, gcj02: bool = False) -> Point | None:
    """The map in the page, full width. By default it returns nothing to the script (a click on
    the map reruns nothing). With `clicks`, the map reports where it was last clicked, as a
    WGS84 Point (converted from GCJ-02 when `gcj02`, the shown basemap's flag: the overlays are
    drawn shifted onto it), or None before any click; each click reruns the script.

    The component keeps returning the last click on every later rerun, until another click or a
    new map (another map script or `key`, e.g. another language or basemap: None again); the
    caller tells a new click from an old one by comparing with the value it had before. A click
    on a marker opens its popup and is not a map click (Leaflet markers keep their clicks from the
    map); a click on a line opens its popup and also counts (paths pass theirs on), as does one on
    a label, an area or a district (they take no clicks). Switching `clicks` mounts the map anew
    (streamlit-folium reads what to report only when a map is first drawn)."""
    reported = ["last_clicked"] if clicks else []
    value = sf._component_func(**args, key=sf.generate_js_hash(args["script"], key + ":clicks" * clicks, False),
                               height=height, width=None, returned_objects=reported,
                               default={k: None for k in reported}, zoom=None, center=None,
                               return_on_hover=False, layer_control=None, pixelated=False, wrap_longitude=False,
                               on_change=None)
    return clicked_point(value, gcj02=gcj02) if clicks else None


def clicked_point(value: dict | None, *, gcj02: bool) -> Point | None:
    """The WGS84 point of the component's `last_clicked` ({lat, lng} in the map's own
    coordinates: GCJ-02 when `gcj02`), or None when there is none."""
    clicked = (value or {}).get("last_clicked")
    if not clicked:
        return None
    lon, lat = float(clicked["lng"]), float(clicked["lat"])
    if gcj02:
        lon, lat = gcj02_to_wgs84(lon, lat)
    return Point(lon=lon, lat=lat)
