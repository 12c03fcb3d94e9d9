"""Checks across entries: references, districts, geography, citations, plan-vs-boundary findings.

`check_layout` is pure (Layout + polygons + optional seed texts -> problems); `load_checked` is
what the app and the exporters call; `python -m geo validate` prints the full report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import shapely

from geo.districts import District, district_at, load_districts
from geo.geometry import location_of
from geo.load import data_dir, load_layout
from geo.model import Entry, Layout
from geo.problems import DataError, Problem, errors

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# Where each reference field may point.
REF_TARGETS = {
    "place": ("core", "park"),
    "core": ("core",),
    "places": ("core", "core_area", "park"),
    "platforms": ("platform",),
    "places.ref": ("core", "core_area", "park", "platform"),  # what a segment names
}


@dataclass
class CheckedLayout:
    layout: Layout
    districts: list[District]
    problems: list[Problem]  # findings only, once loaded without errors


def normalise(text: str) -> str:
    """Seeds were converted from PDF: line breaks and spaces fall anywhere, so ignore them."""
    return re.sub(r"\s+", "", text)


def read_seeds(seeds_dir: Path) -> dict[str, str]:
    return {p.name: normalise(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))}


def _refs(entry: Entry) -> list[tuple[str, str]]:
    out = [("place", entry.place), ("core", entry.core)]
    out += [("places", r) for r in entry.places] + [("platforms", r) for r in entry.platforms]
    out += [("places.ref", p.ref) for p in entry.named_places if p.ref]
    return [(f, r) for f, r in out if r]


def check_references(layout: Layout) -> list[Problem]:
    problems = []
    for e in layout.entries.values():
        for field, ref in _refs(e):
            target = layout.entries.get(ref)
            allowed = REF_TARGETS[field]
            if target is None:
                problems.append(Problem.error(e.file, e.id, field, f"refers to unknown id '{ref}'"))
            elif target.layer not in allowed:
                problems.append(Problem.error(
                    e.file, e.id, field, f"'{ref}' is a {target.layer}, expected {' or '.join(allowed)}"))
    for nl in layout.node_lists:
        for ref in nl.places:
            if ref not in layout.entries:
                problems.append(Problem.error("axis.yaml", nl.id, "places", f"refers to unknown id '{ref}'"))
    nodes = layout.layer("axis_node")
    if len(layout.layer("axis")) != 1:
        problems.append(Problem.error("axis.yaml", "axis", "axis", "exactly one axis entry expected"))
    if nodes and not (nodes[0].pole and nodes[-1].pole and sum(n.pole for n in nodes) == 2):
        problems.append(Problem.error("axis.yaml", "nodes", "pole", "the two poles must be the first and last node"))
    return problems


def check_districts(layout: Layout, districts: list[District]) -> list[Problem]:
    known = {d.name_zh for d in districts}
    return [
        Problem.error(e.file, e.id, "district" if e.layer != "task" else "districts",
                      f"unknown district '{name}' (expected one of {'、'.join(sorted(known))})")
        for e in layout.entries.values() for name in e.districts if name not in known
    ]


def check_coordinates(layout: Layout, districts: list[District]) -> list[Problem]:
    """Points must lie in Guangzhou; a point that would if swapped is named as swapped."""
    city = shapely.union_all([d.geometry for d in districts])
    problems = []
    for e in layout.entries.values():
        loc = e.location
        if loc is None:
            continue
        if city.covers(shapely.Point(loc.lon, loc.lat)):
            continue
        if city.covers(shapely.Point(loc.lat, loc.lon)):
            msg = f"lon {loc.lon}, lat {loc.lat} look swapped: latitude and longitude are the other way round"
        else:
            msg = f"lon {loc.lon}, lat {loc.lat} is outside Guangzhou"
        problems.append(Problem.error(e.file, e.id, "location", msg))
    return problems


def check_citations(layout: Layout, seeds: dict[str, str]) -> list[Problem]:
    problems = []
    cited = [(e.file, e.id, i, s) for e in layout.entries.values() for i, s in enumerate(e.sources)]
    cited += [("axis.yaml", nl.id, 0, nl.source) for nl in layout.node_lists]
    for file, eid, i, src in cited:
        field = f"sources[{i}]"
        if src.doc not in layout.documents:
            problems.append(Problem.error(file, eid, f"{field}.doc", f"unknown document '{src.doc}'"))
        elif src.doc not in seeds:
            problems.append(Problem.error(file, eid, f"{field}.doc", f"seed text '{src.doc}' not found"))
        elif normalise(src.quote) not in seeds[src.doc]:
            problems.append(Problem.error(file, eid, f"{field}.quote",
                                          f"quote not found in {src.doc}: “{src.quote}”"))
    return problems


def check_boundaries(layout: Layout, districts: list[District]) -> list[Problem]:
    """Findings: a place whose declared district is not the polygon that contains it."""
    problems = []
    for e in layout.entries.values():
        loc = location_of(layout, e)
        # Segments are lines; a node is checked through the core or park it stands on.
        if not e.districts or loc is None or e.layer in ("segment", "axis_node"):
            continue
        actual = district_at(districts, loc.lon, loc.lat)
        if actual and actual not in e.districts:
            note = e.boundary_note or "未说明：请在该条目加 boundary_note（UNEXPLAINED）"
            problems.append(Problem.finding(
                e.file, e.id, "district",
                f"规划所属{'、'.join(e.districts)}，但点位落在{actual}。{note}"))
    return problems


def resolve(layout: Layout) -> None:
    """Axis nodes take their names, districts and place from the core or park they stand on."""
    for node in layout.layer("axis_node"):
        place = layout.entries.get(node.place)
        if place is not None:
            node.name_zh, node.name_en, node.districts = place.name_zh, place.name_en, place.districts


def check_layout(layout: Layout, districts: list[District], seeds: dict[str, str] | None) -> list[Problem]:
    problems = check_references(layout) + check_districts(layout, districts)
    problems += check_coordinates(layout, districts)
    if seeds is not None:
        problems += check_citations(layout, seeds)
    return problems + check_boundaries(layout, districts)


def validate(directory: Path | None = None, seeds_dir: Path | None = SEEDS_DIR) -> CheckedLayout:
    """Everything: schema, references, geography, and (when seeds_dir is given) citations."""
    directory = directory or data_dir()
    layout, problems = load_layout(directory)
    resolve(layout)
    try:
        districts = load_districts(directory / "districts.geojson")
    except DataError as err:
        return CheckedLayout(layout, [], problems + err.problems)
    seeds = None
    if seeds_dir is not None:
        seeds = read_seeds(seeds_dir) if seeds_dir.is_dir() else {}
        if not seeds:
            problems.append(Problem.error(str(seeds_dir), "-", "-", "no seed texts found: citations not checked"))
    return CheckedLayout(layout, districts, problems + check_layout(layout, districts, seeds))


def load_checked(directory: Path | None = None) -> CheckedLayout:
    """For the app and exporters: the layout, or DataError with every error. Citations are
    checked by `python -m geo validate` and CI, not at every start (the seeds may be absent)."""
    checked = validate(directory, seeds_dir=None)
    if errors(checked.problems):
        raise DataError(errors(checked.problems))
    return checked
