"""What the web map hands the browser, decoded, for the tests that read it without one: the layout
and popups documents (geo.maps.payload) as JSON leaves the server, the map state
(geo.maps.webmap.map_state) and the state the standalone HTML inlines."""
from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from typing import Any

from geo.data.model import CheckedLayout
from geo.i18n import Lang
from geo.maps.basemaps import BASEMAPS, Basemap
from geo.maps.payload import URL_PREFIX, DataKey, Part, digest, document, encode, layout_payload, popups_payload
from geo.maps.view import CITY, view_of
from geo.maps.webmap import Assets, map_state
from layers import build_layers

ASSETS: Assets = {"js": ["/gzmap/static/0123456789abcdef/leaflet.js", "/gzmap/static/0123456789abcdef/gzmap.js"],
          "css": ["/gzmap/static/0123456789abcdef/leaflet.css", "/gzmap/static/0123456789abcdef/gzmap.css"]}


def layout(checked: CheckedLayout, *, lang: Lang = "zh", keys: Collection[str] | None = None,
           gcj02: bool = False) -> dict[str, Any]:
    """The layout document of `keys` (every layer by default), as the browser decodes it."""
    layers = build_layers(checked, keys, lang=lang)
    return json.loads(encode(layout_payload(checked, layers, gcj02=gcj02, lang=lang)))


def popups(checked: CheckedLayout, *, lang: Lang = "zh") -> dict[str, str]:
    """The popups document of every layer, as the browser decodes it."""
    return json.loads(encode(popups_payload(checked, build_layers(checked, lang=lang), lang=lang)))


def members(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every member of every place of a layout document."""
    return [m for place in doc["places"] for m in place["members"]]


def drawn_at(doc: dict[str, Any], entry_id: str) -> tuple[float, float]:
    """Longitude and latitude of the layout document's marker that `entry_id` is a member of."""
    return next((p["lon"], p["lat"]) for p in doc["places"] if any(m["id"] == entry_id for m in p["members"]))


def app_state(checked: CheckedLayout, *, lang: Lang = "zh", basemap: Basemap = BASEMAPS["none"],
              district: str = CITY, reviews: dict[str, str] | None = None) -> dict[str, object]:
    """The map state as the app hands it to its component: the whole data's documents by URL
    (named by their content, as the app's data route serves them), opened on `district`."""
    def url(part: Part) -> str:
        key = DataKey(part=part, lang=lang, gcj02=basemap.gcj02, doc=None, system=None)
        return key.url(digest(document(checked, key)))

    view = view_of(checked, district)
    return map_state(layout=url("layout"), popups=url("popups"), assets=ASSETS,
                     basemap=basemap, view=(view.center, view.zoom), view_token=district,
                     visible=[layer.key for layer in build_layers(checked, lang=lang)], highlight=view.highlight,
                     reviews=reviews)


def served(url: str, checked: CheckedLayout) -> dict[str, Any]:
    """The document a data URL of the app names, made from `checked` as the app's data route
    makes it; fails when the URL names another version (its digest is not this document's)."""
    part, lang, crs, doc, system, name = url.removeprefix(URL_PREFIX + "/").split("/")
    key = DataKey.parse(part=part, lang=lang, crs=crs, doc=doc, system=system)
    body = document(checked.as_read(key.doc, key.system), key)
    assert name == digest(body) + ".json", f"{url} names another version of the document"
    return json.loads(body)


def standalone_state(page: str) -> dict[str, Any]:
    """The map state a standalone HTML page mounts (its layout and popups inlined)."""
    found = re.search(r"GZ\.mount\(document\.getElementById\(\"map\"\), (\{.*?\})\);</script>", page, re.S)
    assert found, "the page mounts no map"
    return json.loads(found.group(1))


def strings(doc: object) -> Iterator[str]:
    """Every text in a decoded JSON document, keys included."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield key
            yield from strings(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from strings(value)
