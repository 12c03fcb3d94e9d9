"""Base layer: the 11 districts, coloured by the plan's 多点 groups."""
from __future__ import annotations

from geo.data.districts import District
from geo.data.model import CheckedLayout
from geo.i18n import Lang, group_name, name, t
from layers.base import MapItem, MapLayer, Style

KEY = "districts"
GROUP_STYLES = {group: Style(f"legend.districts.{group}", "#6b6b6b", fill, 0.55, 0.8, z=0)
                for group, fill in (("中部", "#f3e3c3"), ("东部北部", "#dbe9d0"), ("南部", "#cfe3ef"))}
FOCUS = Style("legend.districts.focus", "#c0392b", "none", 0.0, 3.0, z=1)


def item_id(district: District) -> str:
    """The district's item id on the map (the web map highlights a district by it)."""
    return f"district-{district.adcode}"


def build(checked: CheckedLayout, lang: Lang) -> MapLayer:
    items = tuple(
        MapItem(item_id(d), d.geometry, GROUP_STYLES[d.group], name(d, lang),
                kind_label=f"{t('kind.district', lang)} · {group_name(d.group, lang)}")
        for d in checked.districts
    )
    return MapLayer(KEY, t(f"layer.title.{KEY}", lang), items, legend=tuple(GROUP_STYLES.values()),
                    css_class="gz-district")
