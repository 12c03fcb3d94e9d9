"""Cheap reruns (issue 21): what a rerun would otherwise redo is made once per data revision, or
set aside, so that a toggle or a district switch costs a few tens of ms of server CPU
(bench/README.md has the figures).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.maps.payload import DataKey
from geo.maps.view import CITY, view_of
from geo.settings import settings
from geo.ui import live as live_module
from geo.ui import serve
from geo.ui.live import Live

CITY_ZH = DataKey(part="layout", lang="zh", gcj02=False, doc=None, system=None)


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """The test may set the heap aside from the collector (gc.freeze); the tests after it may not."""
    yield
    gc.unfreeze()


def test_after_the_warm_up_a_collection_after_a_run_scans_little(unfrozen: None):
    # Streamlit collects every generation after each script run (runner.postScriptGC); with the
    # loaded data, documents and library in the heap that took ~120 ms of CPU per rerun.
    serve._warm()
    frozen, scanned = gc.get_freeze_count(), len(gc.get_objects())
    assert frozen > 100_000 and scanned < frozen / 10
    start = time.thread_time()
    gc.collect()
    assert time.thread_time() - start < 0.03


def test_the_warm_up_frames_every_place_so_a_search_hit_projects_nothing(data_copy: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    state = Live(data_copy)
    state.warm()
    checked, _ = state.current()

    def projected(*_args: object) -> None:
        raise AssertionError("a search hit's view was made in the rerun")

    monkeypatch.setattr(live_module, "view_of", projected)
    for place in checked.points:  # found while a district is chosen too: the place is framed
        for district in (CITY, checked.districts[0].name_zh):
            state.view(revision=checked.revision, doc=None, system=None, district=district, hit=place)


def test_a_view_is_what_view_of_frames_for_any_district_and_hit(data_copy: Path):
    state = Live(data_copy)
    checked, _ = state.current()
    unplaced = next(e for e in checked.entries if e not in checked.points)
    for district in (CITY, *(d.name_zh for d in checked.districts[:3])):
        for hit in (None, "no-such-entry", unplaced, *list(checked.points)[:8]):
            got = state.view(revision=checked.revision, doc=None, system=None, district=district, hit=hit)
            assert got == view_of(checked, district, hit), (district, hit)


def test_the_page_names_its_documents_by_its_version_without_looking_at_the_folder(
        data_copy: Path, monkeypatch: pytest.MonkeyPatch):
    state = Live(data_copy)
    checked, _ = state.current()
    current = state.url(CITY_ZH)

    def looked(_directory: Path) -> str:
        raise AssertionError("the data folder was looked at again")

    monkeypatch.setattr(live_module, "data_fingerprint", looked)
    assert state.url(CITY_ZH, revision=checked.revision) == current
    with pytest.raises(LookupError):
        state.url(CITY_ZH, revision="000000000000")


def test_settings_are_read_again_only_when_the_environment_changes(monkeypatch: pytest.MonkeyPatch):
    assert settings() is settings()
    monkeypatch.setenv("GZMAP_REVIEW_NUMBER", "GS(2026)0001")
    assert settings().review_number == "GS(2026)0001"
    monkeypatch.setenv("GZMAP_REVIEW_NUMBER", "GS(2026)0002")
    assert settings().review_number == "GS(2026)0002"
