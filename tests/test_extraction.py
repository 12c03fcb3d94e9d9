"""Every place-tied platform the plans name is in the data (issue 10), checked by a rule; issue 23
widened it to the whole of 001 五 and 002 第二章 and to universities, campuses and development zones.

The rule, applied to the spatial chapters of the documents (SCOPES below, whitespace removed):
a candidate is a run of text that ends with one of SUFFIXES and starts after the nearest
punctuation mark before it. A candidate is covered when it ends with the name or an alias of an
entry (parenthesised parts such as （广州） ignored), or when it is listed, with the reason it is
not an entry, in tests/fixtures/extraction_exclusions.yaml (exact text, one reason each).
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from geo.data.validate import load_checked
from geo.settings import settings

# Platforms, then the institutions and zones the text may tie to a place (大学, 校区, 开发区).
SUFFIXES = ("实验室", "研究院", "研究所", "中心", "装置", "设施", "基地", "医院", "平台", "大学", "校区", "开发区")
# (document, from, to): the body text from the last `from` (past the table of contents) to the
# next `to` (None: to the end). 001: chapters 三 and 五 whole, and 六（一）3 to 六（二）1 with their
# 重大工程 boxes; 002: 第二章 whole (every 节, with 专栏３); 003 and 004: all their actions and tasks.
SCOPES = (
    ("001_c53a813f44610f0f.txt", "三、优化提升空间布局，擘画科技创新蓝图", "四、坚持“四个面向”，强化科技重点领域部署"),
    ("001_c53a813f44610f0f.txt", "五、聚焦科学发现，增强源头创新供给能力", "六、抓好技术发明，推进关键核心技术攻关"),
    ("001_c53a813f44610f0f.txt", "3.加快建设产业技术创新重大平台", "2.完善转移转化服务体系"),
    ("002_302d52edf2386795.txt", "第二章大力实施创新驱动发展战略", "第三章巩固壮大实体经济根基"),
    ("003_fadc3f19c3dd5753.txt", "二、建设科技创新强市重点行动", None),
    ("004_d0d840f101352d7b.txt", "二、主要任务", None),
)
PUNCTUATION = "，。、；：！？（）()“”《》〈〉「」【】ꎬꎮꎻ,.;:!?·…—*#|"
EXCLUSIONS = Path(__file__).parent / "fixtures" / "extraction_exclusions.yaml"


def plain(text: str) -> str:
    """Whitespace and the PDF conversion's markdown marks (# and *) removed."""
    return re.sub(r"[\s#*]+", "", text)


def scope_text(doc: str, start: str, end: str | None) -> str:
    text = plain((settings().seeds / doc).read_text(encoding="utf-8"))
    i = text.rindex(start)  # the body, past the table of contents
    return text[i:text.index(end, i) if end else None]


def candidates() -> list[tuple[str, str]]:
    """(document, candidate) for every suffix occurrence in scope, in text order."""
    pattern = re.compile(f"[^{re.escape(PUNCTUATION)}]+?(?:{'|'.join(SUFFIXES)})")
    out = []
    for doc, start, end in SCOPES:
        for run in re.split(f"[{re.escape(PUNCTUATION)}]", scope_text(doc, start, end)):
            for m in pattern.finditer(run):
                out.append((doc, run[:m.end()]))
    return list(dict.fromkeys(out))


def bare(name: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", plain(name))


def test_every_candidate_is_an_entry_or_excluded_with_a_reason():
    checked = load_checked()
    names = {bare(n) for e in checked.entries.values() if hasattr(e, "name_zh")
             for n in (e.name_zh, *getattr(e, "aliases", ())) if n}
    exclusions = yaml.safe_load(EXCLUSIONS.read_text(encoding="utf-8")) or []
    assert all(x.get("reason") for x in exclusions), "every exclusion says why"
    excluded = {(x["doc"], plain(x["text"])) for x in exclusions}
    found = candidates()
    uncovered = [(doc, c) for doc, c in found
                 if not any(c.endswith(n) for n in names if len(n) >= 3) and (doc, c) not in excluded]
    covered_by_data = len([1 for _, c in found if any(c.endswith(n) for n in names if len(n) >= 3)])
    print(f"{len(found)} candidates: {covered_by_data} in the data, {len(found) - covered_by_data - len(uncovered)} "
          f"excluded with a reason, {len(uncovered)} uncovered")
    assert not uncovered, "\n".join(f"{d[:3]} {c}" for d, c in uncovered)
    stale = excluded - set(found)
    assert not stale, f"exclusions that match no candidate: {sorted(stale)[:10]}"
