"""The review controls of the district page (geo/ui/review_page.py) through AppTest."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT

NANSHA, ROW = "南沙区", "park:park-nansha-it-park"


def test_two_quick_changes_by_the_same_reviewer_both_land(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A status and then a comment sent before the page is drawn again (one rerun runs both
    callbacks): the comment builds on the status just saved instead of being refused as a
    conflict with the reviewer's own answer."""
    from geo.ui import review_page
    from geo.ui.identity import _SESSION, _Session

    monkeypatch.setenv("GZMAP_STATE", str(tmp_path))
    review_page.store.clear()
    try:
        store = review_page.store()
        store.add_user(name="nansha", password="correct horse 42", districts=[NANSHA], role="reviewer")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["district"] = NANSHA
        at.session_state[_SESSION] = _Session("nansha", time.monotonic())
        at.run()
        at.selectbox(key="rv_row").set_value(ROW).run()
        at.radio(key=f"rv_status|{ROW}").set_value("disputed")
        at.text_area(key=f"rv_comment|{ROW}").input("位置应在北区")
        at.run()
        assert not at.exception and not at.warning and not at.error
        stored = store.reviews(district=NANSHA)[ROW]
        assert (stored.status, stored.comment, stored.user) == ("disputed", "位置应在北区", "nansha")
        assert stored.version == 2  # two saves, the second on top of the first
    finally:
        review_page.store.clear()
