"""The one schema of data/: which fields each kind of entry has, and their types.

`parse_entries` turns the raw YAML of one list into `Entry` records and a list of problems. It
never drops a field silently: an unknown field is an error, and so is a missing required one.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable

from geo.model import DISTRICT_GROUPS, TIERS, Entry, Location, NamedPlace, Source
from geo.problems import Problem
from geo.safe import clean_text

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class FieldError(ValueError):
    """A value that does not fit its field; the message says what was expected."""


def parse_text(v: Any) -> str:
    """Non-empty text, NFC-normalised, with no invisible or control characters (geo.safe)."""
    if not isinstance(v, str) or not v.strip():
        raise FieldError(f"must be non-empty text, got {v!r}")
    try:
        return clean_text(v.strip())
    except ValueError as err:
        raise FieldError(str(err)) from None



def parse_texts(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise FieldError("must be a list of text")
    return tuple(parse_text(x) for x in v)


def _districts(v: Any) -> tuple[str, ...]:
    """One district name or a list of them (names are checked against the polygons later)."""
    names = (v,) if isinstance(v, str) else parse_texts(v)
    if not names:
        raise FieldError("must name at least one district")
    return tuple(parse_text(n) for n in names)


def _number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise FieldError(f"must be a number, got {v!r}")
    if not math.isfinite(v):
        raise FieldError(f"must be a finite number, got {v!r}")
    return float(v)


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise FieldError(f"must be true or false, got {v!r}")
    return v


def _one_of(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in options:
            raise FieldError(f"must be one of {', '.join(options)}, got {v!r}")
        return v

    return check


def _record(v: Any, fields: dict[str, Callable[[Any], Any]], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(v, dict):
        raise FieldError("must be a mapping")
    unknown = set(v) - set(fields)
    if unknown:
        raise FieldError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    out = {}
    for name, conv in fields.items():
        if name not in v:
            if name in optional:
                continue
            raise FieldError(f"missing '{name}'")
        try:
            out[name] = conv(v[name])
        except FieldError as err:
            raise FieldError(f"{name}: {err}") from None
    return out


def parse_source(v: Any) -> Source:
    return Source(**_record(v, {"doc": parse_text, "section": parse_text, "quote": parse_text}))


def _sources(v: Any) -> tuple[Source, ...]:
    if not isinstance(v, list) or not v:
        raise FieldError("must be a non-empty list of {doc, section, quote}")
    out = []
    for i, s in enumerate(v):
        try:
            out.append(parse_source(s))
        except FieldError as err:
            raise FieldError(f"[{i}] {err}") from None
    return tuple(out)


def _location(v: Any) -> Location:
    r = _record(v, {"lon": _number, "lat": _number, "precision_m": _number, "method": parse_text})
    if r["precision_m"] <= 0:
        raise FieldError("precision_m must be positive")
    return Location(**r)


def _named_places(v: Any) -> tuple[NamedPlace, ...]:
    if not isinstance(v, list):
        raise FieldError("must be a list of {name_zh, ref}")

    def ref(x: Any) -> str | None:
        return None if x is None else parse_text(x)

    return tuple(NamedPlace(**_record(x, {"name_zh": parse_text, "ref": ref}, ("ref",))) for x in v)


@dataclass(frozen=True)
class Kind:
    """The fields one kind of entry has: converters for required and optional ones."""

    layer: str
    required: dict[str, Callable[[Any], Any]]
    optional: dict[str, Callable[[Any], Any]]


COMMON = {"id": parse_text, "name_zh": parse_text, "name_en": parse_text, "role_zh": parse_text, "sources": _sources}
PLACE = {"district": _districts, "location": _location}
NOTES = {"notes": parse_text, "boundary_note": parse_text, "district_basis": parse_text}

KINDS = {
    "core": Kind("core", {**COMMON, **PLACE, "kind": _one_of(("一区", "三城"))},
                 {**NOTES, "platforms": parse_texts}),
    # A published area is drawn as a schematic circle (extent), as no boundary is published.
    "core_area": Kind("core_area", {**COMMON, **PLACE, "core": parse_text},
                      {**NOTES, "area_km2_published": _number, "platforms": parse_texts,
                       "extent": _one_of(("schematic-circle",))}),
    "park": Kind("park", {**COMMON, **PLACE, "group": _one_of(DISTRICT_GROUPS)},
                 {**NOTES, "platforms": parse_texts}),
    "platform": Kind("platform", {**COMMON, "tier": _one_of(tuple(TIERS)), "places": parse_texts},
                     {**NOTES, **PLACE}),
    "task": Kind("task", {**COMMON, "lead_units": parse_texts, "districts": parse_texts,
                          "district_scope": _one_of(("named", "all", "relevant"))},
                 {"notes": parse_text, "places": parse_texts}),
    "axis": Kind("axis", COMMON, {"notes": parse_text}),
    "axis_node": Kind("axis_node", {"id": parse_text, "place": parse_text, "pole": _bool, "role_zh": parse_text,
                                    "sources": _sources}, {"notes": parse_text}),
    "segment": Kind("segment", {**COMMON, "district": _districts, "places": _named_places},
                    {"notes": parse_text}),
}

# YAML field name -> Entry attribute, where they differ.
_RENAMES = {"district": "districts"}


def parse_entry(raw: Any, kind: Kind, file: str, index: int) -> tuple[Entry | None, list[Problem]]:
    """One raw YAML mapping -> an Entry, or None and the problems that stopped it."""
    entry_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{index + 1}"
    if not isinstance(raw, dict):
        return None, [Problem.error(file, entry_id, "-", "entry must be a mapping of fields")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    fields = {**kind.required, **kind.optional}
    for name in sorted(set(raw) - set(fields), key=str):
        problems.append(Problem.error(file, entry_id, str(name), "unknown field (typo?)"))
    for name, conv in fields.items():
        if name not in raw or raw[name] is None:
            if name in kind.required:
                problems.append(Problem.error(file, entry_id, name, "missing required field"))
            continue
        try:
            values[name] = conv(raw[name])
        except FieldError as err:
            problems.append(Problem.error(file, entry_id, name, str(err)))
    if "id" in values and not ID_PATTERN.match(values["id"]):
        problems.append(Problem.error(file, entry_id, "id", "use lowercase a-z, 0-9 and '-' only"))
    if ("area_km2_published" in values) != ("extent" in values):
        problems.append(Problem.error(file, entry_id, "extent",
                                      "a published area and extent: schematic-circle go together"))
    scope = values.get("district_scope")
    if scope and (scope == "named") != bool(values.get("districts")):
        problems.append(Problem.error(file, entry_id, "districts",
                                      "list the districts when district_scope is named, and only then"))
    if problems:
        return None, problems
    attrs = {_RENAMES.get(k, k): v for k, v in values.items()}
    if kind.layer == "segment":
        attrs["named_places"] = attrs.pop("places")
    if kind.layer == "axis_node":
        attrs.update(name_zh="", name_en="")  # filled from the place it stands on
    return Entry(layer=kind.layer, file=file, **attrs), []
