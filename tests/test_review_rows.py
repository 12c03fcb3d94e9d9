"""A review after a data change: the row it answered changed → to recheck, with what changed;
unchanged → it stands; gone from the sheet → to recheck as removed. Never silently kept or dropped."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from geo.data.validate import load_checked
from geo.review.model import RECHECK, Review, ReviewError
from geo.review.rows import REMOVED, check_key, seen_of, sheet_rows, state_of
from tests.conftest import edit_yaml

PARK = "park:park-nansha-it-park"
TASK = "task:task-003-02"


def reviewed(checked, key: str, lang: str = "en") -> Review:  # type: ignore[no-untyped-def]
    row = sheet_rows(checked, district="南沙区", lang=lang)[key]  # type: ignore[arg-type]
    return Review(district="南沙区", key=key, status="confirmed", revision=checked.revision, lang=lang,  # type: ignore[arg-type]
                  seen=seen_of(row), comment="", point=None, point_note="", added_name="", added_kind="",
                  version=1, user="n", at=None)  # type: ignore[arg-type]


def test_changed_row_is_to_recheck_and_others_stand(data_copy: Path) -> None:
    before = load_checked(data_copy)
    park, task = reviewed(before, PARK), reviewed(before, TASK, "zh")

    def new_role(doc):  # type: ignore[no-untyped-def]
        next(p for p in doc if p["id"] == "park-nansha-it-park")["role_en"] = "A new English role"

    edit_yaml(data_copy / "parks.yaml", new_role)
    after = load_checked(data_copy)
    assert after.revision != before.revision
    assert state_of(park, checked=after) == (RECHECK, ["role"])
    assert state_of(task, checked=after) == ("confirmed", [])  # its row did not change
    assert state_of(park, checked=before) == ("confirmed", [])  # same revision: it stands


def test_a_row_gone_from_the_sheet_is_to_recheck_as_removed() -> None:
    checked = load_checked()
    gone = Review(**{**reviewed(checked, PARK).__dict__, "key": "park:park-that-was", "revision": "000000000000"})
    assert state_of(gone, checked=checked) == (RECHECK, [REMOVED])


def test_keys_are_checked_against_the_districts_sheet() -> None:
    checked = load_checked()
    check_key(checked, district="南沙区", key=PARK)
    check_key(checked, district="南沙区", key="addition:1f2e3d4c")
    with pytest.raises(ReviewError, match="not a row"):
        check_key(checked, district="天河区", key=PARK)
    with pytest.raises(ReviewError, match="unknown district"):
        check_key(checked, district="Nansha", key=PARK)


def test_a_review_kept_with_the_old_id_separator_is_not_to_recheck_but_another_id_is() -> None:
    """Before issue 22 a row's ids were joined with "、"; a review kept then still stands when
    only the separator differs, and is to recheck when an id really changed."""
    checked = load_checked()
    key = next(k for k, r in sheet_rows(checked, district="南沙区", lang="en").items() if len(r.ids) > 1)
    review = reviewed(checked, key)
    ids = review.seen["ids"]
    old = replace(review, revision="0" * 12, seen={**review.seen, "ids": ids.replace(", ", "、")})
    assert "、" in old.seen["ids"] and state_of(old, checked=checked) == ("confirmed", [])
    other = replace(old, seen={**old.seen, "ids": old.seen["ids"] + "、park-elsewhere"})
    assert state_of(other, checked=checked) == (RECHECK, ["ids"])
