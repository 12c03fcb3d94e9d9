"""The checked layout: records plus every fact derived from them, computed once at load.

`build_checked` is the one place each derived fact is computed:
- `points`: an entry's point (its own location, else its first place's; a node's is its place's);
- `geometries`: what the map draws for it (point, schematic extent, axis line, segment);
- `declared`: its districts by the plans (its own, else its places');
- `located`: the district its point lies in by the boundaries (a geopandas spatial join);
- `platforms_at`: the platforms tied to each place, from either side of the link;
- `findings`: where the plans and the boundaries disagree (the rule below);
- `revision`: a short hash of the data files' bytes as loaded (geo.data.validate), which every
  view and export shows so that a review can say which data it saw.
Renderers read these and never recompute them.

The findings rule, one for every view (validator, popups, district sheets, exports): an entry
has a finding when its own record declares its district(s) and its point (its own, or the place's
it stands at) lies in none of them. An entry that declares no district inherits its places'
districts and point, so it can only disagree where its place does: the place's finding covers it
(a platform placed at 生物岛 is explained by park-bio-island's note, not listed again). Axis nodes
declare nothing of their own (they stand on a core or park) and segments are lines, not points.
A finding appears on the sheet of each district it concerns: the declared ones and the one its
point lies in. Its explanation is the entry's `boundary_note`, or the UNEXPLAINED marker, which
the validator reports and tests refuse in the shipped data.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TypeVar, overload

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from geo.crs import EQUAL_AREA, WGS84, project
from geo.data.districts import District, on_border
from geo.data.kinds import AXIS, KINDS, PLATFORM, PLATFORM_SYSTEM, place_kinds
from geo.data.problems import Problem
from geo.data.records import (
    Axis,
    AxisNode,
    AxisNodeData,
    CoreArea,
    Document,
    Edition,
    Entry,
    FileEntry,
    Location,
    NodeList,
    Part,
    Place,
    Platform,
    PlatformSystem,
    Segment,
    Task,
    Unit,
    citations,
)
from geo.i18n import Lang, join, paren, t

UNEXPLAINED = "未说明（UNEXPLAINED）：请在该条目加 boundary_note"
E = TypeVar("E")


@dataclass(frozen=True)
class Finding:
    """An entry the plans put in one district whose point lies in another (the rule above)."""

    entry_id: str
    file: str  # the data file holding the entry
    declared: tuple[str, ...]  # the district(s) its own record declares
    located: str  # the district polygon its point lies in
    note: str  # its boundary_note as written (Chinese); "" when the data does not explain it

    @property
    def explanation(self) -> str:
        return self.note or UNEXPLAINED

    @property
    def districts(self) -> tuple[str, ...]:
        """The districts it concerns, whose sheets list it: the declared ones, then where it lies."""
        return tuple(dict.fromkeys((*self.declared, self.located)))

    def problem(self) -> Problem:
        """As the validator reports it."""
        return Problem.finding(self.file, self.entry_id, "district",
                               disagreement_text(self.declared, self.located, lang="zh") + self.explanation)


@dataclass(frozen=True)
class CheckedLayout:
    entries: Mapping[str, Entry]  # id -> record (geo.data.records), in file order
    documents: Mapping[str, Document]
    units: Mapping[str, Unit]  # 责任单位 by name_zh, with their English names
    districts: tuple[District, ...]
    findings: tuple[Finding, ...]
    points: Mapping[str, Location]
    geometries: Mapping[str, BaseGeometry]
    declared: Mapping[str, tuple[str, ...]]
    located: Mapping[str, str]
    platforms_at: Mapping[str, tuple[str, ...]]
    revision: str  # 12 hex digits of the SHA-256 of the data files read (geo.data.validate)
    edition: Edition  # when the data were last edited (data/edition.yaml)

    @overload
    def of_kind(self, kind: str) -> list[Entry]: ...
    @overload
    def of_kind(self, kind: str, model: type[E]) -> list[E]: ...

    def of_kind(self, kind: str, model: type[E] | None = None) -> list[Entry] | list[E]:
        """The entries of `kind` in file order; given its record type `model`, typed as such (an
        entry of that kind and another type is an error in the registry, never dropped)."""
        out = [e for e in self.entries.values() if e.kind == kind]
        if model is None:
            return out
        typed: list[E] = [e for e in out if isinstance(e, model)]
        if len(typed) != len(out):
            raise TypeError(f"the {kind} entries are not all {model.__name__}")
        return typed

    @property
    def axis(self) -> Axis | None:
        """The innovation axis, or None in a reading whose document does not describe it (004)."""
        return next(iter(self.of_kind(AXIS, Axis)), None)

    def disagreement(self, entry_id: str, lang: Lang) -> tuple[str, str]:
        """The finding on `entry_id` in `lang`, and its explanation (as written, in Chinese)."""
        f = next(f for f in self.findings if f.entry_id == entry_id)
        return (disagreement_text(f.declared, f.located, lang=lang, name=lambda d: self.district_name(d, lang)),
                f.explanation)

    def findings_in(self, district: str) -> list[Finding]:
        """The findings a district's sheet lists: those concerning `district` (its name_zh)."""
        return [f for f in self.findings if district in f.districts]

    def findings_for(self, entry: Entry) -> list[Finding]:
        """The findings a reader of the entry must see: its own, or, where it declares no district
        itself, those of the places it inherits its districts and point from (a node's core or
        park, a platform's places)."""
        ids = {entry.id, getattr(entry, "place", None)}
        if not getattr(entry, "district", None):
            ids.update(p for p in getattr(entry, "places", ()) if isinstance(p, str))
        return [f for f in self.findings if f.entry_id in ids]

    def placed_parts(self, entry: Entry) -> list[tuple[Part, Point]]:
        """Where the maps draw a zone of several parts: at each part a source places (none for an
        entry without parts, or not on the map at a point). Its own `location` stays the zone's."""
        if not isinstance(self.geometries.get(entry.id), Point):
            return []
        return [(p, Point(p.location.lon, p.location.lat)) for p in getattr(entry, "parts", ()) if p.location]

    def platforms_of(self, entry: Entry) -> list[Platform]:
        """Platforms at a place, or at the place a node stands on."""
        place = getattr(entry, "place", None) or entry.id
        return [p for i in self.platforms_at.get(place, ()) if isinstance(p := self.entries[i], Platform)]

    def as_read(self, doc: str | None = None, system: str | None = None) -> CheckedLayout:
        """What one document says (`doc`), and/or one reading of the platform system (`system`)."""
        out = self.cited_by(doc) if doc else self
        if system and isinstance(reading := self.entries.get(system), PlatformSystem):
            # one reading: its members, and no other platform
            members = {p for ids in reading.members.values() for p in ids}
            out = out.restricted({k for k, e in out.entries.items() if e.kind != PLATFORM or k in members})
        return out

    def document_label(self, doc: str, lang: Lang) -> str:
        """A document as a reader knows it: short title and year, e.g. 《广州市“十四五”规划纲要》（2021）."""
        d = self.documents.get(doc)
        if d is None:
            return doc
        title = (d.short_en or d.title_en if lang == "en" else None) or d.short_zh or d.title_zh
        return title + paren(str(d.year), lang) if d.year else title

    def document_abbr(self, doc: str, lang: Lang) -> str:
        """A document in a few characters with its year, e.g. 规划纲要2021 (print tables)."""
        d = self.documents.get(doc)
        if d is None:
            return doc
        if lang == "en" and (d.abbr_en or d.short_en):
            return f"{d.abbr_en or d.short_en} {d.year or ''}".strip()
        return f"{d.abbr_zh or d.short_zh or d.title_zh}{d.year or ''}"

    def unit_name(self, name_zh: str, lang: Lang) -> str:
        """A responsible unit in `lang` (data/units.yaml)."""
        unit = self.units.get(name_zh) if lang == "en" else None
        return unit.name_en if unit else name_zh

    def district_name(self, name_zh: str, lang: Lang) -> str:
        """A district (given by its Chinese name, as entries declare it) in `lang`."""
        d = self.district(name_zh) if lang == "en" else None
        return d.name_en if d else name_zh

    def systems_of(self, platform: Platform) -> list[PlatformSystem]:
        """The documents' readings of the platform system (data/systems.yaml) that count this platform."""
        return [s for s in self.of_kind(PLATFORM_SYSTEM, PlatformSystem)
                if any(platform.id in ids for ids in s.members.values())]

    def district(self, name: str) -> District | None:
        """A district by any name a user would type: 南沙区, 南沙, Nansha, Nansha District or 440115."""
        key = name.strip().lower().removesuffix(" district")
        for d in self.districts:
            if key in (d.name_zh.lower(), d.name_zh.removesuffix("区").lower(), d.adcode,
                       d.name_en.lower(), d.name_en.lower().removesuffix(" district")):
                return d
        return None

    def restricted(self, keep: set[str]) -> CheckedLayout:
        """The same layout showing only the entries in `keep`: points stay where loading put
        them (a platform keeps its place's point), the axis is redrawn through the nodes kept."""
        entries = {k: e for k, e in self.entries.items() if k in keep}
        points = {k: v for k, v in self.points.items() if k in keep}
        frozen = MappingProxyType
        return replace(
            self, entries=frozen(entries), points=frozen(points),
            geometries=frozen(_geometries(entries, points, self.districts)),
            findings=tuple(f for f in self.findings if f.entry_id in keep),
            declared=frozen({k: v for k, v in self.declared.items() if k in keep}),
            located=frozen({k: v for k, v in self.located.items() if k in keep}),
            platforms_at=frozen({k: tuple(p for p in v if p in keep)
                                 for k, v in self.platforms_at.items() if k in keep}))

    def cited_by(self, doc: str) -> CheckedLayout:
        """Only what one document says: the entries with a source in `doc`."""
        return self.restricted({k for k, e in self.entries.items()
                                if any(src.doc == doc for _, src in citations(e))})


def resolve_nodes(entries: Mapping[str, FileEntry]) -> dict[str, Entry]:
    """Axis nodes take their name, aliases and districts from the core or park they stand on (the
    validator has checked that each stands on one)."""
    out: dict[str, Entry] = {}
    for key, e in entries.items():
        if isinstance(e, AxisNodeData):
            place = entries[e.place]
            if not isinstance(place, Place):
                raise ValueError(f"axis node {e.id} stands on {e.place}, which is no place")
            out[key] = AxisNode(**e.model_dump(), name_zh=place.name_zh, name_en=place.name_en,
                                name_en_basis=place.name_en_basis, aliases=place.aliases,
                                district=place.district)
        else:
            out[key] = e
    return out


def _own_districts(e: FileEntry) -> tuple[str, ...]:
    """The districts an entry's record declares itself (a task's named districts are no such claim)."""
    return (e.district or ()) if isinstance(e, (Place, Platform, AxisNode, Segment)) else ()


def _points(entries: Mapping[str, Entry]) -> dict[str, Location]:
    out = {}
    for e in entries.values():
        if isinstance(e, (Task, Segment)):
            continue
        own = e.location if isinstance(e, (Place, Platform)) else None
        ref = e.place if isinstance(e, AxisNode) else (
            next(iter(e.places), None) if isinstance(e, (Platform, NodeList)) else None)
        at = entries.get(ref) if ref is not None else None
        if own is not None:
            out[e.id] = own
        elif isinstance(at, (Place, Platform)) and at.location is not None:
            out[e.id] = at.location
    return out


def schematic_circle(loc: Location, area_km2: float) -> BaseGeometry:
    """A circle of the published area around the location: the plans give the area, not the shape."""
    centre = project(Point(loc.lon, loc.lat), EQUAL_AREA)
    radius_m = math.sqrt(area_km2 * 1e6 / math.pi)
    return project(centre.buffer(radius_m, 64), WGS84, src=EQUAL_AREA)


def axis_line(entries: Mapping[str, Entry], points: Mapping[str, Location]) -> LineString:
    """The axis through its nodes in order: the plans publish no line, only the nodes."""
    nodes = [e for e in entries.values() if isinstance(e, AxisNode) and e.id in points]
    if len(nodes) < 2:  # a reading naming fewer than two nodes has no line (shapely refuses one point)
        return LineString()
    return LineString([(points[n.id].lon, points[n.id].lat) for n in nodes])


def _geometries(entries: Mapping[str, Entry], points: Mapping[str, Location],
                districts: tuple[District, ...]) -> dict[str, BaseGeometry]:
    line = axis_line(entries, points)
    polygons = {d.name_zh: d.geometry for d in districts}
    out: dict[str, BaseGeometry] = {}
    for e in entries.values():
        how = KINDS[e.kind].geometry
        if how == "line":
            out[e.id] = line
        elif how == "axis_part" and isinstance(e, Segment):
            out[e.id] = line.intersection(shapely.union_all([polygons[n] for n in e.district if n in polygons]))
        elif (how == "extent" and isinstance(e, CoreArea) and e.extent == "schematic-circle"
              and e.area_km2_published is not None):  # the record's check: the two go together
            out[e.id] = schematic_circle(e.location, e.area_km2_published)
        elif how in ("point", "extent") and e.id in points:
            out[e.id] = Point(points[e.id].lon, points[e.id].lat)
    return out


def _declared(entries: Mapping[str, Entry]) -> dict[str, tuple[str, ...]]:
    out = {}
    for e in entries.values():
        if isinstance(e, Task):
            out[e.id] = e.districts
        elif own := _own_districts(e):
            out[e.id] = own
        else:  # a platform (or node list) declared nowhere: its places' districts
            places = [entries[p] for p in e.places if p in entries] if isinstance(e, (Platform, NodeList)) else []
            out[e.id] = tuple(dict.fromkeys(d for p in places for d in _own_districts(p)))
    return out


def district_frame(districts: tuple[District, ...]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"adcode": [d.adcode for d in districts], "name_zh": [d.name_zh for d in districts],
         "name_en": [d.name_en for d in districts], "group": [d.group for d in districts],
         "area_km2": [d.area_km2 for d in districts]},
        geometry=[d.geometry for d in districts], crs=WGS84)


def _located(points: Mapping[str, Location], districts: tuple[District, ...], *,
             declared: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """The district polygon each point lies in: one spatial join of all points. A point on the
    border of several counts for one its entry declares, else the lowest adcode
    (geo.data.districts.on_border): never a false finding, whatever the order of the file."""
    if not points:
        return {}
    pts = gpd.GeoDataFrame({"id": list(points)}, crs=WGS84,
                           geometry=gpd.points_from_xy([p.lon for p in points.values()],
                                                       [p.lat for p in points.values()]))
    joined = gpd.sjoin(pts, district_frame(districts)[["name_zh", "geometry"]], how="inner",
                       predicate="intersects")
    by_name = {d.name_zh: d for d in districts}
    candidates: dict[str, list[District]] = {}
    for pid, name in joined[["id", "name_zh"]].itertuples(index=False):
        candidates.setdefault(pid, []).append(by_name[name])
    declared = declared or {}
    return {pid: on_border(found, declared.get(pid, ())).name_zh for pid, found in candidates.items()}


def _platforms_at(entries: Mapping[str, Entry]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    places = set(place_kinds())
    for e in entries.values():
        if isinstance(e, Place) and e.kind in places:
            for pid in e.platforms:
                out.setdefault(e.id, []).append(pid)
        if isinstance(e, Platform):
            for place in e.places:
                out.setdefault(place, []).append(e.id)
    order = {key: i for i, key in enumerate(entries)}
    return {k: tuple(sorted(set(v), key=order.__getitem__)) for k, v in out.items()}


def _findings(records: Mapping[str, FileEntry], located: Mapping[str, str]) -> list[Finding]:
    """The findings rule (module docstring), over the records as the files give them: before
    nodes take their place's districts, so that only what an entry declares itself counts."""
    out = []
    for e in records.values():
        own = _own_districts(e)
        actual = located.get(e.id)
        note = e.boundary_note if isinstance(e, (Place, Platform)) else None
        if own and actual is not None and actual not in own:
            out.append(Finding(e.id, KINDS[e.kind].file, own, actual, note or ""))
    return out


def disagreement_text(own: tuple[str, ...], actual: str, *, lang: Lang,
                      name: Callable[[str], str] = str) -> str:
    """What a plan-vs-boundary finding says; `name` gives a district's name in `lang`."""
    return t("finding.text", lang, own=join(map(name, own), lang), actual=name(actual))


def build_checked(records: Mapping[str, FileEntry], documents: Mapping[str, Document],
                  districts: tuple[District, ...], units: Mapping[str, Unit] | None = None, *,
                  revision: str, edition: Edition) -> CheckedLayout:
    """Derive every fact once from records whose references and districts have been checked;
    `revision` names the data files' content they were read from."""
    entries = resolve_nodes(records)
    points = _points(entries)
    declared = _declared(entries)
    located = _located(points, districts, declared=declared)
    frozen = MappingProxyType
    return CheckedLayout(
        entries=frozen(entries), documents=frozen(documents), units=frozen(units or {}),
        districts=tuple(districts),
        findings=tuple(_findings(records, located)), points=frozen(points),
        geometries=frozen(_geometries(entries, points, districts)), declared=frozen(declared),
        located=frozen(located), platforms_at=frozen(_platforms_at(entries)), revision=revision,
        edition=edition)
