"""Read data/ into a Layout: YAML files -> schema -> records, collecting every problem."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from geo.model import KIND_ZH, Layout, NodeList
from geo.problems import Problem
from geo.schema import KINDS, FieldError, parse_entry, parse_source, parse_text, parse_texts

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def data_dir() -> Path:
    """data/, unless GZMAP_DATA points at another copy (a district's draft, a test fixture)."""
    return Path(os.environ.get("GZMAP_DATA") or DATA_DIR)


# file -> {top-level key (None: the file is a list) -> kind of its entries}
FILES: dict[str, dict[str | None, str]] = {
    "axis.yaml": {"axis": "axis", "nodes": "axis_node", "segments": "segment"},
    "cores.yaml": {"cores": "core", "core_areas": "core_area"},
    "parks.yaml": {None: "park"},
    "platforms.yaml": {None: "platform"},
    "tasks.yaml": {None: "task"},
}


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (also on line {seen[key] + 1}); "
                    "keep one of them", key_node.start_mark)
            if isinstance(key, (str, int, float, bool)):
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A data file's text (UTF-8, with or without BOM), or a problem saying how to save it."""
    try:
        raw = path.read_bytes()
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


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    text, problems = read_text(path)
    if text is None:
        return None, problems
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader), []
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        what = getattr(err, "problem", None) or str(err)
        return None, [Problem.error(path.name, "-", where, f"not valid YAML: {what}")]


def _sections(doc: Any, file: str, spec: dict[str | None, str]) -> tuple[dict, list[Problem]]:
    """Split a file into its lists of raw entries, one per kind."""
    if None in spec:
        if not isinstance(doc, list):
            return {}, [Problem.error(file, "-", "-", "file must be a YAML list of entries")]
        return {spec[None]: doc}, []
    if not isinstance(doc, dict):
        return {}, [Problem.error(file, "-", "-", f"file must be a mapping with {', '.join(spec)}")]
    problems = [Problem.error(file, "-", str(k), "unknown top-level key")
                for k in doc if k not in spec and k != "node_lists"]
    out = {}
    for key, kind in spec.items():
        value = doc.get(key)
        if kind == "axis":
            value = [value] if isinstance(value, dict) else value
        if not isinstance(value, list):
            problems.append(Problem.error(file, "-", key, "missing, or not a list"))
            continue
        if not value:
            problems.append(Problem.error(file, "-", key, f"has no entries (expected the {KIND_ZH[kind]} entries)"))
            continue
        out[kind] = value
    return out, problems


def _node_lists(raw: Any, file: str) -> tuple[tuple[NodeList, ...], list[Problem]]:
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [Problem.error(file, "-", "node_lists", "must be a list of {id, doc, section, quote, places}")]
    out, problems = [], []
    for i, item in enumerate(raw):
        nid = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            if not isinstance(item, dict) or set(item) - {"id", "doc", "section", "quote", "places"}:
                raise FieldError("must have exactly id, doc, section, quote, places")
            src = parse_source({k: item.get(k) for k in ("doc", "section", "quote")})
            out.append(NodeList(str(nid), src, parse_texts(item.get("places"))))
        except FieldError as err:
            problems.append(Problem.error(file, str(nid), "node_lists", str(err)))
    return tuple(out), problems


def _documents(raw: Any, file: str) -> tuple[dict[str, str], list[Problem]]:
    """documents.yaml: a list of {doc, title_zh, ...}, each document once."""
    if not isinstance(raw, list) or not raw:
        return {}, [Problem.error(file, "-", "-", "must be a non-empty list of {doc, title_zh} entries")]
    out: dict[str, str] = {}
    problems = []
    for i, d in enumerate(raw):
        did = d.get("doc") if isinstance(d, dict) and isinstance(d.get("doc"), str) else f"#{i + 1}"
        try:
            if not isinstance(d, dict):
                raise FieldError("entry must be a mapping of fields")
            doc, title = parse_text(d.get("doc")), parse_text(d.get("title_zh"))
        except FieldError as err:
            problems.append(Problem.error(file, did, "doc/title_zh", str(err)))
            continue
        if doc in out:
            problems.append(Problem.error(file, doc, "doc", "document listed twice"))
            continue
        out[doc] = title
    return out, problems


def load_layout(directory: Path) -> tuple[Layout, list[Problem]]:
    """Every entry that parses, plus every problem; duplicate ids are reported, never merged."""
    layout, problems = Layout(), []
    docs, p = read_yaml(directory / "documents.yaml")
    problems += p
    if not p:
        layout.documents, p = _documents(docs, "documents.yaml")
        problems += p
    for file, spec in FILES.items():
        doc, p = read_yaml(directory / file)
        problems += p
        if p:
            continue
        if doc is None or doc == [] or doc == {}:
            problems.append(Problem.error(file, "-", "-", "file is empty: it must hold the "
                                          f"{' and '.join(KIND_ZH[k] for k in spec.values())} entries"))
            continue
        sections, p = _sections(doc, file, spec)
        problems += p
        for kind, items in sections.items():
            for i, raw in enumerate(items):
                entry, p = parse_entry(raw, KINDS[kind], file, i)
                problems += p
                if entry is None:
                    continue
                if entry.id in layout.entries:
                    first = layout.entries[entry.id].file
                    problems.append(Problem.error(file, entry.id, "id", f"duplicate id (also in {first})"))
                    continue
                layout.entries[entry.id] = entry
        if file == "axis.yaml" and isinstance(doc, dict):
            layout.node_lists, p = _node_lists(doc.get("node_lists"), file)
            problems += p
    return layout, problems
