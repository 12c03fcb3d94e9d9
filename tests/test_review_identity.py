"""Who is signed in to review (geo.ui.identity): the local sign-in form through AppTest on a tiny
script with a store on a temporary SQLite file (right and wrong passwords, the rate limit, sign-out,
expiry, the store read on every rerun, the password nowhere to be seen), the proxy header's
decision as a plain function (AppTest cannot set a request's headers or peer address), and OIDC
through AppTest's seeded st.user (no identity provider here: st.login itself is not exercised)."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import delete
from streamlit.testing.v1 import AppTest

from geo.i18n import t
from geo.review import tables as tb
from geo.review.store import MAX_FAILURES, ReviewStore, open_store
from geo.ui import identity
from geo.ui.identity import oidc_name, proxy_user
from tests.test_hostile_data import shown_text

PASSWORD = "Nansha-pw-4711"  # what must never be shown or logged


def panel_app(url: str, lang: str) -> None:
    """A page with the panel in its sidebar, printing whom the page would be writing as."""
    import streamlit as st

    from geo.review.store import open_store
    from geo.ui.identity import sign_in_panel, signed_in

    store = open_store(url=url)
    with st.sidebar:
        user = sign_in_panel(store=store, lang=lang)  # type: ignore[arg-type]
    again = signed_in(store=store)
    st.text(f"page user: {user.name if user else None}, {sorted(user.districts) if user else []}, "
            f"again: {again == user}")


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    made = open_store(url=f"sqlite:///{tmp_path / 'reviews.sqlite'}")
    made.add_user(name="li", password=PASSWORD, districts=["南沙区", "番禺区"], role="reviewer")
    return made


def app(store: ReviewStore, lang: str = "zh") -> AppTest:
    return AppTest.from_function(panel_app, kwargs={"url": str(store.engine.url), "lang": lang},
                                 default_timeout=30).run()


def page_user(at: AppTest) -> str:
    return at.main.text[0].value


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="identity:name").input(name)
    at.sidebar.text_input(key="identity:password").input(password)
    return at.sidebar.button(key="identity:submit").click().run()


def shown(markdown: str) -> str:
    """A Markdown text as the reader sees it (the escapes of geo.safe.md_text dropped)."""
    return markdown.replace("\\", "")


def sidebar_text(at: AppTest) -> str:
    return shown("\n".join([m.value for m in at.sidebar.markdown] + [e.value for e in at.sidebar.error]
                           + [i.value for i in at.sidebar.info] + [w.value for w in at.sidebar.warning]))


def test_right_password_signs_in_with_the_users_districts_and_sign_out_ends_it(store, caplog):
    caplog.set_level(logging.DEBUG)
    at = app(store)
    assert not at.exception
    assert page_user(at).startswith("page user: None")
    assert [e.label for e in at.sidebar.expander] == ["核对登录"]
    at = sign_in(at, "li", PASSWORD)
    assert not at.exception
    assert "已登录：li（南沙区、番禺区）" in sidebar_text(at)
    assert page_user(at) == "page user: li, ['南沙区', '番禺区'], again: True"
    assert not at.sidebar.expander  # no form while signed in
    # The password is gone from the form, the page, the URL and the log.
    assert PASSWORD not in shown_text(at) and PASSWORD not in caplog.text
    assert not any(PASSWORD in str(v) for v in at.query_params.values())
    assert not any(PASSWORD in str(v) for v in at.session_state.values())  # nor kept in the session
    at = at.run()  # a later request: still signed in
    assert page_user(at).startswith("page user: li")
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at = at.run()
    assert page_user(at).startswith("page user: None") and [e.label for e in at.sidebar.expander] == ["核对登录"]


def test_wrong_password_says_so_and_signs_nobody_in_and_six_in_a_row_are_too_many(store, caplog):
    caplog.set_level(logging.DEBUG)
    at = app(store, "en")
    wrong = "not-" + PASSWORD
    at = sign_in(at, "li", wrong)
    assert [shown(e.value) for e in at.sidebar.error] == ["Not signed in: wrong user name or password."]
    assert page_user(at).startswith("page user: None")
    # Cleared for the next try: on the server, and by the browser (the form's clear_on_submit).
    password_input = at.sidebar.text_input(key="identity:password")
    assert password_input.value == "" and password_input.proto.type == password_input.proto.PASSWORD
    assert at.sidebar.expander[0].children[0].proto.form.clear_on_submit
    for _ in range(MAX_FAILURES):
        at = sign_in(at, "li", wrong)
    assert "Too many failed sign-ins" in shown(at.sidebar.error[0].value)
    at = sign_in(at, "li", PASSWORD)  # even the right password now waits
    assert "Too many failed sign-ins" in shown(at.sidebar.error[0].value) and page_user(at).startswith("page user: None")
    assert wrong not in shown_text(at) and PASSWORD not in shown_text(at)
    assert wrong not in caplog.text and PASSWORD not in caplog.text


def test_the_store_is_read_on_every_request(store):
    at = sign_in(app(store), "li", PASSWORD)
    store.add_user(name="li", password=PASSWORD, districts=["天河区"], role="reviewer")  # the bureau's change
    at = at.run()
    assert page_user(at).startswith("page user: li, ['天河区']")
    with store.engine.begin() as c:  # the user deleted
        c.execute(delete(tb.users).where(tb.users.c.name == "li"))
    at = at.run()
    assert page_user(at).startswith("page user: None") and at.sidebar.expander


def test_a_session_ends_after_session_hours_without_a_request(store, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(identity.time, "monotonic", lambda: clock[0])
    monkeypatch.setenv("GZMAP_SESSION_HOURS", "2")
    at = sign_in(app(store), "li", PASSWORD)
    clock[0] += 1.9 * 3600  # within two hours of the last request: kept, and counted from now
    at = at.run()
    assert page_user(at).startswith("page user: li")
    clock[0] += 1.9 * 3600
    at = at.run()
    assert page_user(at).startswith("page user: li")
    clock[0] += 2.1 * 3600
    at = at.run()
    assert page_user(at).startswith("page user: None")
    assert at.sidebar.info[0].value == t("review.auth.expired", "zh", hours="2")
    assert at.sidebar.expander[0].label == "核对登录"


PROXY = "10.0.0.5"


@pytest.mark.parametrize(("peer", "trusted", "headers", "want"), [
    (PROXY, PROXY, {"X-Remote-User": "li"}, "li"),  # from the proxy: honoured
    (PROXY, f"10.9.9.9, {PROXY}", {"x-remote-user": " li "}, "li"),  # one of several; any case
    ("::ffff:10.0.0.5", PROXY, {"X-Remote-User": "li"}, "li"),  # the proxy over IPv6-mapped IPv4
    ("10.0.0.6", PROXY, {"X-Remote-User": "li"}, None),  # anybody else: ignored
    (None, PROXY, {"X-Remote-User": "li"}, None),  # a loopback visitor when the proxy is elsewhere
    (None, "127.0.0.1", {"X-Remote-User": "li"}, "li"),  # the proxy on this machine
    (PROXY, None, {"X-Remote-User": "li"}, None),  # no proxy configured: never read
    (PROXY, "", {"X-Remote-User": "li"}, None),
    (PROXY, "proxy.example", {"X-Remote-User": "li"}, None),  # not an address: trusts nobody
    ("not-an-ip", PROXY, {"X-Remote-User": "li"}, None),
    (PROXY, PROXY, {"X-Remote-User": "  "}, None),
    (PROXY, PROXY, {"X-Other": "li"}, None),
])
def test_a_proxy_header_counts_only_from_the_trusted_proxy(peer, trusted, headers, want):
    assert proxy_user(headers=headers, peer=peer, trusted=trusted, header="X-Remote-User") == want


def test_the_panel_signs_in_whom_the_trusted_proxy_names_and_nobody_else(store, monkeypatch):
    """AppTest sends no headers and no peer address: the request is replaced by one from the proxy."""
    monkeypatch.setenv("GZMAP_TRUSTED_PROXY", PROXY)
    seen = []

    def from_proxy(*, headers, peer, trusted, header):
        seen.append((trusted, header))
        return proxy_user(headers={"X-Remote-User": "li"}, peer=PROXY, trusted=trusted, header=header)

    monkeypatch.setattr(identity, "proxy_user", from_proxy)
    at = app(store)
    assert page_user(at) == "page user: li, ['南沙区', '番禺区'], again: True" and not at.sidebar.expander
    assert seen[0] == (PROXY, "X-Remote-User")
    monkeypatch.setattr(identity, "proxy_user", lambda **_: "wang")  # a name the store does not know
    at = at.run()
    assert page_user(at).startswith("page user: None")
    assert shown(at.sidebar.warning[0].value) == "wang 未分配任何区，无核对权限：请联系市局。"
    monkeypatch.undo()  # and the real request (AppTest's: no headers): nobody, and no password form
    monkeypatch.setenv("GZMAP_TRUSTED_PROXY", PROXY)
    at = at.run()
    assert page_user(at).startswith("page user: None") and not at.sidebar.expander


@pytest.mark.parametrize(("claims", "want"), [
    ({"is_logged_in": True, "email": "li@gz.example", "name": "Li"}, "li@gz.example"),
    ({"is_logged_in": True, "name": "Li Ming"}, "Li Ming"),  # no e-mail claim
    ({"is_logged_in": True, "email": "", "name": "Li Ming"}, "Li Ming"),
    ({"is_logged_in": False, "email": "li@gz.example"}, None),
    ({"email": "li@gz.example"}, None),  # AppTest's default st.user: not logged in
    ({"is_logged_in": True}, None),
])
def test_an_oidc_sign_in_is_named_by_its_email_else_its_name(claims, want):
    assert oidc_name(claims) == want


AUTH = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "gzmap", "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known"}}


def test_an_oidc_identity_signs_in_its_store_user_and_an_unknown_one_gets_no_rights(store):
    store.add_user(name="li@gz.example", password=None, districts=["南沙区"], role="reviewer")  # --external
    at = AppTest.from_function(panel_app, kwargs={"url": str(store.engine.url), "lang": "zh"}, default_timeout=30)
    at.secrets = AUTH
    at.user = {"is_logged_in": False}
    at = at.run()
    assert page_user(at).startswith("page user: None") and not at.sidebar.expander  # no password form
    assert [b.label for b in at.sidebar.button] == [t("review.auth.oidc", "zh")]
    at.user = {"is_logged_in": True, "email": "li@gz.example"}
    at = at.run()
    assert page_user(at) == "page user: li@gz.example, ['南沙区'], again: True"
    at.user = {"is_logged_in": True, "email": "zhang@gz.example"}
    at = at.run()
    assert page_user(at).startswith("page user: None")
    assert "zhang@gz.example" in at.sidebar.warning[0].value and "请联系市局" in at.sidebar.warning[0].value
