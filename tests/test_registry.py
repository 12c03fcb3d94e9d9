"""A kind is declared once (issues 9, 19): adding one through the registry, a model, a data file
and a layer module is enough for search, the district table, both renderers and the GeoPackage;
what the registry says of a kind (its layer, table order, label priority, legend label) is what
every view does, and no code outside the registry names a kind."""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Literal

import pyogrio
import pytest
import yaml
from matplotlib.text import Annotation

from geo.data.kinds import CORE_AREA, KINDS, Kind, kinds_of_layer
from geo.data.records import Place
from geo.data.validate import load_checked
from geo.exports.district_sheet import district_sheet
from geo.exports.export_data import export
from geo.i18n import catalogue, name, t
from geo.maps.static_map import map_figure
from geo.search import search
from layers import MODULES, MapItem, MapLayer, Style, build_layers
from tests.mapdocs import layout, members, popups

ROOT = Path(__file__).resolve().parents[1]


class Observatory(Place):
    kind: Literal["observatory"] = "observatory"


STYLE = Style("legend.observatories.station", "#000000", "#ffffff", 1.0, 1.0, radius=6)


class ObservatoryLayer:
    """The layer module a drawn kind brings along (as layers/<name>.py would be): like every
    layer, it draws the kinds the registry gives it."""

    KEY = "observatories"

    @staticmethod
    def build(checked, lang) -> MapLayer:
        items = tuple(MapItem(e.id, checked.geometries[e.id], STYLE, name(e, lang), e, name(kind, lang))
                      for kind in kinds_of_layer(ObservatoryLayer.KEY) for e in checked.of_kind(kind.key))
        return MapLayer(ObservatoryLayer.KEY, t("layer.title.observatories", lang), items, legend=(STYLE,),
                        css_class="gz-observatory")


def add_observatory(data: Path, monkeypatch, *, table_order: int = 99, label_priority: int = 9) -> None:
    """The throwaway kind: its data file, registry row, layer module and catalogue texts."""
    (data / "observatories.yaml").write_text(yaml.safe_dump([{
        "id": "obs-maofeng", "name_zh": "帽峰山观测站", "name_en": "Maofeng Observatory", "name_en_basis": "translation",
        "role_zh": "测试用的临时类别", "district": "白云区",
        "location": {"lon": 113.47, "lat": 23.30, "precision_m": 500, "method": "test fixture"},
        "sources": [{"doc": "001_c53a813f44610f0f.txt", "section": "三", "quote": "一轴"}],
    }], allow_unicode=True), encoding="utf-8")
    monkeypatch.setitem(KINDS, "observatory", Kind(
        "observatory", Observatory, "observatories.yaml", None, "观测站", "Observatory", "point",
        layer="observatories", searchable=True, table_order=table_order, label_priority=label_priority))
    monkeypatch.setitem(MODULES, "observatories", ObservatoryLayer)
    monkeypatch.setitem(catalogue(), "layer.title.observatories", {"zh": "观测站", "en": "Observatories"})
    monkeypatch.setitem(catalogue(), "legend.observatories.station", {"zh": "观测站（测试图例）",
                                                                       "en": "Observatory (test legend)"})


def test_a_kind_added_through_the_registry_appears_everywhere(data_copy: Path, tmp_path: Path, monkeypatch):
    add_observatory(data_copy, monkeypatch)
    checked = load_checked(data_copy)
    assert [h.entry.id for h in search(checked, "帽峰山")] == ["obs-maofeng"]
    rows = district_sheet(checked, "白云区", lang="zh").rows
    assert [r.name for r in rows if "obs-maofeng" in r.ids] == ["帽峰山观测站"]
    layers = build_layers(checked, lang="zh")
    drawn = [m for m in members(layout(checked)) if m["id"] == "obs-maofeng"]
    assert [html.unescape(m["label"]) for m in drawn] == ["帽峰山观测站"]  # a marker member of its own
    assert "帽峰山观测站" in html.unescape(popups(checked)["obs-maofeng"])
    fig = map_figure(checked, layers, "白云区", "白云区", lang="zh")
    assert "observatories:obs-maofeng" in {a.get_gid() for a in fig.findobj() if a.get_gid()}
    assert "帽峰山观测站" in {t.get_text() for t in fig.texts + [c for ax in fig.axes for c in ax.texts]}
    export(checked, "gpkg", tmp_path / "layout.gpkg")
    layers_in_file = dict(pyogrio.list_layers(tmp_path / "layout.gpkg"))
    assert "observatory" in layers_in_file
    assert list(pyogrio.read_dataframe(tmp_path / "layout.gpkg", layer="observatory")["id"]) == ["obs-maofeng"]


def web_labels(checked, lang: str = "zh") -> list[str]:
    """The web map's labels in the order gzmap.js places them: the first member of each place that
    has a priority, and the district names, by priority (lists compared item by item)."""
    data = layout(checked, lang=lang)
    labels = [(p["members"][0]["priority"], p["members"][0]["id"]) for p in data["places"]
              if "priority" in p["members"][0]]
    labels += [(d["priority"], "district") for d in data["districts"]]
    return [label for _, label in sorted(labels, key=lambda x: x[0])]


def print_labels(checked) -> list[str]:
    """The print map's labels of 白云区, in the order they were placed."""
    fig = map_figure(checked, build_layers(checked, lang="zh"), "白云区", "白云区", lang="zh")
    return [a.get_text() for a in fig.axes[0].texts if isinstance(a, Annotation)]


def legend_texts(checked, lang: str) -> tuple[str, str]:
    """The web map's legend (all layers' parts) and the print map's legend, as text."""
    web = " ".join(html.unescape(part["legend"]) for part in layout(checked, lang=lang)["layers"])
    fig = map_figure(checked, build_layers(checked, lang=lang), "白云区", "白云区", lang=lang)
    printed = " ".join(t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts())
    return web, printed


@pytest.mark.parametrize("first", [True, False])
def test_a_kinds_table_order_label_priority_and_legend_label_take_effect(data_copy: Path, monkeypatch, first: bool):
    # First: before every kind of the registry (and the district names); else after all of them.
    add_observatory(data_copy, monkeypatch, table_order=-10 if first else 99, label_priority=-10 if first else 99)
    checked = load_checked(data_copy)

    groups = list(district_sheet(checked, "白云区", lang="zh").counts())
    kind_groups = [g for g in groups if g in KINDS or g.split("-")[0] in KINDS]
    assert "observatory" in groups
    assert (groups[0] == "observatory") if first else (kind_groups[-1] == "observatory"), groups

    web = web_labels(checked)
    # District names come after the registry's kinds (geo.data.kinds.DISTRICT_LABEL_PRIORITY): before a kind of 99.
    assert (web[0] == "obs-maofeng") if first else (web[-1] == "obs-maofeng" and web[-2] == "district"), web[-3:]

    printed = print_labels(checked)
    assert "帽峰山观测站" in printed
    assert (printed[0] == "帽峰山观测站") if first else (printed[0] != "帽峰山观测站"), printed[:3]

    for lang, label in (("zh", "观测站（测试图例）"), ("en", "Observatory (test legend)")):
        web_legend, print_legend = legend_texts(checked, lang)
        assert label in web_legend and label in print_legend, lang


def test_a_kind_is_drawn_by_the_layer_the_registry_names(monkeypatch):
    checked = load_checked()
    areas = [e.id for e in checked.of_kind(CORE_AREA)]
    drawn = {i.id for layer in build_layers(checked, lang="zh") for i in layer.items}
    assert areas and set(areas) <= drawn
    monkeypatch.setitem(KINDS, CORE_AREA, Kind(**{**vars(KINDS[CORE_AREA]), "layer": None}))
    drawn = {i.id for layer in build_layers(checked, lang="zh") for i in layer.items}
    assert not set(areas) & drawn  # no layer module picks a kind itself


KIND_LITERAL = re.compile(r"""["'](%s)["']""" % "|".join(map(re.escape, KINDS)))


def test_no_code_outside_the_registry_names_a_kind():
    """Kinds are named in geo/data/kinds.py (and by the records' `kind` literals) only: code asks
    the registry (KINDS, its constants and predicates) instead of spelling a kind."""
    sources = [ROOT / "app.py", *(ROOT / "geo").rglob("*.py"), *(ROOT / "geo").rglob("*.js"),
               *(ROOT / "layers").rglob("*.py")]
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in sources if path.name not in ("kinds.py", "records.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if KIND_LITERAL.search(line) and not line.startswith("KEY = ")]  # a layer's own key
    assert found == []
