"""The records of data/: one typed, immutable model per kind of entry (pydantic v2).

Each model is what one YAML entry may hold: `extra="forbid"` (a typo is an error, never
dropped), closed vocabularies as literal types, and text that passed `geo.safe.clean_text`.
`geo.data.kinds` says which file and section holds which kind; `geo.data.load` turns pydantic's errors
into problems naming the file, entry and field; `python -m geo schema` writes the JSON Schema
that editors use to check a YAML file as it is typed.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import reprlib
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from geo.safe import clean_text, shorten

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Closed vocabularies, each value with its Chinese and English name (the English is ours).
GROUPS = {"中部": ("中部", "Central"), "东部北部": ("东部北部", "East and north"),
          "南部": ("南部", "South")}  # 001 §三: the plan's three groups of districts
TIERS = {
    "national-lab": ("国家实验室", "National laboratory"),
    "tech-innovation-centre": ("国家技术创新中心", "National technology innovation center"),
    "major-facility": ("重大科技基础设施", "Major S&T infrastructure facility"),
    "provincial-lab": ("省实验室", "Guangdong provincial laboratory"),
    "research-institute": ("高水平创新研究院", "High-level innovation institute"),
    "other": ("其他平台", "Other platform"),
}
SCOPES = {"all": ("各区政府", "every district government"),  # tasks for every / the relevant district
          "relevant": ("各相关区政府", "the district governments concerned")}
CORE_TYPES = {"一区": ("一区", "the pilot zone"), "三城": ("三城", "one of the three cities")}

Tier = Literal["national-lab", "tech-innovation-centre", "major-facility", "provincial-lab",
               "research-institute", "other"]
Group = Literal["中部", "东部北部", "南部"]


class _Excerpt(reprlib.Repr):
    """repr() bounded in depth, items and length, whatever the value: a message quoting a bad
    value stays one short line, even for a 40 MB string or a deeply nested list."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 3, 60, 60, 40
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 4

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 200:  # repr() refuses past 4,300 digits; no need to try
            return f"<a number of about {int(x.bit_length() * 0.30103) + 1:,} digits>"
        return super().repr_int(x, level)


_EXCERPT = _Excerpt()


def excerpt(value: object, limit: int = 80) -> str:
    """A bad value as a message quotes it: its repr, cut short."""
    return shorten(_EXCERPT.repr(value), limit)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be non-empty text, got {excerpt(value)}")
    return clean_text(value.strip())


def _id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError("use lowercase a-z, 0-9 and '-' only")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {excerpt(value)}")
    return value


OFFICIAL_PAGE = re.compile(r"https://\S+")
_LIST_TAIL = re.compile(r"等(相关部门)?$")


def _name_basis(value: str) -> str:
    if value in ("document", "translation") or OFFICIAL_PAGE.fullmatch(value):
        return value
    raise ValueError(f"must be document, translation or the https:// address of the page where the government "
                     f"or the institution publishes this English name, got {excerpt(value)}")


def _plain_unit(value: str) -> str:
    """A unit once, as counted: 市科技局, never 市科技局等 (the 等 ends the printed list, not the name)."""
    if _LIST_TAIL.search(value):
        raise ValueError(f"{excerpt(value)}: name the unit without the 等 that ends the printed list "
                         "(units_as_printed keeps the 责任单位 as printed)")
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_text)]
Id = Annotated[Text, AfterValidator(_id)]
Finite = Annotated[float, Field(strict=True, allow_inf_nan=True), AfterValidator(_finite)]
Positive = Annotated[Finite, Field(gt=0)]
Ids = tuple[Id, ...]
UnitName = Annotated[Text, AfterValidator(_plain_unit)]
NameBasis = Annotated[Text, AfterValidator(_name_basis),
                      WithJsonSchema({"anyOf": [{"enum": ["document", "translation"]},
                                                {"type": "string", "pattern": "^https://\\S+$"}]})]
NAME_BASIS = ("where name_en comes from: the documents' own English (document), our translation "
              "(translation), or the https:// address of the page where the government or the "
              "institution publishes it")
Districts = Annotated[tuple[Text, ...], BeforeValidator(_one_or_many), Field(min_length=1),
                      WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1},
                                                {"type": "array", "items": {"type": "string"}, "minItems": 1}]})]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Source(Frozen):
    """A citation: document (file in the seeds), section heading as printed, verbatim quote."""

    doc: Text
    section: Text
    quote: Text


Sources = Annotated[tuple[Source, ...], Field(min_length=1)]


def sources_json(sources: Iterable[Source]) -> str:
    """Citations as the exports give them to programs: a JSON array of {doc, section, quote}, in
    order (a section may itself hold "：", so no "doc section：quote" text splits reliably)."""
    return json.dumps([s.model_dump() for s in sources], ensure_ascii=False)


class Location(Frozen):
    """A WGS84 point with how it was placed and how precise it is."""

    lon: Finite
    lat: Finite
    precision_m: Positive = Field(description="radius in metres within which the real place lies")
    method: Text = Field(description="which public source, which method and conversion")


class Part(Frozen):
    """One named part of a zone of several parts (a cluster of campuses, a zone of separate parks):
    the plans name the zone, sources place its parts one by one."""

    name_zh: Text = Field(description="the part's name as the source prints it")
    name_en: Text
    location: Location | None = Field(description="null where no public source places this part")


Parts = Annotated[tuple[Part, ...], Field(description="named parts of a zone of several parts, each with "
                                                      "its own point; `location` stays the zone's point")]


class NamedPlace(Frozen):
    """A place a segment names, linked to an entry where the data has one."""

    name_zh: Text
    ref: Id | None = None


class Record(Frozen):
    """What every cited entry has."""

    id: Id = Field(description="unique across all files: lowercase a-z, 0-9 and '-'")
    name_zh: Text = Field(description="the name as the documents print it")
    name_en: Text = Field(description="English name (the documents' own where they have one)")
    name_en_basis: NameBasis = Field(description=NAME_BASIS)
    role_zh: Text = Field(description="concise 定位 taken from the text")
    role_en: Text | None = Field(None, description="role_zh in English: a translation, not a quote")
    sources: Sources = Field(description="at least one citation")
    notes: Text | None = Field(None, description="disagreements between documents, explanations")
    aliases: tuple[Text, ...] = Field((), description="other names as printed in the documents")


class Place(Record):
    """A place of the plans: platforms stand at it, axis nodes on it. Not every one is located."""

    district: Districts = Field(description="declared district(s): one name or a list")
    location: Location | None = Field(description="null where no public source places it: it is then "
                                                  "listed, not drawn")
    boundary_note: Text | None = Field(None, description="why the point lies in another district's polygon")
    district_basis: Text | None = Field(None, description="why the declared district is what it is")
    platforms: Ids = Field((), description="ids of platforms the documents place here")
    parts: Parts = ()


class LocatedPlace(Place):
    """A place the plans' own maps locate, so its point is required."""

    location: Location


class Core(LocatedPlace):
    kind: Literal["core"] = "core"
    core_type: Literal["一区", "三城"] = Field(description="the 一区 or one of the 三城")


class CoreArea(LocatedPlace):
    kind: Literal["core_area"] = "core_area"
    core: Id = Field(description="id of the core it is part of")
    area_km2_published: Positive | None = Field(None, description="area the plan publishes, km²")
    extent: Literal["schematic-circle"] | None = Field(None, description="how the area is drawn")

    @model_validator(mode="after")
    def _area_and_extent(self) -> CoreArea:
        if (self.area_km2_published is None) != (self.extent is None):
            raise ValueError("extent: a published area and extent: schematic-circle go together")
        return self


class Park(Place):
    kind: Literal["park"] = "park"
    group: Group = Field(description="the 多点 group of 001 §三")


class Platform(Record):
    kind: Literal["platform"] = "platform"
    tier: Tier
    places: Ids = Field(description="ids of the cores, core areas or parks the documents tie it to")
    district: Districts | None = Field(None, description="district(s), where a document or source says")
    basis: Literal["stated", "inferred from order"] | None = Field(
        None, description="how `district` is known: stated, or inferred from the order of a list")
    location: Location | None = None
    boundary_note: Text | None = None
    district_basis: Text | None = None
    parts: Parts = ()


class Task(Record):
    kind: Literal["task"] = "task"
    units_as_printed: Text = Field(description="the whole 责任单位 as printed, 等 and all")
    lead_units: Annotated[tuple[UnitName, ...], Field(
        min_length=1, description="units before the first “，” of the 责任单位, each as units.yaml names it "
                                  "(without the list's 等)")]
    supporting_units: tuple[UnitName, ...] = Field(
        (), description="units after the first “，” of the 责任单位, each as units.yaml names it")
    districts: tuple[Text, ...] = Field((), description="districts named in the 责任单位")
    district_scope: Literal["named", "all", "relevant"] = Field(description="named, 各区政府 or 各相关区政府")
    places: Ids = Field((), description="ids of the places the task names")
    platforms: Ids = Field((), description="ids of the platforms the task names")

    @model_validator(mode="after")
    def _scope(self) -> Task:
        if (self.district_scope == "named") != bool(self.districts):
            raise ValueError("districts: list the districts when district_scope is named, and only then")
        return self


class Axis(Record):
    kind: Literal["axis"] = "axis"


class SegmentRole(Frozen):
    """What one segment paragraph says a node does."""

    segment: Id = Field(description="id of the segment")
    role_zh: Text
    role_en: Text | None = Field(None, description="role_zh in English: a translation, not a quote")
    sources: Sources


class AxisNodeData(Frozen):
    """A node as written in axis.yaml: it stands on a core or park and takes its name from it."""

    kind: Literal["axis_node"] = "axis_node"
    id: Id
    place: Id = Field(description="id of the core or park it stands on")
    pole: StrictBool = Field(description="true for the two poles, first and last")
    role_zh: Text = Field(description="what the segment paragraph says the node does")
    role_en: Text | None = Field(None, description="role_zh in English: a translation, not a quote")
    sources: Sources = Field(description="at least one citation")
    notes: Text | None = None
    segment_roles: tuple[SegmentRole, ...] = Field((), description="its role in each segment that names it")


class AxisNode(AxisNodeData):
    """A node once loaded: with the name, aliases and districts of the place it stands on."""

    name_zh: str
    name_en: str
    name_en_basis: str
    aliases: tuple[str, ...] = ()
    district: tuple[str, ...] = ()


class Segment(Record):
    kind: Literal["segment"] = "segment"
    district: Districts = Field(description="the district(s) the segment runs through")
    places: tuple[NamedPlace, ...] = Field(description="places the paragraph names, with ids where known")


class NodeList(Frozen):
    """One document's own list of axis nodes, kept as printed."""

    kind: Literal["node_list"] = "node_list"
    id: Id
    doc: Text
    section: Text
    quote: Text
    places: Ids

    @property
    def sources(self) -> tuple[Source, ...]:
        return (Source(doc=self.doc, section=self.section, quote=self.quote),)


class Document(Frozen):
    """One planning document of ../shared/seeds/."""

    doc: Text = Field(description="file name in the seeds")
    title_zh: Text = Field(description="full title as printed")
    short_zh: Text | None = Field(None, description="short title shown in popups and sheets")
    abbr_zh: Text | None = Field(None, description="a few characters, for crowded print tables")
    title_en: Text | None = Field(None, description="English title (a translation unless noted)")
    short_en: Text | None = Field(None, description="short English title shown in popups and sheets")
    abbr_en: Text | None = Field(None, description="a few words, for crowded print tables")
    year: Annotated[int, Field(strict=True, ge=1990, le=2100)] | None = None
    period: Text | None = Field(None, description="the period the document plans for, e.g. 2019—2021")
    issuer_zh: Text | None = None
    date: Text | None = None


class Edition(Frozen):
    """edition.yaml: when the data were last edited. The revision (a hash of the files) names an
    edit exactly; this date says when it was made, for title blocks and prints."""

    date: dt.date = Field(description="the day the data files were last edited: change it with every edit")


class Unit(Frozen):
    """A responsible unit (责任单位) as the tasks print it, with its English name."""

    name_zh: UnitName = Field(description="the unit as the tasks count it: one name per unit, without the "
                                          "等 that ends a printed list")
    name_en: Text
    name_en_basis: NameBasis = Field(description=NAME_BASIS)


class PlatformSystem(Record):
    """One document's reading of the strategic platform system (e.g. “1+2+4+4+N”)."""

    kind: Literal["platform_system"] = "platform_system"
    doc: Text = Field(description="the document whose reading this is")
    members: dict[Tier, Ids] = Field(description="platform ids per tier, as that document counts them")


# An entry as its data file holds it: what the registry's models (geo.data.kinds) parse.
FileEntry = Union[Core, CoreArea, Park, Platform, Task, Axis, AxisNodeData, Segment, NodeList, PlatformSystem]
# An entry once loaded (geo.data.model): each node has taken its place's name and districts.
Entry = Annotated[Union[Core, CoreArea, Park, Platform, Task, Axis, AxisNode, Segment, NodeList,
                        PlatformSystem],
                  Field(discriminator="kind")]


def citations(record: BaseModel, path: str = "") -> list[tuple[str, Source]]:
    """Every source inside a record, with its field path (sources[0], segment_roles[1].sources[0])."""
    if isinstance(record, NodeList):  # a node list is one citation
        return [("", record.sources[0])]
    out = []
    for name in type(record).model_fields:
        value = getattr(record, name)
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            where = f"{path}{name}[{i}]" if isinstance(value, tuple) else f"{path}{name}"
            if isinstance(item, Source):
                out.append((where + ".", item))
            elif isinstance(item, BaseModel):
                out += citations(item, where + ".")
    return out
