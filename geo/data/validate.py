"""Checks across entries: references, districts, geography, citations; then the checked layout.

`validate` is what `python -m geo validate` reports (schema, references, geography, and the
citations when the documents are there); `load_checked` is what the app and the exporters call:
the immutable checked layout of geo.data.model, or DataError with every error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from pydantic import BaseModel
from shapely.geometry.base import BaseGeometry

from geo.data.districts import District, load_districts
from geo.data.kinds import AXIS, KINDS, NODE_LIST, REF_TARGETS, SINGLE_REFS, TASK
from geo.data.load import load_records
from geo.data.model import CheckedLayout, build_checked
from geo.data.problems import DataError, Problem, errors
from geo.data.records import AxisNodeData, FileEntry, Location, NodeList, citations, excerpt
from geo.data.revision import Revision
from geo.safe import shorten
from geo.settings import settings


@dataclass(frozen=True)
class Report:
    """Everything `validate` found: counts come from `entries`, the layout only without errors."""

    entries: dict[str, FileEntry]
    districts: tuple[District, ...]
    problems: list[Problem]  # errors, findings and warnings
    checked: CheckedLayout | None
    citations_checked: bool


def normalise(text: str) -> str:
    """Seeds were converted from PDF: line breaks and spaces fall anywhere, so ignore them."""
    return re.sub(r"\s+", "", text)


def read_seeds(seeds_dir: Path) -> dict[str, str]:
    return {p.name: normalise(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))}


def _refs(entry: FileEntry) -> list[tuple[str, str]]:
    out = [(f, getattr(entry, f, None)) for f in SINGLE_REFS]
    if entry.kind != NODE_LIST:
        out += [("places", r) for r in getattr(entry, "places", ()) if isinstance(r, str)]
    out += [("platforms", r) for r in getattr(entry, "platforms", ())]
    out += [("places.ref", p.ref) for p in getattr(entry, "places", ()) if getattr(p, "ref", None)]
    out += [("members", r) for ids in getattr(entry, "members", {}).values() for r in ids]
    out += [("segment_roles.segment", r.segment) for r in getattr(entry, "segment_roles", ())]
    return [(f, r) for f, r in out if r]


def check_references(entries: dict[str, FileEntry]) -> list[Problem]:
    problems = []
    for e in entries.values():
        file = KINDS[e.kind].file
        if isinstance(e, NodeList):
            problems += [Problem.error(file, e.id, "places", f"refers to unknown id '{shorten(r, 60)}'")
                         for r in e.places if r not in entries]
            continue
        for field, ref in _refs(e):
            target = entries.get(ref)
            allowed = REF_TARGETS[field]
            if target is None:
                problems.append(Problem.error(file, e.id, field, f"refers to unknown id '{shorten(ref, 60)}'"))
            elif target.kind not in allowed:
                problems.append(Problem.error(
                    file, e.id, field, f"'{shorten(ref, 60)}' is a {target.kind}, expected {' or '.join(allowed)}"))
    nodes = [e for e in entries.values() if isinstance(e, AxisNodeData)]
    if len([e for e in entries.values() if e.kind == AXIS]) != 1:
        axis = KINDS[AXIS]
        section = axis.section or axis.key  # where the axis entry belongs
        problems.append(Problem.error(axis.file, section, section, "exactly one axis entry expected"))
    if nodes and not (nodes[0].pole and nodes[-1].pole and sum(n.pole for n in nodes) == 2):
        problems.append(Problem.error("axis.yaml", "nodes", "pole", "the two poles must be the first and last node"))
    return problems


def check_districts(entries: dict[str, FileEntry], districts: tuple[District, ...]) -> list[Problem]:
    known = {d.name_zh for d in districts}
    out = []
    for e in entries.values():
        field = "districts" if e.kind == TASK else "district"
        for name in getattr(e, field, None) or ():
            if name not in known:
                out.append(Problem.error(KINDS[e.kind].file, e.id, field,
                                         f"unknown district '{shorten(name, 60)}' (expected one of {'、'.join(sorted(known))})"))
    return out


def _outside(loc: Location, city: BaseGeometry) -> str | None:
    """What is wrong with a point outside Guangzhou (named as swapped if it would lie in it
    swapped), or None for a point in the city."""
    if city.covers(shapely.Point(loc.lon, loc.lat)):
        return None
    if city.covers(shapely.Point(loc.lat, loc.lon)):
        return f"lon {loc.lon}, lat {loc.lat} look swapped: latitude and longitude are the other way round"
    return f"lon {loc.lon}, lat {loc.lat} is outside Guangzhou"


def check_coordinates(entries: dict[str, FileEntry], districts: tuple[District, ...]) -> list[Problem]:
    """Points must lie in Guangzhou; a point that would if swapped is named as swapped. The parts
    of a zone must also lie in its declared districts: a part elsewhere is a part of another zone."""
    city = shapely.union_all([d.geometry for d in districts])
    polygons = {d.name_zh: d.geometry for d in districts}
    problems = []
    for e in entries.values():
        file = KINDS[e.kind].file
        loc = getattr(e, "location", None)
        if loc is not None and (msg := _outside(loc, city)):
            problems.append(Problem.error(file, e.id, "location", msg))
        declared = [polygons[n] for n in getattr(e, "district", None) or () if n in polygons]
        for i, part in enumerate(getattr(e, "parts", ())):
            where = f"parts[{i}].location"
            if part.location is None:
                continue
            if msg := _outside(part.location, city):
                problems.append(Problem.error(file, e.id, where, msg))
            elif declared and not any(p.covers(shapely.Point(part.location.lon, part.location.lat)) for p in declared):
                problems.append(Problem.error(file, e.id, where, f"the part {excerpt(part.name_zh)} lies outside the "
                                              f"declared district(s) {'、'.join(getattr(e, 'district', None) or ())}"))
    return problems


def check_citations(entries: dict[str, FileEntry], documents: dict, seeds: dict[str, str]) -> list[Problem]:
    problems = []
    for e in entries.values():
        file = KINDS[e.kind].file
        for prefix, src in citations(e):
            if src.doc not in documents:
                problems.append(Problem.error(file, e.id, f"{prefix}doc", f"unknown document '{shorten(src.doc, 60)}'"))
            elif src.doc not in seeds:
                problems.append(Problem.error(file, e.id, f"{prefix}doc", f"seed text '{shorten(src.doc, 60)}' not found"))
            elif normalise(src.quote) not in seeds[src.doc]:
                problems.append(Problem.error(file, e.id, f"{prefix}quote",
                                              f"quote not found in {src.doc}: “{shorten(src.quote, 200)}”"))
    return problems


def check_units(entries: dict[str, FileEntry], units: dict) -> list[Problem]:
    """Every responsible unit a task names is in units.yaml, so English sheets can name it."""
    return [Problem.error(KINDS[e.kind].file, e.id, name, f"unit {excerpt(u)} is not listed in units.yaml")
            for e in entries.values() if e.kind == TASK
            for name in ("lead_units", "supporting_units") for u in getattr(e, name) if u not in units]


@lru_cache(maxsize=1)
def print_font_chars() -> frozenset[int] | None:
    """The code points the print font (geo.fonts: Noto Sans CJK SC) can draw, read once
    from its cmap; None when the font cannot be read."""
    from fontTools.ttLib import TTCollection, TTLibError

    from geo.fonts import SOURCE, SOURCE_FACE

    try:
        with TTCollection(str(SOURCE), lazy=True) as collection:
            font = next(f for f in collection.fonts if f["name"].getDebugName(1) == SOURCE_FACE)
            return frozenset(font["cmap"].getBestCmap())
    except (OSError, TTLibError, StopIteration, KeyError):
        return None


def _texts(value: Any, where: str) -> list[tuple[str, str]]:
    """Every text inside a record, with its field path (sources[0].quote)."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, BaseModel):
        return [t for name in type(value).model_fields
                for t in _texts(getattr(value, name), f"{where}.{name}" if where else name)]
    if isinstance(value, (tuple, list)):
        return [t for i, v in enumerate(value) for t in _texts(v, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, f"{where}.{k}")]
    return []


def check_print_font(entries: dict[str, FileEntry], documents: dict, units: dict,
                     districts: tuple[District, ...] = ()) -> list[Problem]:
    """Warnings, one per entry and field, naming each character the print font cannot draw
    (CJK Extension B, emoji...): PDF and PNG maps and sheets would print it as an empty box."""
    drawable = print_font_chars()
    if drawable is None:
        return [Problem("warning", "-", "-", "-", "cannot read the print font: characters it lacks were not checked")]
    records = ([(KINDS[e.kind].file, e.id, e) for e in entries.values()]
               + [("documents.yaml", key, d) for key, d in documents.items()]
               + [("units.yaml", key, u) for key, u in units.items()]
               + [("districts.geojson", d.name_zh, {"name_zh": d.name_zh, "name_en": d.name_en})
                  for d in districts])
    out = []
    for file, entry_id, record in records:
        for where, text in _texts(record, ""):
            lacking = sorted({ch for ch in text if ord(ch) not in drawable and not ch.isspace()})
            if lacking:
                shown = ", ".join(f"U+{ord(ch):04X} {ch}" for ch in lacking[:5])
                more = f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
                out.append(Problem("warning", file, entry_id, where,
                                   f"the print font cannot draw {shown}{more}: PDF and PNG maps and "
                                   "sheets show an empty box there; use a common character"))
    return out


def validate(directory: Path | None = None, seeds_dir: Path | None = None,
             check_quotes: bool = True, *, check_font: bool | None = None) -> Report:
    """Everything: schema, references, geography, and the citations when the documents are
    there (`check_quotes=False`: not even looked for, as at app start); warnings about
    characters the print font lacks (`check_font`, by default with the quotes)."""
    directory = directory or settings().data
    revision = Revision()
    found = load_records(directory, revision=revision)
    problems = found.problems + check_references(found.entries) + check_units(found.entries, found.units)
    # The citations do not depend on the districts: checked first, so that a broken
    # districts.geojson is never reported as missing documents.
    seeds = {}
    if check_quotes:
        seeds_dir = seeds_dir or settings().seeds
        seeds = read_seeds(seeds_dir) if seeds_dir.is_dir() else {}
        if seeds:
            problems += check_citations(found.entries, found.documents, seeds)
    try:
        districts = tuple(load_districts(directory / "districts.geojson", revision=revision))
    except DataError as err:
        districts = ()
        problems += err.problems
    if check_quotes if check_font is None else check_font:
        problems += check_print_font(found.entries, found.documents, found.units, districts)
    if not districts:
        return Report(found.entries, (), problems, None, bool(seeds))
    problems += check_districts(found.entries, districts) + check_coordinates(found.entries, districts)
    checked = None if errors(problems) or found.edition is None else build_checked(
        found.entries, found.documents, districts, found.units, revision=revision.hexdigest(), edition=found.edition)
    findings = [f.problem() for f in checked.findings] if checked else []
    return Report(found.entries, districts, problems + findings, checked, bool(seeds))


def load_checked(directory: Path | None = None) -> CheckedLayout:
    """For the app and exporters: the checked layout, or DataError with every error. Citations
    are checked by `python -m geo validate` and CI, not at every start (the seeds may be absent)."""
    report = validate(directory, check_quotes=False)
    if report.checked is None:
        raise DataError(errors(report.problems))
    return report.checked
