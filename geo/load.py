"""Read data/ into a Layout: YAML files -> schema -> records, collecting every problem."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from geo.model import Layout, NodeList
from geo.problems import Problem
from geo.schema import KINDS, FieldError, parse_entry, parse_source, parse_texts

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


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [Problem.error(path.name, "-", "-", "file is missing")]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        return None, [Problem.error(path.name, "-", where, f"not valid YAML: {err}")]


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
        out[kind] = value
    return out, problems


def _node_lists(raw: Any, file: str) -> tuple[tuple[NodeList, ...], list[Problem]]:
    out, problems = [], []
    for i, item in enumerate(raw or []):
        nid = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            if not isinstance(item, dict) or set(item) - {"id", "doc", "section", "quote", "places"}:
                raise FieldError("must have exactly id, doc, section, quote, places")
            src = parse_source({k: item.get(k) for k in ("doc", "section", "quote")})
            out.append(NodeList(str(nid), src, parse_texts(item.get("places"))))
        except FieldError as err:
            problems.append(Problem.error(file, str(nid), "node_lists", str(err)))
    return tuple(out), problems


def load_layout(directory: Path) -> tuple[Layout, list[Problem]]:
    """Every entry that parses, plus every problem; duplicate ids are reported, never merged."""
    layout, problems = Layout(), []
    docs, p = read_yaml(directory / "documents.yaml")
    problems += p
    for i, d in enumerate(docs or []):
        if isinstance(d, dict) and isinstance(d.get("doc"), str) and isinstance(d.get("title_zh"), str):
            layout.documents[d["doc"]] = d["title_zh"]
        else:
            problems.append(Problem.error("documents.yaml", f"#{i + 1}", "doc/title_zh", "missing"))
    for file, spec in FILES.items():
        doc, p = read_yaml(directory / file)
        problems += p
        if doc is None:
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
