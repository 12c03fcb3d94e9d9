"""Print maps: the same layers and styles as the web map, drawn with matplotlib in a projected
CRS (EPSG:4547, CGCS2000 / 3-degree Gauss-Kruger CM 114E) so the scale bar is true.

`draw_map` draws one map into an Axes; `export_map` makes a whole page (title, map, legend,
scale bar, north arrow, source line) and saves it as PNG, SVG or PDF. The figure API is used
directly (no pyplot), so the app can render in a worker thread.
"""
from __future__ import annotations

import io
import math
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import matplotlib
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import GAUSS_KRUGER_114E, project
from geo.data.kinds import label_rank
from geo.data.model import CheckedLayout
from geo.files import write_atomic
from geo.fonts import chinese_font
from geo.i18n import Lang, catalogue, name, t
from geo.maps.print_block import draw_title_block
from geo.maps.print_labels import place_area_name, place_labels, symbol_boxes
from geo.maps.text_layout import wrap
from layers import MapLayer, Style
from layers.districts import FOCUS
from layers.districts import KEY as DISTRICTS

PAPERS_MM = {"A4": (297, 210), "A3": (420, 297)}  # landscape width, height
FORMATS = ("png", "svg", "pdf")
LABEL_EMS = 12  # the widest line of a wrapped (English) label
LEGEND_EMS = 15  # a legend entry's widest line, beside its symbol in the narrow legend column


@dataclass(frozen=True)
class Page:
    paper: str = "A4"
    orientation: str = "landscape"  # or "portrait"

    @property
    def size_in(self) -> tuple[float, float]:
        w, h = PAPERS_MM[self.paper]
        if self.orientation == "portrait":
            w, h = h, w
        return w / 25.4, h / 25.4


def setup_fonts(checked: CheckedLayout, extra_text: str = "") -> None:
    """Chinese text from the project's own font, kept as text in PDF (Type 42). The font covers
    every character of the data (entries, documents' titles in the title block, units in the
    sheets) and of `extra_text` (a title), so every page uses one font."""
    records = [*checked.entries.values(), *checked.documents.values(), *checked.units.values()]
    text = extra_text + string.printable + "".join(d.name_zh + d.name_en for d in checked.districts) + "".join(
        _strings(r.model_dump()) for r in records) + _strings(catalogue())
    matplotlib.rcParams.update({
        "font.family": [chinese_font("".join(sorted(set(text))))], "pdf.fonttype": 42, "ps.fonttype": 42,
        "svg.fonttype": "path", "axes.unicode_minus": False,
        "text.parse_math": False,  # data text is drawn literally: "$a$" is not a formula
        "lines.scale_dashes": False,  # dash lengths in points, as on the web map
    })


def _strings(value: object) -> str:
    """Every string inside a record, so the font covers whatever a page may print."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(_strings(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return "".join(_strings(v) for v in value)
    return ""


def _mpl_path(geom: BaseGeometry) -> MplPath:
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in (poly.exterior, *poly.interiors):
            coords = list(ring.coords)
            verts += coords
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(verts, codes)


def _linestyle(style: Style) -> Literal["solid"] | tuple[float, tuple[float, ...]]:
    return (0, style.dash) if style.dash else "solid"


def draw_geometry(ax: Axes, geom: BaseGeometry, style: Style, gid: str | None = None) -> None:
    """One item in projected coordinates, in its layer's style; `gid` names what was drawn
    (layer:id), so a page can be checked for what is on it."""
    if geom.is_empty:
        return
    if isinstance(geom, Point):
        ax.plot(geom.x, geom.y, marker=style.marker, markersize=style.radius * 1.3,
                markerfacecolor=style.fill, markeredgecolor=style.color, gid=gid,
                markeredgewidth=style.weight * 0.6, alpha=1, zorder=10 + style.z, linestyle="none")
    elif geom.geom_type in ("LineString", "MultiLineString"):
        for line in getattr(geom, "geoms", [geom]):
            x, y = line.xy
            ax.plot(x, y, color=style.color, linewidth=style.weight * 0.6, gid=gid,
                    linestyle=_linestyle(style), zorder=5 + style.z, solid_capstyle="round")
    else:
        face = "none" if style.fill == "none" else matplotlib.colors.to_rgba(style.fill, style.fill_opacity)
        # add_artist, not add_patch: the map's extent is set before drawing, and add_patch would
        # walk every curve of a district's outline to widen data limits no one reads (~0.1 s a page).
        ax.add_artist(PathPatch(_mpl_path(geom), facecolor=face, edgecolor=style.color, gid=gid,
                                linewidth=style.weight * 0.6, linestyle=_linestyle(style),
                                zorder=1 + style.z))


def _to_print_crs(geom: BaseGeometry) -> BaseGeometry:
    return project(geom, GAUSS_KRUGER_114E)


# The city map magnifies the crowded centre (these districts) in a second map beside it, and
# outlines it on the city map (an outline no legend lists).
INSET_DISTRICTS = ("荔湾区", "越秀区", "海珠区", "天河区")
INSET_FRAME = Style("print.inset", "#333", weight=1.2, dash=(3, 2))


SPREAD_PT = 13.0  # how far from their place the symbols of platforms at one place are set


def _spread_on_page(ax: Axes, layers: list[MapLayer]) -> list[MapLayer]:
    """Symbols at one place (platforms at their host) set on a ring SPREAD_PT around it on the
    page, whatever the scale, so that they hide neither each other nor the place's own symbol."""
    ax.apply_aspect()
    width_pt = ax.get_window_extent().width / ax.figure.dpi * 72
    step = (ax.get_xlim()[1] - ax.get_xlim()[0]) / width_pt * SPREAD_PT
    groups: dict[tuple[float, float], list[str]] = defaultdict(list)
    for layer in layers:
        for item in layer.items:
            if isinstance(item.anchor, Point) and isinstance(item.geometry, Point):
                groups[(round(item.anchor.x, 1), round(item.anchor.y, 1))].append(item.id)
    out = []
    for layer in layers:
        items = []
        for item in layer.items:
            if isinstance(item.anchor, Point) and isinstance(item.geometry, Point):
                ring = groups[(round(item.anchor.x, 1), round(item.anchor.y, 1))]
                a = math.pi / 2 + 2 * math.pi * ring.index(item.id) / len(ring)
                item = replace(item, geometry=Point(item.anchor.x + step * math.cos(a),
                                                    item.anchor.y + step * math.sin(a)))
            items.append(item)
        out.append(replace(layer, items=tuple(items)))
    return out


def fit_to_axes(ax: Axes, extent: BaseGeometry) -> BaseGeometry:
    """The extent's bounding box widened (or heightened) about its centre to the axes' shape, so
    that the map fills its whole box on the page."""
    minx, miny, maxx, maxy = extent.bounds
    box = ax.get_position()
    page = ax.figure.bbox
    aspect = box.width * page.width / (box.height * page.height)
    w, h = maxx - minx, maxy - miny
    w, h = max(w, h * aspect), max(h, w / aspect)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _frame(ax: Axes, layers: list[MapLayer], extent: BaseGeometry,
           focus: BaseGeometry | None = None) -> list[MapLayer]:
    """Fit the axes to the extent (already of the axes' shape) and draw every item in projected
    coordinates; returns the layers as drawn (with symbols that share a place spread on the page)."""
    minx, miny, maxx, maxy = extent.bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#eef3f7")
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    layers = _spread_on_page(ax, layers)
    for layer in layers:
        for item in layer.items:
            draw_geometry(ax, item.geometry, item.style, f"{layer.key}:{item.id}")
    if focus is not None:
        draw_geometry(ax, focus, FOCUS)
    return layers


def _labels(layers: list[MapLayer], inside: BaseGeometry,
            outside: BaseGeometry | None = None) -> list[tuple[str, float, float]]:
    """Labels for points in view, in the registry's label order (geo.data.kinds.label_rank:
    poles and nodes first, so they keep theirs when space runs out); a node and the park it
    stands on share one label."""
    seen, out = set(), []
    ranked = [(rank, i) for layer in layers for i in layer.items
              if i.entry is not None and (rank := label_rank(i.entry)) is not None]
    for _, item in sorted(ranked, key=lambda r: r[0]):
        g = item.geometry
        if (isinstance(g, Point) and inside.contains(g) and item.label not in seen
                and (outside is None or not outside.contains(g))):
            seen.add(item.label)
            # English names run long: two or three short lines take less room than one.
            text = "\n".join(wrap(item.label, LABEL_EMS)) if item.label.isascii() else item.label
            out.append((text, g.x, g.y))
    return out


# Where a map's scale bar may stand (along its bottom) and its north arrow (along its top), in
# order of preference: the first corner where it covers no symbol. Each corner's box: a share of
# the map's width and height plus points.
SCALE_CORNERS = ("lower left", "lower right")
NORTH_CORNERS = ("upper right", "upper left")
SCALE_BOX = (0.25, 14.0, 0.0, 30.0)  # width share, width pt, height share, height pt
NORTH_BOX = (0.045, 12.0, 0.14, 0.0)


def _corner_box(ax: Axes, corner: str, size: tuple[float, float, float, float]) -> Bbox:
    f, px = ax.get_window_extent(), ax.figure.dpi / 72
    w, h = f.width * size[0] + size[1] * px, f.height * size[2] + size[3] * px
    return Bbox.from_bounds(f.x0 if corner.endswith("left") else f.x1 - w,
                            f.y0 if corner.startswith("lower") else f.y1 - h, w, h)


def _free_corner(ax: Axes, corners: tuple[str, ...], size: tuple[float, float, float, float],
                 symbols: list[Bbox]) -> str:
    """The first of `corners` whose box covers none of the `symbols` drawn in `ax`, else the one
    that covers fewest (a 越秀区 or 增城区 page had symbols under a scale bar kept at lower left)."""
    return min(corners, key=lambda c: sum(_corner_box(ax, c, size).overlaps(s) for s in symbols))


def _name_map(ax: Axes, layers: list[MapLayer], labels: list[tuple[str, float, float]],
              areas: list[tuple[str, BaseGeometry, bool]], *, taken: list[Bbox]) -> int:
    """Place the points' labels, then the districts' names (text, area, whether it must be on
    the page), all clear of what is `taken` (the symbols, the scale bar's and north arrow's
    corners) and of each other; returns the names left off."""
    skipped = place_labels(ax, labels, taken)
    for text, area, required in areas:
        if place_area_name(ax, text, area, taken, gid=f"district-name:{text}") is None and required:
            skipped += 1
    return skipped


@dataclass(frozen=True)
class Drawn:
    skipped: int  # labels left off for lack of room
    styles: frozenset[Style]  # the styles of the items on the page: what the legend lists
    scale_at: str  # the corner kept for the scale bar (one of SCALE_CORNERS)
    north_at: str  # the corner kept for the north arrow (one of NORTH_CORNERS)


def draw_map(fig: Figure, ax: Axes, checked: CheckedLayout, layers: list[MapLayer],
             district: str | None = None, inset: Axes | None = None, *, lang: Lang,
             view: tuple[float, float, float, float] | None = None) -> Drawn:
    """Draw the layers (built in `lang`); zoom to `view` (WGS84 lon/lat bounds: what a browser
    showed), else to `district` (outlined) or the whole city, whose crowded centre is magnified
    in `inset` when given. The map fills its axes: the extent is widened to the axes' shape.

    Names: every labelled point's, and every district's, clear of all symbols. With the inset,
    the four central districts are named there, not on the city map, where their dashed frame
    points to it (there is no room between their markers at city scale)."""
    layers = [layer.with_geometry(_to_print_crs) for layer in layers]
    projected = {d.name_zh: project(d.geometry, GAUSS_KRUGER_114E) for d in checked.districts}
    focus = projected.get(district) if district else None
    if view is not None:
        extent = fit_to_axes(ax, _to_print_crs(shapely.box(*view)))
    else:
        shown = focus if focus is not None else shapely.union_all(list(projected.values()))
        extent = fit_to_axes(ax, shown.buffer(shown.length / 60))  # a margin that scales with the area shown
    layers = _frame(ax, layers, extent, focus)
    styles = frozenset(i.style for layer in layers for i in layer.items if i.geometry.intersects(extent))
    centre = None
    if inset is not None and focus is None and view is None and all(n in projected for n in INSET_DISTRICTS):
        centre = fit_to_axes(inset, shapely.union_all([projected[n] for n in INSET_DISTRICTS]).buffer(1500))
        _frame(inset, layers, centre)
        for spine in inset.spines.values():
            spine.set_linewidth(1.0)
        # Above the frame: no label inside it can touch the title.
        inset.set_title(t("print.inset", lang), fontsize=7, loc="right", pad=3)
        draw_geometry(ax, centre, INSET_FRAME)
    fig.canvas.draw()
    symbols = symbol_boxes(ax)
    scale_at = _free_corner(ax, SCALE_CORNERS, SCALE_BOX, symbols)
    north_at = _free_corner(ax, NORTH_CORNERS, NORTH_BOX, symbols)
    named = any(layer.key == DISTRICTS for layer in layers)
    required = [] if view is not None else [district] if district else list(projected)
    central = INSET_DISTRICTS if centre is not None else ()

    def areas(names: Iterable[str]) -> list[tuple[str, BaseGeometry, bool]]:
        return [(name(d, lang), projected[d.name_zh], d.name_zh in required)
                for d in checked.districts if named and d.name_zh in names]
    skipped = _name_map(ax, layers, _labels(layers, extent, centre), areas(set(projected) - set(central)),
                        taken=symbols + [_corner_box(ax, scale_at, SCALE_BOX), _corner_box(ax, north_at, NORTH_BOX)])
    if inset is not None and centre is not None:
        inset_symbols = symbol_boxes(inset)
        inset_scale_at = _free_corner(inset, SCALE_CORNERS, SCALE_BOX, inset_symbols)
        inset.add_artist(ScaleBar(1, "m", location=inset_scale_at, length_fraction=0.25, box_alpha=0.8,
                                  font_properties={"size": 6}, scale_loc="top"))
        skipped += _name_map(inset, layers, _labels(layers, centre), areas(central),
                             taken=inset_symbols + [_corner_box(inset, inset_scale_at, SCALE_BOX)])
    return Drawn(skipped, styles, scale_at, north_at)


def legend_handles(layers: list[MapLayer], shown: frozenset[Style] | None = None, *, lang: Lang) -> list[tuple[Artist, str]]:
    """Legend entries, in layer order; with `shown`, only the styles that are on the page."""
    handles: list[tuple[Artist, str]] = []
    for layer in layers:
        for s in layer.legend:
            h: Artist
            if shown is not None and s not in shown:
                continue
            if s.radius:
                h = Line2D([], [], marker=s.marker, linestyle="none", markersize=s.radius * 1.3,
                           markerfacecolor=s.fill, markeredgecolor=s.color, markeredgewidth=s.weight * 0.6)
            elif s.fill == "none":
                h = Line2D([], [], color=s.color, linewidth=s.weight * 0.6, linestyle=_linestyle(s))
            else:
                h = Patch(facecolor=matplotlib.colors.to_rgba(s.fill, max(s.fill_opacity, 0.5)),
                          edgecolor=s.color, linestyle=_linestyle(s), linewidth=0.6)
            handles.append((h, "\n".join(wrap(s.label(lang), LEGEND_EMS))))
    return handles


def north_arrow(ax: Axes, corner: str, *, lang: Lang) -> None:
    """Grid north of EPSG:4547 (in Guangzhou within 0.4° of true north), in an upper corner."""
    x = 0.955 if corner.endswith("right") else 0.045
    ax.annotate("", xy=(x, 0.955), xytext=(x, 0.87), xycoords="axes fraction",
                arrowprops=dict(facecolor="black", edgecolor="black", width=4, headwidth=11, headlength=11),
                zorder=40, gid="north-arrow")
    ax.text(x, 0.965, t("print.north", lang), transform=ax.transAxes, ha="center", va="bottom", fontsize=8,
            zorder=40, gid="north-arrow")


def decorate(fig: Figure, ax: Axes, layers: list[MapLayer], legend_ax: Axes | None, drawn: Drawn,
             city: bool, ncol: int = 1, *, lang: Lang) -> None:
    """Scale bar, north arrow, and a legend of what is on the page; the city page also counts
    the platforms no plan places."""
    ax.add_artist(ScaleBar(1, "m", location=drawn.scale_at, length_fraction=0.2, box_alpha=0.8,
                           font_properties={"size": 7}, scale_loc="top"))
    north_arrow(ax, drawn.north_at, lang=lang)
    handles = legend_handles(layers, drawn.styles, lang=lang)
    notes = [layer.note for layer in layers if layer.note]  # e.g. a document that does not describe the axis
    notes += [t(f"print.unplaced.{layer.key}", lang, n=len(layer.unplaced))
              for layer in layers if layer.unplaced and city]
    if drawn.skipped:
        notes.append(t("print.skipped", lang, n=drawn.skipped))
    target = legend_ax or ax
    leg = target.legend([h for h, _ in handles], [t for _, t in handles], loc="upper left",
                        fontsize=7, title=t("web.legend", lang), title_fontsize=8, frameon=True, borderaxespad=0.2,
                        handlelength=2.2, ncol=ncol)
    leg.set_zorder(50)
    if notes and legend_ax is not None:
        box = legend_ax.get_position()
        ems = box.width * fig.get_figwidth() * 72 / 6.5 - 1
        legend_ax.text(0, 0, "\n".join(line for note in notes for line in wrap(note, ems)), fontsize=6.5,
                       va="bottom", ha="left", transform=legend_ax.transAxes, color="#444", linespacing=1.3)


# Page boxes (left, bottom, width, height) in page fractions, by orientation: the map, the
# city's inset, the legend, and the title block across the foot of the page.
BOXES = {
    "landscape": {"city": (0.02, 0.135, 0.43, 0.79), "map": (0.02, 0.135, 0.74, 0.79),
                  "inset": (0.46, 0.21, 0.35, 0.64), "legend": (0.82, 0.135, 0.17, 0.79),
                  "legend_map": (0.77, 0.135, 0.21, 0.79), "block": (0.02, 0.02, 0.96, 0.095)},
    "portrait": {"city": (0.04, 0.40, 0.55, 0.51), "map": (0.04, 0.40, 0.92, 0.51),
                 "inset": (0.61, 0.52, 0.36, 0.37), "legend": (0.04, 0.145, 0.92, 0.24),
                 "legend_map": (0.04, 0.145, 0.92, 0.24), "block": (0.04, 0.035, 0.92, 0.095)},
}


def map_figure(checked: CheckedLayout, layers: list[MapLayer], district: str | None, title: str,
               page: Page = Page(), *, lang: Lang, view: tuple[float, float, float, float] | None = None) -> Figure:
    """A full page: title, map (of `view`, WGS84 bounds, when given), legend beside (landscape)
    or below (portrait), title block."""
    setup_fonts(checked, title)
    fig = Figure(figsize=page.size_in)
    FigureCanvasAgg(fig)  # label placement measures text with a real renderer
    fig.text(0.5, 0.965, title, ha="center", va="top", fontsize=16)
    city = district is None and view is None  # the whole city: with the inset and the unplaced counts
    boxes = BOXES[page.orientation]
    ax = fig.add_axes(boxes["city" if city else "map"])
    inset = fig.add_axes(boxes["inset"]) if city else None
    legend_ax = fig.add_axes(boxes["legend" if city else "legend_map"])
    legend_ax.axis("off")
    drawn = draw_map(fig, ax, checked, layers, district, inset, lang=lang, view=view)
    decorate(fig, ax, layers, legend_ax, drawn, city, ncol=1 if page.orientation == "landscape" else 3, lang=lang)
    draw_title_block(fig, boxes["block"], checked, title, lang=lang)
    return fig


SVG_FONTS = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


def save(fig: Figure, fmt: str, dpi: int = 300, *, svg_text: bool = True) -> bytes:
    """The page as bytes. An SVG keeps its text as text (`svg_text`), so a planner can edit the
    labels, set in Noto Sans CJK SC (the family the print font is made from) or a system CJK font;
    without it, every glyph is an outline and the file looks the same everywhere."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none" if svg_text else "path"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Title": fig.texts[0].get_text()} if fmt == "pdf" else None)
    data = buf.getvalue()
    if fmt == "svg" and svg_text:
        # The subset's own family name (geo.fonts) exists only on this machine: name the font it is cut from.
        family = matplotlib.rcParams["font.family"][0]
        data = data.replace(f"font-family: '{family}'".encode(), f"font-family: {SVG_FONTS}".encode())
    return data


def export_map(checked: CheckedLayout, layers: list[MapLayer], out: Path | None, fmt: str,
               district: str | None = None, title: str | None = None, dpi: int = 300,
               page: Page = Page(), *, lang: Lang, view: tuple[float, float, float, float] | None = None,
               svg_text: bool = True) -> bytes:
    """A page of `layers` (built in `lang`) as PNG, SVG or PDF, written to `out` when given; of
    `view` (WGS84 lon/lat bounds) when given, else of `district` or the city."""
    title = title or default_title(checked, district, lang=lang)
    data = save(map_figure(checked, layers, district, title, page, lang=lang, view=view), fmt, dpi, svg_text=svg_text)
    if out is not None:
        write_atomic(Path(out), data)
    return data


def default_title(checked: CheckedLayout, district: str | None, *, lang: Lang) -> str:
    where = checked.district_name(district, lang) if district else t("print.city", lang)
    return t("print.title", lang, where=where)
