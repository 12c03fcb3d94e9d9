"""A kind is declared once (issue 9): adding one through the registry, a model, a data file
and a layer module is enough for search, the district table, both renderers and the GeoPackage."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Literal

import pyogrio
import yaml

from geo.data.kinds import KINDS, Kind
from geo.data.records import Place
from geo.data.validate import load_checked
from geo.exports.district_sheet import district_sheet
from geo.exports.export_data import export
from geo.maps.static_map import map_figure
from geo.maps.webmap import build_map
from geo.search import search
from layers import MODULES, MapItem, MapLayer, Style, build_layers


class Observatory(Place):
    kind: Literal["observatory"] = "observatory"


STYLE = Style("观测站", "Observatory", "#000000", "#ffffff", 1.0, 1.0, radius=6)


class ObservatoryLayer:
    """The layer module a drawn kind brings along (as layers/<name>.py would be)."""

    KEY = "observatories"
    TITLE = {"zh": "观测站", "en": "Observatories"}

    @staticmethod
    def build(checked, lang) -> MapLayer:
        items = [MapItem(e.id, checked.geometries[e.id], STYLE, e.name_zh, e, "观测站")
                 for e in checked.of_kind("observatory")]
        return MapLayer(ObservatoryLayer.KEY, ObservatoryLayer.TITLE[lang], items, [STYLE], "gz-observatory")


def test_a_kind_added_through_the_registry_appears_everywhere(data_copy: Path, tmp_path: Path, monkeypatch):
    (data_copy / "observatories.yaml").write_text(yaml.safe_dump([{
        "id": "obs-maofeng", "name_zh": "帽峰山观测站", "name_en": "Maofeng Observatory", "name_en_basis": "translation",
        "role_zh": "测试用的临时类别", "district": "白云区",
        "location": {"lon": 113.47, "lat": 23.30, "precision_m": 500, "method": "test fixture"},
        "sources": [{"doc": "001_c53a813f44610f0f.txt", "section": "三", "quote": "一轴"}],
    }], allow_unicode=True), encoding="utf-8")
    monkeypatch.setitem(KINDS, "observatory", Kind(
        "observatory", Observatory, "observatories.yaml", None, "观测站", "Observatory", "point",
        layer="observatories", searchable=True, table_order=99, label_priority=9))
    monkeypatch.setitem(MODULES, "observatories", ObservatoryLayer)

    checked = load_checked(data_copy)
    assert [e.id for e in search(checked, "帽峰山")] == ["obs-maofeng"]
    rows = district_sheet(checked, "白云区").rows
    assert [r.name for r in rows if "obs-maofeng" in r.ids] == ["帽峰山观测站"]
    layers = build_layers(checked)
    doc = html.unescape(build_map(checked, layers).get_root().render())
    assert '"id":"obs-maofeng"' in doc and "帽峰山观测站" in doc  # a marker member of its own
    fig = map_figure(checked, layers, "白云区", "白云区")
    assert "observatories:obs-maofeng" in {a.get_gid() for a in fig.findobj() if a.get_gid()}
    assert "帽峰山观测站" in {t.get_text() for t in fig.texts + [c for ax in fig.axes for c in ax.texts]}
    export(checked, "gpkg", tmp_path / "layout.gpkg")
    layers_in_file = dict(pyogrio.list_layers(tmp_path / "layout.gpkg"))
    assert "observatory" in layers_in_file
    assert list(pyogrio.read_dataframe(tmp_path / "layout.gpkg", layer="observatory")["id"]) == ["obs-maofeng"]
