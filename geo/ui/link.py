"""What a shared link says: the page, district, layers, basemap, language, document, platform
reading, selected place and view, as URL query parameters. Plain functions, tested without Streamlit.

A value that is empty, too long, holds markup, or names nothing known is ignored, and the user
is told so in a short notice (which the app shows as text, never as HTML or a link). Notices are
bounded: a parameter is quoted as at most NOTICE_CHARS characters of its name and of its value,
and at most MAX_NOTICES parameters are named, then one notice counts the rest.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from geo.data.kinds import PLATFORM_SYSTEM
from geo.data.model import CheckedLayout
from geo.i18n import LANGS, Lang, t
from geo.maps.basemaps import BASEMAPS
from geo.safe import shorten

MAX_LEN = 200
MAX_NOTICES = 5  # parameters named in notices; the rest are counted in one more
NOTICE_CHARS = 40  # of a parameter's name, and of its value, quoted in a notice
PAGES = ("map", "sheet")  # titles: app.page.<page>


@dataclass(frozen=True)
class Link:
    page: str = "map"
    district: str | None = None  # name_zh
    layers: tuple[str, ...] | None = None  # None: all
    basemap: str = "none"
    lang: Lang = "zh"
    doc: str | None = None
    system: str | None = None
    place: str | None = None  # entry id
    view: tuple[float, float, float] | None = None  # lat, lon, zoom
    notices: tuple[str, ...] = field(default=(), compare=False)  # plain text, bounded
    ignored: tuple[str, ...] = field(default=(), compare=False)  # the parameters they quote: `name=value`
    more_ignored: int = field(default=0, compare=False)  # ignored beyond those


def _view(text: str) -> tuple[float, float, float] | None:
    try:
        lat, lon, zoom = (float(x) for x in text.split(","))
    except ValueError:
        return None
    ok = all(math.isfinite(v) for v in (lat, lon, zoom)) and 22 <= lat <= 24.5 and 112 <= lon <= 115 and 5 <= zoom <= 18
    return (lat, lon, zoom) if ok else None


def parse_link(params: dict[str, str], checked: CheckedLayout, layer_keys: list[str],
               basemap_keys: list[str] | None = None) -> Link:
    """The state a link asks for; whatever cannot be used is left at its default, with a notice."""
    link = Link()  # each usable parameter sets its field
    used: set[str] = set()  # the parameters taken
    ignored: list[str] = []
    lang = params.get("lang", "").strip()
    lang = lang if lang in LANGS else "zh"  # the notices speak the link's language

    def bad(name: str, value: str) -> None:
        ignored.append(f"{shorten(name, NOTICE_CHARS)}={shorten(value, NOTICE_CHARS)}")

    for name, raw in params.items():
        value = raw.strip()
        if not value or len(value) > MAX_LEN or any(c in value for c in "<>\"'`{}"):
            bad(name, raw)
            continue
        if name == "page" and value in PAGES:
            link = replace(link, page=value)
        elif name == "district" and (d := checked.district(value)) is not None:
            link = replace(link, district=d.name_zh)
        elif name == "layers" and set(value.split(",")) <= set(layer_keys):
            link = replace(link, layers=tuple(k for k in layer_keys if k in value.split(",")))
        elif name == "basemap" and value in (basemap_keys or BASEMAPS):
            link = replace(link, basemap=value)
        elif name == "lang" and value in LANGS:
            link = replace(link, lang=value)
        elif name == "doc" and len(docs := [d for d in checked.documents if d.startswith(value)]) == 1:
            link = replace(link, doc=docs[0])
        elif name == "system" and getattr(checked.entries.get(value), "kind", None) == PLATFORM_SYSTEM:
            link = replace(link, system=value)
        elif name == "place" and value in checked.entries and value in checked.points:
            link = replace(link, place=value)
        elif name == "view" and (v := _view(value)) is not None:
            link = replace(link, view=v)
        else:
            bad(name, raw)
            continue
        used.add(name)
    if "district" in used and "page" not in used:
        link = replace(link, page="sheet")  # ?district=南沙区 opens that district's sheet
    shown, more = ignored[:MAX_NOTICES], max(0, len(ignored) - MAX_NOTICES)
    notices = [t("link.ignored", lang, param=p) for p in shown]
    if more:
        notices.append(t("link.more_ignored", lang, n=more))
    return replace(link, notices=tuple(notices), ignored=tuple(shown), more_ignored=more)


def link_params(link: Link, layer_keys: list[str]) -> dict[str, str]:
    """The query parameters for a state: only what differs from the defaults."""
    out = {}
    if link.page != "map" or link.district:  # with a district, say which page: a bare one opens the sheet
        out["page"] = link.page
    if link.district:
        out["district"] = link.district
    if (layers := layers_param(link.layers, layer_keys)) is not None:
        out["layers"] = layers
    if link.basemap != "none":
        out["basemap"] = link.basemap
    if link.lang != "zh":
        out["lang"] = link.lang
    if link.doc:
        out["doc"] = link.doc[:3]
    if link.system:
        out["system"] = link.system
    if link.place:
        out["place"] = link.place
    return out


def kept_view(value: str | None) -> str | None:
    """A `view` parameter as the URL keeps it when written again: a usable one as it is; one that
    was dropped (its notice said so) leaves the URL, so a reload or a copy does not carry it on."""
    return value if value is not None and _view(value.strip()) is not None else None


def layers_param(layers: tuple[str, ...] | None, layer_keys: list[str]) -> str | None:
    """The `layers` parameter for the layers shown; None when all are (the default)."""
    return None if layers is None or list(layers) == layer_keys else ",".join(layers)
