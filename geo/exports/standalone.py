"""A standalone HTML map: one file with every script, style and datum it needs inlined, which
opens from disk with no network (for colleagues who cannot reach the app)."""
from __future__ import annotations

import re

from geo.data.model import CheckedLayout
from geo.i18n import Lang, t
from geo.maps import assets
from geo.maps.view import CITY, view_of
from geo.maps.webmap import build_map, highlight_group
from geo.safe import html_text
from layers import build_layers


def _inline_script(url: str) -> str:
    code = assets.local_file(url).read_text(encoding="utf-8")
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def _inline_style(url: str) -> str:
    return "<style>" + assets.local_file(url).read_text(encoding="utf-8") + "</style>"


def standalone_html(checked: CheckedLayout, district: str | None = None, *, lang: Lang) -> str:
    """The web map of every layer in `lang` (zoomed to `district` if given), with no external asset."""
    view = view_of(checked, district or CITY)
    m = build_map(checked, build_layers(checked, lang=lang), "none", (view.center, view.zoom), f"file|{district}",
                  lang=lang)
    if view.highlight is not None:
        highlight_group(view.highlight).add_to(m)
    html = m.get_root().render()
    html = re.sub(r'<script src="([^"]+)"></script>', lambda g: _inline_script(g[1]), html)
    html = re.sub(r'<link rel="stylesheet" href="([^"]+)"\s*/?>', lambda g: _inline_style(g[1]), html)
    heading = (t("sheet.map_title", lang, district=checked.district_name(district, lang)) if district
               else t("app.title", lang))
    html = html.replace("<html>", f'<html lang="{"en" if lang == "en" else "zh-CN"}">', 1)
    return html.replace("<head>", f"<head><title>{html_text(heading)}</title>", 1)
