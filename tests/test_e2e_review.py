"""The district review in the app (issue 20): a 南沙区 reviewer marks a row 有误 with a comment and
a point clicked on the map, and it is still there after the app process is killed and started
again; a visitor sees no review; the
bureau's overview counts it; a 天河区 reviewer cannot write a 南沙区 row through the app."""
from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from streamlit.testing.v1 import AppTest

from geo.data.validate import load_checked
from geo.review.model import NotAllowed, ReviewInput
from geo.review.rows import seen_of, sheet_rows
from geo.review.store import ReviewStore, open_store
from tests.browser import ARTIFACTS, ROOT, map_frame, running_app, wait_until

NANSHA, ROW = "南沙区", "park:park-nansha-it-park"  # a place row of 南沙区's sheet (南沙资讯科技园)
SHOTS = ARTIFACTS / "review"
PASSWORD = "correct horse 42"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def store(state: Path) -> ReviewStore:
    """The app's database (SQLite in the server's state folder), with its users made beforehand."""
    made = open_store(url=f"sqlite:///{state / 'reviews.sqlite'}")
    made.add_user(name="nansha", password=PASSWORD, districts=[NANSHA], role="reviewer")
    made.add_user(name="tianhe", password=PASSWORD, districts=["天河区"], role="reviewer")
    made.add_user(name="bureau", password=PASSWORD, districts=[], role="bureau")
    return made


@pytest.fixture(scope="module")
def review_app(state: Path, store: ReviewStore) -> Iterator[str]:
    with running_app(env={"GZMAP_STATE": str(state)}) as url:
        yield url


def sign_in(page: Page, name: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("核对登录").click()
    sidebar.get_by_label("用户名").fill(name)
    sidebar.get_by_label("密码").fill(PASSWORD)
    sidebar.get_by_role("button", name="登录").click()
    expect(sidebar.get_by_text(f"已登录：{name}")).to_be_visible(timeout=20_000)


def settled(page: Page) -> None:
    """Wait for the script's rerun to finish: Streamlit's running indicator gone, and no element
    left over from the run before (they stay, marked stale, until the rerun replaces them)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=30_000)


def keyed(page: Page, key: str) -> Locator:
    """The element of the widget with this key (Streamlit gives it the class st-key-<key>)."""
    return page.locator(".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key))


def review_column(page: Page) -> str:
    """The sheet's tables as text (the review column among them)."""
    return " ".join(page.locator("table.gz-table").all_inner_texts())


@pytest.mark.e2e
def test_review_a_row_restart_visitor_and_bureau(review_app: str, state: Path, store: ReviewStore,
                                                  chromium: Browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{review_app}/?district={NANSHA}")
    sign_in(page, "nansha")
    panel = page.get_by_test_id("stVerticalBlock").filter(has=page.get_by_role("heading", name="核对本区清单")).last
    expect(panel).to_be_visible(timeout=30_000)

    # Pick the row, mark it 有误 (saved at once), comment (saved when the box is left). Each step
    # waits for the page to show the one before: the row's own controls, then its saved state.
    row_state = panel.locator(".gz-review-state")
    panel.get_by_label("选择要核对的行").click()
    page.keyboard.type("南沙资讯科技园")
    page.keyboard.press("Enter")
    expect(panel.get_by_role("combobox", name="选择要核对的行")).to_have_value(re.compile("南沙资讯科技园"))
    settled(page)
    keyed(page, f"rv_status|{ROW}").get_by_role("radiogroup", name="核对结果").get_by_text("有误", exact=True).click()
    wait_until(page, lambda: ROW in store.reviews(district=NANSHA), what="the status saved")
    expect(row_state).to_contain_text("有误", timeout=30_000)
    settled(page)
    comment = keyed(page, f"rv_comment|{ROW}").get_by_label("意见")
    comment.fill("位置应在南沙资讯科技园北区 <b>x</b>")
    comment.press("Control+Enter")
    wait_until(page, lambda: store.reviews(district=NANSHA)[ROW].comment.startswith("位置应在"),
               what="the comment saved")
    expect(row_state).to_contain_text("位置应在", timeout=30_000)
    settled(page)

    # A point clicked on the map (not on a marker), with a note, saved.
    frame = map_frame(page)
    box = frame.locator(".leaflet-container").first.bounding_box()
    assert box is not None
    frame.locator(".leaflet-container").first.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.85})
    expect(panel.get_by_text(re.compile(r"新的建议位置.*113\.\d{5}, 2[23]\.\d{5}"))).to_be_visible(timeout=20_000)
    panel.get_by_label("位置说明").fill("北区入口")
    panel.get_by_role("button", name="保存建议位置").click()
    wait_until(page, lambda: store.reviews(district=NANSHA)[ROW].point is not None, what="the point saved")
    saved = store.reviews(district=NANSHA)[ROW]
    assert (saved.status, saved.point_note, saved.user) == ("disputed", "北区入口", "nansha")
    assert 113 < saved.point.lon < 114 and 22 < saved.point.lat < 23.2  # WGS84, in 南沙
    shown = f"{saved.point.lon:.5f}, {saved.point.lat:.5f}"
    wait_until(page, lambda: shown in review_column(page), what="the row's review in the table")
    # The page's map is told the place's review status for its popup.
    wait_until(page, lambda: frame.evaluate("() => GZ.reviews['park-nansha-it-park']") == "核对：有误",
               what="the map's review status")
    settled(page)
    panel.get_by_role("heading", name="核对本区清单").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "review-1440x900.png")

    # The app process killed mid-use (SIGKILL, no shutdown) and started again on the same state
    # folder: signed in again (a new process, a new session), the review is there.
    killed = subprocess.run(["pkill", "-KILL", "-f", f"server.port {urlsplit(review_app).port} "])
    assert killed.returncode == 0
    with running_app(env={"GZMAP_STATE": str(state)}) as restarted:
        page.goto(f"{restarted}/?district={NANSHA}")
        sign_in(page, "nansha")
        wait_until(page, lambda: shown in review_column(page), what="the review after the restart")
        text = review_column(page)
        assert "有误" in text and "位置应在南沙资讯科技园北区 <b>x</b>" in text and shown in text  # escaped, as typed
        others(chromium, restarted)


def others(chromium: Browser, review_app: str) -> None:
    """The same review seen by a reviewer on a phone, a visitor and the bureau."""
    # A phone: the same controls, one column.
    phone = chromium.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    phone.goto(f"{review_app}/?district={NANSHA}")
    phone.get_by_test_id("stExpandSidebarButton").click()
    sign_in(phone, "nansha")
    phone.get_by_test_id("stSidebarCollapseButton").click()
    phone.get_by_role("combobox", name="选择要核对的行").click()
    phone.keyboard.type("南沙资讯科技园")
    phone.keyboard.press("Enter")
    settled(phone)
    phone.get_by_role("heading", name="核对本区清单").evaluate("e => e.scrollIntoView({block: 'start'})")
    phone.wait_for_timeout(300)
    phone.screenshot(path=SHOTS / "review-390x844.png")

    # A visitor (no sign-in) sees the sheet and no review: no controls, no review texts.
    visitor = chromium.new_page(viewport={"width": 1440, "height": 900})
    visitor.goto(f"{review_app}/?district={NANSHA}")
    expect(visitor.locator("table.gz-table").first).to_be_visible(timeout=30_000)
    expect(visitor.get_by_text("南沙资讯科技园").first).to_be_visible()
    assert visitor.get_by_text("核对本区清单").count() == 0 and visitor.get_by_label("意见").count() == 0
    assert "位置应在" not in review_column(visitor) and "核对情况" not in review_column(visitor)

    # The bureau's overview: 南沙区 first, one row disputed, linked to its sheet.
    bureau = chromium.new_page(viewport={"width": 1440, "height": 1100})
    bureau.goto(f"{review_app}/?page=sheet")
    sign_in(bureau, "bureau")
    first = bureau.locator("table.gz-review-overview").first.locator("tbody tr").first
    expect(first).to_be_visible(timeout=20_000)
    assert first.locator("th, td").all_inner_texts()[:3] == [NANSHA, f"1 / {len(sheet_rows(load_checked(), district=NANSHA, lang='zh'))}", "1"]
    assert first.get_by_role("link").get_attribute("href") == "?page=sheet&district=%E5%8D%97%E6%B2%99%E5%8C%BA"
    disputed = bureau.locator("table.gz-review-overview").nth(1).inner_text()
    assert "南沙资讯科技园" in disputed and "位置应在" in disputed
    bureau.get_by_role("heading", name="各区核对进度").scroll_into_view_if_needed()
    bureau.screenshot(path=SHOTS / "bureau-overview.png")


def test_a_tianhe_reviewer_cannot_write_a_nansha_row_through_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Crafted by hand: the app's write path (review_page.save_answer, which every control calls)
    with a 天河区 reviewer and a 南沙区 answer is refused by the server, and nothing is stored; the
    page itself draws no controls for that user on 南沙区's sheet."""
    from geo.ui import review_page
    from geo.ui.identity import _SESSION, _Session

    monkeypatch.setenv("GZMAP_STATE", str(tmp_path))
    review_page.store.clear()
    try:
        store = review_page.store()
        tianhe = store.add_user(name="tianhe", password=PASSWORD, districts=["天河区"], role="reviewer")
        checked = load_checked()
        row = sheet_rows(checked, district=NANSHA, lang="zh")[ROW]
        with pytest.raises(NotAllowed):
            review_page.save_answer(checked=checked, user=tianhe, answer=ReviewInput(
                district=NANSHA, key=ROW, status="disputed", revision=checked.revision, lang="zh", seen=seen_of(row),
                comment="crafted"))
        assert store.reviews(district=NANSHA) == {} and store.audit(district=NANSHA) == []

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["district"] = NANSHA
        at.session_state[_SESSION] = _Session("tianhe", time.monotonic())
        at.run()
        assert not at.exception
        assert any("已登录：tianhe" in m.value for m in at.sidebar.markdown)  # signed in, and yet:
        assert not [r for r in at.radio if r.label == "核对结果"] and not at.text_area
        assert not [s for s in at.selectbox if s.label == "选择要核对的行"]
    finally:
        review_page.store.clear()


def test_a_conflict_shows_the_other_answer_and_overwrites_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two 南沙区 reviewers: the page showed the row unreviewed, the other saved it meanwhile; this
    reviewer's change is refused with the other's answer on the page, and the stored one stays."""
    from geo.ui import review_page
    from geo.ui.identity import _SESSION, _Session

    monkeypatch.setenv("GZMAP_STATE", str(tmp_path))
    review_page.store.clear()
    try:
        store = review_page.store()
        store.add_user(name="nansha", password=PASSWORD, districts=[NANSHA], role="reviewer")
        other = store.add_user(name="other", password=PASSWORD, districts=[NANSHA], role="reviewer")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["district"] = NANSHA
        at.session_state[_SESSION] = _Session("nansha", time.monotonic())
        at.run()
        at.selectbox(key="rv_row").set_value(ROW).run()
        checked = load_checked()
        row = sheet_rows(checked, district=NANSHA, lang="zh")[ROW]
        store.save(user=other, answer=ReviewInput(district=NANSHA, key=ROW, status="confirmed",
                                                  revision=checked.revision, lang="zh", seen=seen_of(row),
                                                  comment="没问题 **x**"))
        at.radio(key=f"rv_status|{ROW}").set_value("disputed").run()
        assert not at.exception
        warning = at.warning[0].value
        assert "未保存" in warning and "other" in warning and "无误" in warning and "没问题 \\*\\*x\\*\\*" in warning
        stored = store.reviews(district=NANSHA)[ROW]
        assert (stored.user, stored.status, stored.version) == ("other", "confirmed", 1)
        assert at.radio(key=f"rv_status|{ROW}").value == "confirmed"  # the page shows the stored answer again
    finally:
        review_page.store.clear()


def test_a_reviewer_adds_a_missing_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Name, kind and comment give a stored addition (key addition:<n>), listed on the page."""
    from geo.ui import review_page
    from geo.ui.identity import _SESSION, _Session

    monkeypatch.setenv("GZMAP_STATE", str(tmp_path))
    review_page.store.clear()
    try:
        store = review_page.store()
        store.add_user(name="nansha", password=PASSWORD, districts=[NANSHA], role="reviewer")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.query_params["district"] = NANSHA
        at.session_state[_SESSION] = _Session("nansha", time.monotonic())
        at.run()
        at.text_input(key="rv_add_name").input("南沙新实验室")
        at.selectbox(key="rv_add_kind").set_value("park")
        at.text_area(key="rv_add_comment").input("规划有，图上没有")
        next(b for b in at.button if b.label == "添加").click().run()
        assert not at.exception and not at.error
        (added,) = store.reviews(district=NANSHA).values()
        assert added.key.startswith("addition:") and (added.added_name, added.added_kind, added.status) == \
            ("南沙新实验室", "park", "addition")
        assert any("南沙新实验室" in h.proto.body for h in at.get("html"))
    finally:
        review_page.store.clear()


def test_a_database_that_cannot_be_opened_turns_reviewing_off_not_the_map(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    """A state folder that cannot be made (here: a file stands in its place): the page draws its
    map and says that reviewing is unavailable; no sign-in box, no error."""
    from geo.ui import review_page

    blocked = tmp_path / "state"
    blocked.write_text("not a folder")
    monkeypatch.setenv("GZMAP_STATE", str(blocked))
    review_page.store.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
        assert not at.exception and not at.error
        assert any("核对功能暂不可用" in c.value for c in at.sidebar.caption)
        assert not [e for e in at.sidebar.expander if e.label == "核对登录"]
        maps = at.get("component_instance")
        assert maps and '"layout": "/gzmap/data/layout/' in maps[0].proto.json_args  # the map, with its layout
    finally:
        review_page.store.clear()
