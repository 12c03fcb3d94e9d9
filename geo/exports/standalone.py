"""A standalone HTML map: one file with every script, style and datum it needs inlined, which
opens from disk with no network (for colleagues who cannot reach the app). The same gzmap.js as
the app draws it, from the same layout and popups documents, here inlined."""
from __future__ import annotations

from geo.data.model import CheckedLayout
from geo.i18n import Lang, t
from geo.maps import assets
from geo.maps.basemaps import BASEMAPS
from geo.maps.payload import layout_payload, popups_payload
from geo.maps.view import CITY, view_of
from geo.maps.webmap import map_state, script_literal
from geo.safe import html_text
from layers import build_layers


def _inline(name: str) -> str:
    code = assets.FILES[name].read_text(encoding="utf-8")
    if name.endswith(".css"):
        return "<style>" + code.replace("</style", "<\\/style") + "</style>"
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def standalone_html(checked: CheckedLayout, district: str | None = None, *, lang: Lang) -> str:
    """The web map of every layer in `lang` (zoomed to `district` if given), with no external asset."""
    view = view_of(checked, district or CITY)
    layers = build_layers(checked, lang=lang)
    state = map_state(layout=layout_payload(checked, layers, gcj02=False, lang=lang),
                      popups=popups_payload(checked, layers, lang=lang), assets={"js": [], "css": []},
                      basemap=BASEMAPS["none"], view=(view.center, view.zoom), fit=view.extent,
                      view_token=f"file|{district}",
                      visible=[layer.key for layer in layers], highlight=view.highlight)
    heading = (t("sheet.map_title", lang, district=checked.district_name(district, lang)) if district
               else t("app.title", lang))
    return ("<!DOCTYPE html>\n"
            f'<html class="gz-page" lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html_text(heading)}</title>" + "".join(_inline(name) for name in assets.CSS) +
            "</head>"  # gzmap.css: a gz-page's map fills it, under the title block
            '<body><div id="map"></div>' + "".join(_inline(name) for name in assets.JS) +
            f'<script>GZ.mount(document.getElementById("map"), {script_literal(state)});</script>'
            "</body></html>\n")
