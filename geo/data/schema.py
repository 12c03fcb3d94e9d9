"""The data's JSON Schema and data/README's field tables, generated from geo.data.records.

`python -m geo schema --out data/schema` writes one schema per data file; each YAML file names
its schema in its first line (`# yaml-language-server: $schema=...`), so an editor with a YAML
language server checks the file as it is typed. `python -m geo schema --readme` rewrites the
field tables in data/README.md. Tests check that both are up to date.
"""
from __future__ import annotations

import datetime as dt
import re
import typing
from pathlib import Path
from types import GenericAlias
from typing import Any

from pydantic import BaseModel, TypeAdapter

from geo.data.kinds import KINDS, Kind, files, sections
from geo.data.records import Document, Edition, Unit
from geo.settings import ROOT

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"


def _list_of(model: type[BaseModel]) -> GenericAlias:
    """list[model] for a model known only at run time (the registry's)."""
    return GenericAlias(list, (model,))


def _schema_of(kinds: list[Kind]) -> dict[str, Any]:
    if kinds[0].section is None:
        return TypeAdapter(_list_of(kinds[0].model)).json_schema()
    props: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for section, kind in sections(kinds).items():
        sub = TypeAdapter(kind.model if kind.single else _list_of(kind.model)).json_schema(
            ref_template="#/$defs/{model}")
        defs.update(sub.pop("$defs", {}))
        props[section] = sub
    return {"type": "object", "properties": props, "required": list(props),
            "additionalProperties": False, "$defs": defs}


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name of the schema -> JSON Schema, for every data file."""
    out = {"documents.schema.json": TypeAdapter(list[Document]).json_schema(),
           "units.schema.json": TypeAdapter(list[Unit]).json_schema(),
           "edition.schema.json": TypeAdapter(Edition).json_schema()}
    for file, kinds in files().items():
        out[file.replace(".yaml", ".schema.json")] = _schema_of(kinds)
    for name, schema in out.items():
        out[name] = {"$schema": SCHEMA_URL, "title": name.replace(".schema.json", ".yaml"), **schema}
    return out


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(str(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " \\| ".join(_type_name(a) for a in args)
    if origin is tuple:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "{" + ", ".join(annotation.model_fields) + "}"
    plain: dict[object, str] = {str: "text", float: "number", bool: "true/false", int: "number",
                                dt.date: "date (YYYY-MM-DD)"}
    return plain.get(annotation, str(annotation))


def field_table(model: type[BaseModel]) -> str:
    rows = ["| field | type | required | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        rows.append(f"| `{name}` | {_type_name(info.annotation)} | {'yes' if info.is_required() else ''} "
                    f"| {info.description or ''} |")
    return "\n".join(rows)


TABLE = re.compile(r"(<!-- fields: (\w+) -->\n)(.*?)(<!-- /fields -->)", re.S)


def readme_with_tables(text: str) -> str:
    """data/README.md with every `<!-- fields: kind -->` block regenerated from its model."""
    def table(m: re.Match) -> str:
        listed: dict[str, type[BaseModel]] = {"document": Document, "unit": Unit, "edition": Edition}
        model = listed.get(m.group(2)) or KINDS[m.group(2)].model
        return m.group(1) + field_table(model) + "\n" + m.group(4)
    return TABLE.sub(table, text)


def readme_path() -> Path:
    return ROOT / "data" / "README.md"
