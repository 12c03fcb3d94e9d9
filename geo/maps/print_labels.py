"""Where a print map's names go: each point's label beside its symbol (further out, with a leader
line, when the near spots are taken) and each district's name inside its district, both clear of
every symbol, of each other and of the spots a page reserves (scale bar, north arrow).

Everything is measured in the figure's display units (pixels at its dpi) from the artists as
drawn: a text's extent once, then every candidate spot as arithmetic (numpy), so a page with
sixty labels and eleven districts places them in well under a second.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.ops import polylabel
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

LABEL_PT = 6.5
LABEL_SIZES = (LABEL_PT, 5.5, 4.5)  # a label that finds no free spot is tried smaller
AREA_PT = (9.0, 8.0, 7.0, 6.0, 5.0)  # a district's name, smaller where the larger size finds no free spot
RINGS_PT = (6, 10, 15, 22, 30, 40, 52, 66, 82, 100, 120, 142, 170, 200)  # label distance from its point
# Beside, above and below first, then the diagonals, then between them.
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1),
              (1, 0.5), (-1, 0.5), (1, -0.5), (-1, -0.5), (0.5, 1), (-0.5, 1), (0.5, -1), (-0.5, -1))
MARGIN_PX = 1.5  # kept free around each label, so that extents measured later never touch
LABEL_BOX = dict(boxstyle="square,pad=0.1", fc=(1, 1, 1, 0.8), ec="none")
AREA_BOX = dict(boxstyle="round,pad=0.15", fc=(1, 1, 1, 0.65), ec="none")  # a halo kept as real text


def _array(boxes: Sequence[Bbox]) -> np.ndarray:
    return np.array([b.extents for b in boxes], dtype=float).reshape(-1, 4)


def _free(cands: np.ndarray, taken: np.ndarray, frame: Bbox) -> np.ndarray:
    """Which candidate boxes (n×4: x0, y0, x1, y1) lie inside `frame` and touch no taken box."""
    inside = ((cands[:, 0] >= frame.x0) & (cands[:, 1] >= frame.y0)
              & (cands[:, 2] <= frame.x1) & (cands[:, 3] <= frame.y1))
    if not len(taken):
        return inside
    hit = ((cands[:, None, 0] < taken[None, :, 2]) & (cands[:, None, 2] > taken[None, :, 0])
           & (cands[:, None, 1] < taken[None, :, 3]) & (cands[:, None, 3] > taken[None, :, 1]))
    return inside & ~hit.any(axis=1)


def symbol_boxes(ax: Axes) -> list[Bbox]:
    """The extents of the point symbols drawn in `ax` (tagged markers) that stand in its view."""
    frame = ax.get_window_extent()
    out = []
    for line in ax.lines:
        if line.get_gid() and line.get_marker() not in (None, "None", "none", ""):
            box = line.get_window_extent()
            if frame.contains(*box.get_points().mean(axis=0)):
                out.append(box)
    return out


def _size(ax: Axes, text: str, size: float) -> tuple[float, float]:
    probe = ax.text(0, 0, text, fontsize=size, transform=None)
    box = probe.get_window_extent()
    probe.remove()
    return box.width, box.height


def _spot(ax: Axes, text: str, size: float, point: tuple[float, float], taken: list[Bbox],
          frame: Bbox) -> tuple[np.ndarray, tuple[float, float, float]] | None:
    """The nearest free box for `text` at `size` around `point` (display units) and its ring and
    direction, or None."""
    px = ax.figure.dpi / 72
    w, h = _size(ax, text, size)
    w, h = w + 2 * MARGIN_PX, h + 2 * MARGIN_PX
    spots = [(ring, dx, dy) for ring in RINGS_PT for dx, dy in DIRECTIONS]
    offs = np.array([(dx * ring * px, dy * ring * px) for ring, dx, dy in spots])
    dirs = np.array([(dx, dy) for _, dx, dy in spots], dtype=float)
    # The text's anchor: its left edge right of the point, its right edge left of it, centred on 0.
    x0 = point[0] + offs[:, 0] - w * (dirs[:, 0] < 0) - w / 2 * (dirs[:, 0] == 0)
    y0 = point[1] + offs[:, 1] - h * (dirs[:, 1] < 0) - h / 2 * (dirs[:, 1] == 0)
    cands = np.column_stack([x0, y0, x0 + w, y0 + h])
    boxes = _array(taken)
    free = np.flatnonzero(_free(cands, boxes, frame))
    if not len(free):
        return None
    # Nearest first, but a leader line that crosses no name or symbol before one that does, if
    # that spot is not much further out (a long leader is harder to follow than a crossing).
    rings = np.array([spots[i][0] for i in free])
    near = free[rings <= rings[0] * 1.5 + 8]
    clear = near[~_leader_crosses(point, cands[near], boxes)]
    best = clear[0] if len(clear) else free[0]
    return cands[best], spots[best]


def _leader_crosses(point: tuple[float, ...], cands: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """For each candidate box, whether the straight line from `point` to its nearest edge passes
    through a taken box (Liang-Barsky clipping), other than those at the point itself (its own
    symbol). Boxes in display units, n×4."""
    px, py = point
    qx, qy = np.clip(px, cands[:, 0], cands[:, 2]), np.clip(py, cands[:, 1], cands[:, 3])
    dx, dy = (qx - px)[:, None], (qy - py)[:, None]
    t0, t1 = np.zeros((len(cands), len(boxes))), np.ones((len(cands), len(boxes)))
    hit = np.ones_like(t0, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, px - boxes[None, :, 0]), (dx, boxes[None, :, 2] - px),
                     (-dy, py - boxes[None, :, 1]), (dy, boxes[None, :, 3] - py)):
            p, q = np.broadcast_to(p, t0.shape), np.broadcast_to(q, t0.shape)
            hit &= ~((p == 0) & (q < 0))
            ratio = q / p
            t0 = np.where(p < 0, np.maximum(t0, ratio), t0)
            t1 = np.where(p > 0, np.minimum(t1, ratio), t1)
    at_point = ((boxes[:, 0] <= px) & (px <= boxes[:, 2]) & (boxes[:, 1] <= py) & (py <= boxes[:, 3]))[None, :]
    return np.asarray((hit & (t0 < t1) & ~at_point).any(axis=1))


def place_labels(ax: Axes, labels: Sequence[tuple[str, float, float]], taken: list[Bbox]) -> int:
    """Labels (text, x, y in data units) in order, each at the nearest free spot around its point
    (from the second ring on with a leader line), at LABEL_PT or, where none is free, smaller.
    `taken` grows by every label placed; returns how many found no spot and are left off."""
    frame, px = ax.get_window_extent(), ax.figure.dpi / 72
    skipped = 0
    for text, x, y in labels:
        point = tuple(ax.transData.transform((x, y)))
        found = next(((size, hit) for size in LABEL_SIZES
                      if (hit := _spot(ax, text, size, point, taken, frame)) is not None), None)
        if found is None:
            skipped += 1
            continue
        size, (cand, (ring, dx, dy)) = found
        ha = "left" if dx > 0 else "right" if dx < 0 else "center"
        va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
        # The text stands MARGIN_PX inside the box that was found free.
        mx, my = np.sign(dx) * MARGIN_PX / px, np.sign(dy) * MARGIN_PX / px
        ax.annotate(text, (x, y), xytext=(dx * ring + mx, dy * ring + my), textcoords="offset points",
                    ha=ha, va=va, fontsize=size, zorder=30, bbox=LABEL_BOX, gid=f"label:{text}",
                    arrowprops=dict(arrowstyle="-", lw=0.4, color="#555", shrinkA=1, shrinkB=0)
                    if ring > RINGS_PT[0] else None)
        taken.append(Bbox(cand.reshape(2, 2)))
    return skipped


def _display(ax: Axes, geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, ax.transData.transform)


def place_area_name(ax: Axes, text: str, area: BaseGeometry, taken: list[Bbox], *, gid: str) -> Text | None:
    """`text` inside `area` (data units), as near its visual centre as a free spot allows; the
    largest size of AREA_PT that finds one. None when the area has no free spot in view."""
    frame = ax.get_window_extent()
    shown = _display(ax, area).intersection(shapely.box(*frame.extents))
    if shown.is_empty or shown.area == 0:
        return None
    polys = getattr(shown, "geoms", [shown])
    centre = polylabel(max((g for g in polys if g.geom_type == "Polygon"), key=lambda g: g.area), 1.0)
    step = 3.0
    x0, y0, x1, y1 = shown.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    cx, cy = gx.ravel(), gy.ravel()
    order = np.argsort(np.hypot(cx - centre.x, cy - centre.y))
    cx, cy = cx[order], cy[order]
    # Largest first (a larger name that crosses the border reads better than a tiny one inside):
    # on one line then on two (English names), wholly inside the district, then with only its
    # centre inside.
    tries = [(size, variant, strict) for size in AREA_PT for strict in (True, False)
             for variant in dict.fromkeys((text, text.replace(" ", "\n", 1)))]
    for size, variant, strict in tries:
        w, h = _size(ax, variant, size)
        w, h = w + 2 * MARGIN_PX + 3, h + 2 * MARGIN_PX + 3  # room for the halo box
        cands = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        ok = _free(cands, _array(taken), frame) & shapely.contains_xy(shown, cx, cy)
        if strict:  # its four corners inside the district too
            for corner_x, corner_y in ((0, 1), (2, 1), (0, 3), (2, 3)):
                ok &= shapely.contains_xy(shown, cands[:, corner_x], cands[:, corner_y])
        free = np.flatnonzero(ok)
        if len(free):
            i = free[0]
            x, y = ax.transData.inverted().transform((cx[i], cy[i]))
            taken.append(Bbox(cands[i].reshape(2, 2)))
            return ax.text(x, y, variant, fontsize=size, color="#555", ha="center", va="center", zorder=25,
                           bbox=AREA_BOX, gid=gid, clip_on=True)
    return None
