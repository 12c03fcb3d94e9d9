"""中文 / English: every interface text has both languages, and an English page shows Chinese only
where the data has nothing else (names and quotes as printed, marked as Chinese)."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from geo.exports.district_sheet import COLUMNS, district_sheet
from geo.exports.sheet_export import to_csv
from geo.i18n import LANG_NAMES, catalogue
from geo.maps.basemaps import BASEMAPS
from layers import build_layers
from tests.mapdocs import layout, members, popups
from tests.shipped import shipped

ROOT = Path(__file__).resolve().parents[1]
CHECKED = shipped()
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def as_printed() -> list[str]:
    """The Chinese the data holds with no English beside it: names (shown next to the English),
    sections and quotes as printed, working notes, boundary notes, location methods."""
    out = set()
    for e in CHECKED.entries.values():
        out |= {getattr(e, f, None) or "" for f in ("name_zh", "notes", "boundary_note", "district_basis")}
        out |= set(getattr(e, "aliases", ()))
        out |= {s.section for s in getattr(e, "sources", ())} | {s.quote for s in getattr(e, "sources", ())}
        for role in getattr(e, "segment_roles", ()):
            out |= {s.section for s in role.sources} | {s.quote for s in role.sources}
        loc = getattr(e, "location", None)
        out.add(loc.method if loc else "")
    return sorted((s for s in out if s), key=len, reverse=True)


AS_PRINTED = as_printed()


def untranslated(text: str) -> str:
    """What is left of `text` once the data's own Chinese is taken out: Chinese here is a gap."""
    for s in AS_PRINTED:
        text = text.replace(s, "")
    return "".join(HAN.findall(text))


def code_keys() -> tuple[set[str], set[str]]:
    """Catalogue keys the code asks for: literal ones, and the prefixes of keys it builds; a
    style's legend label (layers.Style's first argument) is a key too."""
    literal, prefixes = set(), set()
    for path in [ROOT / "app.py", *(ROOT / "geo").rglob("*.py"), *(ROOT / "layers").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for call in re.findall(r"""\b(?:t|Style)\(\s*(f?["'][^)]*)""", text):  # the key: one or two literals
            literal |= set(re.findall(r"""(?<!f)["']([a-z_]+\.[\w.]+)["']""", call))
            prefixes |= set(re.findall(r"""f["']([\w.]+)\{""", call))
    return literal, prefixes


def test_every_text_has_both_languages_and_every_key_is_used():
    texts = catalogue()
    assert all(set(v) == {"zh", "en"} and v["zh"].strip() and v["en"].strip() for v in texts.values()), \
        [k for k, v in texts.items() if set(v) != {"zh", "en"} or not all(x.strip() for x in v.values())]
    assert not [k for k, v in texts.items() if HAN.search(v["en"])], "English texts with Chinese in them"
    literal, prefixes = code_keys()
    assert literal - set(texts) == set(), "the code asks for texts the catalogue lacks"
    unused = [k for k in texts if k not in literal and not any(k.startswith(p) for p in prefixes)]
    assert unused == [], "texts nothing shows"


def test_every_name_the_maps_and_sheets_use_has_its_english():
    for e in CHECKED.entries.values():
        assert getattr(e, "name_en", "x").strip() and not HAN.search(getattr(e, "name_en", "")), e.id
        basis = getattr(e, "name_en_basis", "translation")  # ours, the documents', or an official page's
        assert basis in ("translation", "document") or basis.startswith("https://"), e.id
        if hasattr(e, "role_zh") and e.kind != "node_list":
            assert e.role_en and not HAN.search(e.role_en), e.id
    assert all(d.name_en and not HAN.search(d.name_en) for d in CHECKED.districts)
    assert all(unit.name_en and not HAN.search(unit.name_en) for unit in CHECKED.units.values())
    for layer in build_layers(CHECKED, lang="en"):
        assert layer.title and not HAN.search(layer.title)
        assert not [s.label("en") for s in layer.legend if HAN.search(s.label("en"))]
        assert not [i.kind_label for i in layer.items if HAN.search(i.kind_label)]
    assert not [b.key for b in BASEMAPS.values() if HAN.search(b.label("en"))]


class VisibleText(HTMLParser):
    """The text a reader sees, leaving out what is marked as Chinese (lang="zh-CN")."""

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "input", "meta", "link"):
            self.stack.append(dict(attrs).get("lang", "").startswith("zh"))

    def handle_endtag(self, tag):
        if tag not in ("br", "img", "input", "meta", "link") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.parts.append(data)


def visible(html_text: str) -> str:
    parser = VisibleText()
    parser.feed(html_text)
    return " ".join(parser.parts)


def test_the_english_web_map_shows_no_chinese_outside_what_is_marked_as_chinese():
    data, details = layout(CHECKED, lang="en"), popups(CHECKED, lang="en")
    assert data["lang"] == "en"
    drawn = members(data)
    assert {m["id"] for m in drawn} <= set(details)  # every marker's popup is among the shown texts
    shown = [visible(p) for p in details.values()] + [visible(layer["legend"]) for layer in data["layers"]]
    shown += [html.unescape(m[k]) for m in drawn for k in ("label", "kind")]
    shown += [html.unescape(d["text"]) for d in data["districts"]] + [html.unescape(v) for v in data["text"].values()]
    leaks = {s[:60]: HAN.findall(s) for s in shown if HAN.search(s)}
    assert leaks == {}
    # ...and the Chinese that is shown (names as printed, quotes) is marked, for readers and tools.
    assert any('class="gz-name-en" lang="zh-CN">广州国际生物岛<' in p for p in details.values())


def test_the_english_sheet_speaks_english_but_for_the_sections_and_quotes_as_printed():
    for district in ("南沙区", "海珠区", "黄埔区"):
        sheet = district_sheet(CHECKED, district, lang="en")
        assert sheet.counts() and not any(HAN.search(sheet.title(g)) for g in sheet.counts())
        for row in sheet.rows:
            for column, value in row.cells().items():
                if column != "quotes":
                    assert untranslated(value) == "", (district, row.ids, column, value)
        header = to_csv(sheet).lstrip("\ufeff").splitlines()[0]
        assert header.split(",") == [sheet.header(c) for c in COLUMNS] and not HAN.search(header)


def app_strings(at: AppTest) -> list[str]:
    """Every string the page's elements carry (labels, options, help, text, HTML)."""
    out = []

    def strings(value):
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            strings(MessageToDict(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


@pytest.mark.parametrize("query", [{"lang": "en"}, {"lang": "en", "district": "南沙区"},
                                   {"lang": "en", "place": "park-bio-island"}])
def test_the_english_app_shows_no_untranslated_interface_text(query: dict):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception and not at.warning
    strings = app_strings(at)
    assert any("Layers" in s for s in strings)  # the walk reached the sidebar
    plain = [re.sub(r"\\(.)", r"\1", s) for s in strings]  # markdown escapes (geo.safe.md_text) undone
    leaks = sorted({s[:80] for s in plain
                    if untranslated(visible(s) if "<" in s else s) and s != LANG_NAMES["zh"]})
    assert leaks == []
