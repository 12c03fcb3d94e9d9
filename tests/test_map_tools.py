"""Issue 22 without a browser: the title block's texts, the link's view that is kept, and the
English and Chinese polish (what the print map, the sheet and the popups say)."""
from __future__ import annotations

import html
import json
import re

import pytest
from matplotlib.text import Text

from geo.exports.district_sheet import district_sheet
from geo.maps.payload import DataKey, document
from geo.maps.static_map import map_figure
from geo.safe import html_text
from geo.maps.title_block import title_block
from geo.ui.link import kept_view
from layers import build_layers
from tests.shipped import shipped

CHECKED = shipped()


def test_the_title_block_names_the_revision_the_documents_and_a_configured_review_number(monkeypatch):
    monkeypatch.delenv("GZMAP_REVIEW_NUMBER", raising=False)
    block = title_block(CHECKED, lang="zh")
    assert block["revision"] == f"数据版本 {CHECKED.revision}（{CHECKED.edition.date:%Y-%m-%d}）"  # data/edition.yaml
    assert "《广州市“十四五”规划纲要》" in block["documents"] and not block["review"]
    doc = next(d for d in CHECKED.documents if d.startswith("003"))
    one = title_block(CHECKED, lang="en", doc=doc)["documents"]
    assert one == "Based on: Three-Year Action Plan for a Strong S&amp;T Innovation City (2019)"
    explanatory = next(d for d in CHECKED.documents if d.startswith("000"))  # cited by no entry
    assert title_block(CHECKED, lang="en", doc=explanatory)["documents"] == \
        f"Based on: {html_text(CHECKED.document_label(explanatory, 'en'))}"
    monkeypatch.setenv("GZMAP_REVIEW_NUMBER", "粤S(2026)<b>1</b>号")
    assert title_block(CHECKED, lang="zh")["review"] == "审图号：粤S(2026)&lt;b&gt;1&lt;/b&gt;号"


@pytest.mark.parametrize(("value", "kept"), [("23.13,113.32,12.5", "23.13,113.32,12.5"), ("99,abc,3", None),
                                             ("23.1,113.3", None), (None, None)])
def test_only_a_usable_view_stays_in_the_link(value: str | None, kept: str | None):
    assert kept_view(value) == kept


def test_the_english_print_map_counts_unplaced_platforms_in_plain_english():
    fig = map_figure(CHECKED, build_layers(CHECKED, lang="en"), None, "Guangzhou", lang="en")
    shown = " ".join(" ".join(a.get_text().split()) for a in fig.findobj(Text))
    assert re.search(r"\b\d+ more platforms have no known location and are not drawn", shown), shown[-400:]
    assert " entries have" not in shown


def test_english_sheets_join_ids_with_commas():
    cells = [r.cells() for d in CHECKED.districts for r in district_sheet(CHECKED, district=d.name_zh, lang="en").rows]
    assert any(", " in c["ids"] for c in cells) and not any("、" in c["ids"] + c["period"] for c in cells)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_finding_names_the_place_it_refers_to_not_its_id(lang: str):
    popups = json.loads(document(CHECKED, DataKey(part="popups", lang=lang, gcj02=False, doc=None, system=None)))
    findings = {k: html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))
                for k, v in popups.items() if (m := re.search(r'class="gz-finding">(.*?)</div>', v))}
    ids = re.compile("|".join(rf"(?<![\w-]){re.escape(i)}(?![\w-])" for i in CHECKED.entries))
    assert findings and not {k: m.group(0) for k, text in findings.items() if (m := ids.search(text))}
    on_bio_island = [k for k in findings if k != "park-bio-island" and getattr(CHECKED.entries[k], "boundary_note", None)
                     and CHECKED.points[k] == CHECKED.points["park-bio-island"]]
    assert on_bio_island and all("广州国际生物岛" in findings[k] for k in on_bio_island)
