"""Responsible units (issue 23): a unit is counted under one name, whatever 等 ends the printed
list; the 责任单位 as printed stays in units_as_printed."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from geo.data.problems import errors
from geo.data.validate import normalise, validate
from tests.conftest import edit_yaml
from tests.shipped import shipped

CHECKED = shipped()
TASKS = CHECKED.of_kind("task")


def lead_counts() -> Counter[str]:
    return Counter(u for task in TASKS for u in task.lead_units)


def printed_lead(task) -> str:
    """The lead part of the 责任单位 as printed: before its first “，”."""
    return normalise(task.units_as_printed).split("，")[0]


def test_a_lead_unit_is_counted_once_under_its_plain_name():
    counts = lead_counts()
    assert not [u for u in counts if u.endswith(("等", "等相关部门"))], counts
    # Every task whose printed lead names the bureau counts for it, 等 or not: 27 of the 33.
    naming_it = [t.id for t in TASKS if "科技局" in printed_lead(t)]
    assert counts["市科技局"] == len(naming_it) == 27
    assert counts["市发展改革委"] == len([t for t in TASKS if "发展" in printed_lead(t)]) == 18
    assert CHECKED.unit_name("市科技局", "en") == "Municipal Science and Technology Bureau"


def test_units_as_printed_keeps_the_list_as_the_document_prints_it():
    printed = {t.id: t.units_as_printed for t in TASKS}
    with_etc = [i for i, text in printed.items() if "等" in text]
    assert len(with_etc) == 10
    assert printed["task-004-08"] == "市科技局等相关部门，各相关区政府"
    assert "市科技局" in next(t for t in TASKS if t.id == "task-004-08").lead_units
    for task in TASKS:  # the quotes print the 责任单位 the field keeps
        assert any(normalise(task.units_as_printed) in normalise(s.quote) for s in task.sources), task.id


def test_a_lead_unit_written_with_its_list_s_etc_is_refused(data_copy: Path):
    edit_yaml(data_copy / "tasks.yaml", lambda tasks: tasks[0].update(lead_units=["市科技局等"]))
    bad = errors(validate(data_copy, check_quotes=False).problems)
    assert [(p.entry_id, p.field) for p in bad if "without the 等" in p.message] == [("task-003-01", "lead_units[0]")]
