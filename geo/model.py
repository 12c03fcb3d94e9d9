"""The layout as typed records: what geo.schema builds from data/ and every renderer reads."""
from __future__ import annotations

from dataclasses import dataclass, field

DISTRICT_GROUPS = ("中部", "东部北部", "南部")
TIERS = {
    "national-lab": "国家实验室",
    "tech-innovation-centre": "国家技术创新中心",
    "major-facility": "重大科技基础设施",
    "provincial-lab": "省实验室",
    "research-institute": "高水平创新研究院",
    "other": "其他平台",
}
# Layer names as used in exports (issue 2): one per kind of entry.
LAYERS = ("district", "axis", "axis_node", "core", "core_area", "park", "platform", "task")
# A task whose responsible units are all, or the relevant, district governments.
SCOPE_ZH = {"all": "各区政府", "relevant": "各相关区政府"}
KIND_ZH = {"axis": "科技创新轴", "segment": "一轴分段", "axis_node": "一轴节点", "core": "创新核",
           "core_area": "一区片区", "park": "多点园区", "platform": "平台", "task": "任务"}


@dataclass(frozen=True)
class Source:
    doc: str
    section: str
    quote: str


@dataclass(frozen=True)
class Location:
    lon: float
    lat: float
    precision_m: float
    method: str


@dataclass(frozen=True)
class NamedPlace:
    """A place a segment names, linked to an entry where the data has one."""

    name_zh: str
    ref: str | None


@dataclass
class Entry:
    """One cited fact with a place (or, for tasks, without one).

    Fields a layer does not use stay at their defaults; geo.schema says which layer uses which.
    """

    id: str
    layer: str
    file: str
    name_zh: str
    name_en: str
    role_zh: str
    sources: tuple[Source, ...]
    notes: str = ""
    districts: tuple[str, ...] = ()
    location: Location | None = None
    boundary_note: str = ""  # explains a declared district that differs from the polygon
    district_basis: str = ""  # why the declared district is what it is, where no plan says so
    group: str = ""  # park: 中部 | 东部北部 | 南部
    kind: str = ""  # core: 一区 | 三城
    tier: str = ""  # platform
    core: str = ""  # core_area: id of its core
    area_km2_published: float | None = None
    extent: str = ""  # core_area: "schematic-circle"
    place: str = ""  # axis_node: id of the core or park it stands on
    pole: bool = False
    places: tuple[str, ...] = ()  # platform, task: ids of places it is tied to
    platforms: tuple[str, ...] = ()  # park, core: ids of platforms
    named_places: tuple[NamedPlace, ...] = ()  # segment
    lead_units: tuple[str, ...] = ()  # task
    district_scope: str = ""  # task: named | all | relevant


@dataclass(frozen=True)
class NodeList:
    """One document's own list of axis nodes, kept as printed."""

    id: str
    source: Source
    places: tuple[str, ...]


@dataclass
class Layout:
    entries: dict[str, Entry] = field(default_factory=dict)
    node_lists: tuple[NodeList, ...] = ()
    documents: dict[str, str] = field(default_factory=dict)  # file name -> title

    def layer(self, name: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.layer == name]

    @property
    def axis(self) -> Entry:
        return self.layer("axis")[0]

    def platforms_at(self, entry: Entry) -> list[Entry]:
        """Platforms tied to a place (a node's: to the core or park it stands on), either side
        of the link; empty for entries that are not places."""
        place = self.entries.get(entry.place or entry.id)
        if place is None or place.layer not in ("core", "core_area", "park"):
            return []
        return [p for p in self.layer("platform") if place.id in p.places or p.id in place.platforms]
