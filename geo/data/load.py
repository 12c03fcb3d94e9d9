"""Read data/ into records: YAML files -> the models of geo.data.records, collecting every problem.

Which file and section holds which kind comes from the registry (geo.data.kinds). A problem names
the file, the entry id and the field, and says what is wrong: the validator's wording.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from geo.data.kinds import KINDS, Kind, files, sections
from geo.data.problems import Problem
from geo.data.records import Document, Edition, FileEntry, Unit, excerpt
from geo.data.revision import Revision
from geo.safe import shorten

# Limits on what a data file may be, far above the real data (the largest file is 121 KB, the
# deepest nesting 8 levels, the longest number 7 digits, the largest file 3,342 values once its
# aliases are expanded): past them a file is refused with a message before it can cost much
# memory or time, or blow Python's recursion limit.
M = TypeVar("M", bound=BaseModel)
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NESTING = 50
MAX_NUMBER_DIGITS = 40
MAX_EXPANDED_VALUES = 200_000


def nesting_problem(depth: int) -> str:
    return f"nested deeper than {MAX_NESTING} levels (lists or mappings inside each other): not a data file"


def number_problem(digits: int) -> str:
    return f"a number of {digits:,} digits: no data field takes more than {MAX_NUMBER_DIGITS}"


class LimitError(yaml.YAMLError):
    """A file past one of the limits, where libyaml's events say (read_yaml reports it)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


def check_limits(text: str) -> None:
    """Refuse, before anything is composed, nesting deeper than MAX_NESTING and aliases that would
    expand past MAX_EXPANDED_VALUES: the data reuses a few `sources:` lists by alias, but nested
    aliases turn a few hundred bytes into billions of values ("billion laughs"). One pass over
    libyaml's events counts what each anchor would expand to, so nothing is ever expanded."""
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, depth) once expanded
    open_: list[list[Any]] = []  # per open collection: [anchor, values, depth of its children]

    def add(values: int, depth: int, anchor: str | None, mark: Any) -> None:
        if anchor is not None:
            sizes[anchor] = (values, depth)
        if open_:
            parent = open_[-1]
            parent[1] += values
            parent[2] = max(parent[2], depth)
            if parent[1] > MAX_EXPANDED_VALUES:
                raise LimitError(f"its aliases (*name) expand to more than {MAX_EXPANDED_VALUES:,} values: "
                                 "write the value out, or use fewer aliases", mark)
            if len(open_) + depth > MAX_NESTING:
                raise LimitError(nesting_problem(MAX_NESTING) + " (through aliases)", mark)

    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                if any(c[0] == event.anchor for c in open_):
                    raise LimitError(f"the alias *{shorten(str(event.anchor), 40)} is used inside its own "
                                     "anchor: a value cannot hold itself", event.start_mark)
                continue  # an undefined alias is YAML's own error, when the file is composed
            add(*sizes[event.anchor], None, event.start_mark)
        elif isinstance(event, yaml.ScalarEvent):
            add(1, 0, event.anchor, event.start_mark)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(open_) >= MAX_NESTING:
                raise LimitError(nesting_problem(MAX_NESTING), event.start_mark)
            open_.append([event.anchor, 1, 0])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, values, depth = open_.pop()
            add(values, depth + 1, anchor, event.start_mark)


class _UniqueKeyLoader(yaml.CSafeLoader):
    """libyaml's safe loader (C, ten times the pure-Python one), refusing a key given twice in one
    mapping (YAML would keep the last) and integers longer than MAX_NUMBER_DIGITS (Python refuses
    to convert past 4,300 digits, with a ValueError). Nesting and aliases are bounded before it
    runs (`check_limits`)."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_NUMBER_DIGITS:
            raise yaml.constructor.ConstructorError(None, None, number_problem(digits), node.start_mark)
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{shorten(str(key), 60)}' (also on line {seen[key] + 1}); "
                    "keep one of them", key_node.start_mark)
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeyLoader.construct_yaml_int)


def read_text(path: Path, *, revision: Revision | None = None) -> tuple[str | None, list[Problem]]:
    """A data file's text (UTF-8, with or without BOM), or a problem saying how to save it.
    A file over MAX_FILE_BYTES is refused before it is read (and never read past the limit).
    The bytes read go into `revision` (geo.data.revision), so the data is never read twice."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [_too_big(path, size)]
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:  # grew while being read, or not a plain file
            return None, [_too_big(path, len(raw))]
        if revision is not None:
            revision.add(name=path.name, raw=raw)
    except FileNotFoundError:
        return None, [Problem.error(path.name, "-", "-", "file is missing")]
    except OSError as err:
        return None, [Problem.error(path.name, "-", "-", f"cannot read the file: {err.strerror}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        guess = ""
        try:
            raw.decode("gb18030")
            guess = " It looks like GBK/GB18030, as Chinese Windows editors save by default."
        except UnicodeDecodeError:
            pass
        return None, [Problem.error(
            path.name, "-", f"line {line}",
            f"not UTF-8 text (byte 0x{raw[err.start]:02X}).{guess} Save the file as UTF-8 "
            "(e.g. Notepad: 另存为 → 编码 UTF-8)")]


def _too_big(path: Path, size: int) -> Problem:
    return Problem.error(path.name, "-", "-", f"the file is {size / 1e6:,.1f} MB, over the limit of "
                         f"{MAX_FILE_BYTES / 1e6:,.0f} MB for a data file")


def read_yaml(path: Path, *, revision: Revision | None = None) -> tuple[Any, list[Problem]]:
    text, problems = read_text(path, revision=revision)
    if text is None:
        return None, problems
    try:
        check_limits(text)
        return yaml.load(text, Loader=_UniqueKeyLoader), []
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        what = shorten(getattr(err, "problem", None) or str(err), 200)
        return None, [Problem.error(path.name, "-", where, f"not valid YAML: {what}")]


@dataclass
class Records:
    """What the files hold, as parsed: records by id (file order), documents, problems."""

    entries: dict[str, FileEntry] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)  # by name_zh
    edition: Edition | None = None  # None: edition.yaml is missing or wrong (a problem says so)
    problems: list[Problem] = field(default_factory=list)


def _field(loc: tuple) -> str:
    """pydantic's error location as the data's field path: sources[0].quote."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "tagged-union")):
            part = shorten(str(part), 60)  # a key from the data: any length
            out += f".{part}" if out else part
    return out or "-"


def _message(err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (typo?)"
    if kind == "too_short":
        return "must be a non-empty list"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '').replace(chr(39), '')}, got {excerpt(err.get('input'))}"
    if kind == "value_error":
        return shorten(str(ctx.get("error", err["msg"])), 300)
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, got {excerpt(err.get('input'))}"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')}, got {excerpt(err.get('input'))}"
    return shorten(err["msg"], 300)


def problems_of(err: ValidationError, file: str, entry_id: str) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        where = _field(e["loc"])
        message = _message(e)
        if where == "-" and message.startswith(("extent:", "districts:")):  # a check across fields
            where, message = message.split(": ", 1)
        out.append(Problem.error(file, entry_id, where, message))
    return out


def parse(model: type[M], raw: Any, file: str, index: int) -> tuple[M | None, list[Problem]]:
    """One raw YAML mapping -> a record, or None and the problems that stopped it."""
    entry_id = shorten(raw["id"], 80) if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{index + 1}"
    if not isinstance(raw, dict):
        return None, [Problem.error(file, entry_id, "-", "entry must be a mapping of fields")]
    try:
        return model.model_validate(raw), []
    except ValidationError as err:
        return None, problems_of(err, file, entry_id)


def _sections(doc: Any, file: str, kinds: list[Kind]) -> tuple[dict[str, list], list[Problem]]:
    """Split a file into its lists of raw entries, one per kind."""
    if kinds[0].section is None:
        if not isinstance(doc, list):
            return {}, [Problem.error(file, "-", "-", "file must be a YAML list of entries")]
        return {kinds[0].key: doc}, []
    keys = list(sections(kinds))
    if not isinstance(doc, dict):
        return {}, [Problem.error(file, "-", "-", f"file must be a mapping with {', '.join(keys)}")]
    problems = [Problem.error(file, "-", shorten(str(k), 60), "unknown top-level key") for k in doc if k not in keys]
    out = {}
    for section, kind in sections(kinds).items():
        value = doc.get(section)
        if kind.single:
            value = [value] if isinstance(value, dict) else value
        if not isinstance(value, list):
            problems.append(Problem.error(file, "-", section, "missing, or not a list: must be a list of entries"))
        elif not value:
            problems.append(Problem.error(file, "-", section, f"has no entries (expected the {kind.name_zh} entries)"))
        else:
            out[kind.key] = value
    return out, problems


def _listed(model: type[BaseModel], key: str, raw: Any, file: str) -> tuple[dict[str, Any], list[Problem]]:
    """documents.yaml, units.yaml: a list of records, each named once by its `key` field."""
    if not isinstance(raw, list) or not raw:
        return {}, [Problem.error(file, "-", "-", f"must be a non-empty list of {{{key}, ...}} entries")]
    out: dict[str, Any] = {}
    problems = []
    for i, item in enumerate(raw):
        rid = shorten(item[key], 80) if isinstance(item, dict) and isinstance(item.get(key), str) else f"#{i + 1}"
        record, p = parse(model, item, file, i)
        problems += [Problem.error(x.file, rid, x.field, x.message) for x in p]
        if record is None:
            continue
        if getattr(record, key) in out:
            problems.append(Problem.error(file, rid, key, "listed twice"))
            continue
        out[getattr(record, key)] = record
    return out, problems


def load_records(directory: Path, *, revision: Revision | None = None) -> Records:
    """Every entry that parses, plus every problem; duplicate ids are reported, never merged.
    Each file's bytes go into `revision`."""
    found = Records()
    for file, model, key, attr in (("documents.yaml", Document, "doc", "documents"),
                                   ("units.yaml", Unit, "name_zh", "units")):
        raw, p = read_yaml(directory / file, revision=revision)
        found.problems += p
        if not p:
            listed, p = _listed(model, key, raw, file)
            setattr(found, attr, listed)
            found.problems += p
    raw, p = read_yaml(directory / "edition.yaml", revision=revision)
    found.problems += p
    if not p:
        found.edition, p = parse(Edition, raw, "edition.yaml", 0)
        found.problems += [Problem.error(x.file, "-", x.field, x.message) for x in p]  # one mapping, no entries
    first_file: dict[str, str] = {}
    for file, kinds in files().items():
        doc, p = read_yaml(directory / file, revision=revision)
        found.problems += p
        if p:
            continue
        if doc in (None, [], {}):
            names = " and ".join(k.name_zh for k in kinds)
            found.problems.append(Problem.error(file, "-", "-", f"file is empty: it must hold the {names} entries"))
            continue
        by_kind, p = _sections(doc, file, kinds)
        found.problems += p
        for key, items in by_kind.items():
            for i, raw in enumerate(items):
                entry, p = parse(KINDS[key].model, raw, file, i)
                found.problems += p
                if entry is None:
                    continue
                if entry.id in found.entries:
                    found.problems.append(Problem.error(file, entry.id, "id", f"duplicate id (also in {first_file[entry.id]})"))
                    continue
                found.entries[entry.id] = entry
                first_file[entry.id] = file
    return found
