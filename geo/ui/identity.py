"""Who is signed in to review (issue 20), from the first source configured:

1. Streamlit's OIDC sign-in (st.login), when secrets.toml has an [auth] section: the identity
   provider's e-mail claim (its name claim without one) names the user;
2. a trusted reverse proxy's header (GZMAP_TRUSTED_PROXY, GZMAP_PROXY_USER_HEADER), read only on
   connections from that proxy's address;
3. else local accounts: a name and password, checked by the store (argon2, rate limited).

Whatever the source, the name must be a user in the store (`python -m geo users add`), and the
user (role, districts) is read from the store on every rerun: a change of districts takes effect
at once, a deleted user is signed out. A local sign-in keeps only the name and the time of the
last request in the session, and ends after settings().session_hours without one. The password is
never kept, logged, shown or put in the URL: the form clears it on submit.
"""
from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from geo.i18n import Lang, join, t
from geo.review.model import MAX_NAME, User
from geo.review.store import ReviewStore, SignInRefused
from geo.safe import md_fill, shorten
from geo.settings import settings

Source = Literal["oidc", "proxy", "local"]
_SESSION = "identity:session"  # a local sign-in: _Session
_EXPIRED = "identity:expired"  # a local sign-in ran out: the panel says so once
_REFUSED = "identity:refused"  # the store's reason for the last refused sign-in, shown once
_NAME, _PASSWORD = "identity:name", "identity:password"  # the form's widgets


@dataclass(frozen=True)
class _Session:
    name: str
    at: float  # time.monotonic() of the last request


@dataclass(frozen=True)
class _Who:
    source: Source
    name: str | None  # whom the source names (None: nobody)
    user: User | None  # that name's user in the store (None: unknown there, or nobody)


def proxy_user(*, headers: Mapping[str, str], peer: str | None, trusted: str | None, header: str) -> str | None:
    """The user a trusted reverse proxy names in `header`; None when no proxy is trusted, when
    the request's peer is not one of the `trusted` addresses (comma-separated), or when the header
    is absent or empty. `peer` None is a loopback connection (st.context.ip_address's way of
    reporting 127.0.0.1 and ::1), trusted when a loopback address is."""
    addresses = set()
    for part in (trusted or "").split(","):
        try:
            addresses.add(ipaddress.ip_address(part.strip()))
        except ValueError:
            continue  # not an address: trusts nobody
    if peer is None:
        vouched = any(a.is_loopback for a in addresses)
    else:
        try:
            came_from = ipaddress.ip_address(peer)
        except ValueError:
            return None
        if isinstance(came_from, ipaddress.IPv6Address) and came_from.ipv4_mapped:
            came_from = came_from.ipv4_mapped  # ::ffff:10.0.0.5 is 10.0.0.5
        vouched = came_from in addresses
    if not vouched:
        return None
    value = next((v for k, v in headers.items() if k.lower() == header.lower()), "").strip()
    return value or None


def oidc_name(claims: Mapping[str, object]) -> str | None:
    """Whom an OIDC sign-in (st.user's claims) names: its e-mail, else its name claim; None when
    nobody is logged in."""
    if claims.get("is_logged_in") is not True:
        return None
    for claim in ("email", "name"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _oidc_config() -> Mapping[str, object] | None:
    """secrets.toml's [auth] section; None without one."""
    try:
        auth = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all
        return None
    return auth if isinstance(auth, Mapping) else None


def _local(store: ReviewStore) -> User | None:
    """The local sign-in of this session, if it has not run out; its time of last request is now."""
    session = st.session_state.get(_SESSION)
    if not isinstance(session, _Session):
        return None
    now = time.monotonic()
    if now - session.at > settings().session_hours * 3600:
        del st.session_state[_SESSION]
        st.session_state[_EXPIRED] = True
        return None
    user = store.user(name=session.name)
    if user is None:  # deleted since it signed in
        del st.session_state[_SESSION]
        return None
    st.session_state[_SESSION] = _Session(session.name, now)
    return user


def _who(store: ReviewStore) -> _Who:
    source: Source
    if _oidc_config() is not None:
        source, name = "oidc", oidc_name(st.user.to_dict())
    elif (s := settings()).trusted_proxy:
        source, name = "proxy", proxy_user(headers=st.context.headers, peer=st.context.ip_address,
                                           trusted=s.trusted_proxy, header=s.proxy_user_header)
    else:
        user = _local(store)
        return _Who("local", user.name if user else None, user)
    return _Who(source, name, store.user(name=name) if name else None)


def signed_in(*, store: ReviewStore) -> User | None:
    """The signed-in user (role and districts as the store has them now), or None; draws nothing."""
    return _who(store).user


def _sign_in(store: ReviewStore) -> None:
    """The form's submit, before the rerun: the store checks the password, which is then cleared
    here and in the browser (clear_on_submit)."""
    st.session_state.pop(_EXPIRED, None)
    password = str(st.session_state.get(_PASSWORD, ""))
    st.session_state[_PASSWORD] = ""  # not kept in the session until the browser's next request
    try:
        user = store.sign_in(name=str(st.session_state.get(_NAME, "")).strip(), password=password)
    except SignInRefused as refused:
        st.session_state[_REFUSED] = (refused.reason, refused.minutes)  # never the password
        return
    st.session_state[_SESSION] = _Session(user.name, time.monotonic())


def _sign_out() -> None:
    st.session_state.pop(_SESSION, None)


def _districts(user: User, lang: Lang) -> str:
    parts = ([t("review.auth.bureau", lang)] if user.role == "bureau" else []) + sorted(user.districts)
    return join(parts or [t("review.auth.no_district", lang)], lang)


def _sign_out_button(who: _Who, lang: Lang) -> None:
    """Local: forget the session. OIDC: Streamlit's logout. A proxy's sign-in ends at the proxy."""
    if who.source == "local":
        st.button(t("review.auth.sign_out", lang), key="identity:sign_out", on_click=_sign_out)
    elif who.source == "oidc" and st.button(t("review.auth.sign_out", lang), key="identity:sign_out"):
        st.logout()


def _provider(auth: Mapping[str, object]) -> str | None:
    """st.login's provider: the one [auth.NAME] table, or None when [auth] holds the provider's keys."""
    tables = [k for k, v in auth.items() if isinstance(v, Mapping)]
    return tables[0] if len(tables) == 1 else None


def _local_form(store: ReviewStore, lang: Lang) -> None:
    expired = st.session_state.pop(_EXPIRED, False)
    refused = st.session_state.pop(_REFUSED, None)
    if expired:
        st.info(t("review.auth.expired", lang, hours=f"{settings().session_hours:g}"))
    with st.expander(t("review.auth.title", lang), expanded=bool(expired or refused)):
        with st.form("identity:form", clear_on_submit=True, border=False):
            st.text_input(t("review.auth.name", lang), key=_NAME, max_chars=MAX_NAME)
            st.text_input(t("review.auth.password", lang), key=_PASSWORD, type="password")
            st.form_submit_button(t("review.auth.submit", lang), key="identity:submit", on_click=_sign_in,
                                  args=(store,))
        if refused:
            reason, minutes = refused
            st.error(t(f"review.auth.{reason}", lang, minutes=minutes))


def sign_in_panel(*, store: ReviewStore, lang: Lang) -> User | None:
    """Who is signed in, drawn where the caller is (the sidebar): the user and their districts
    with a sign-out button, or the way to sign in. Returns the signed-in user, or None."""
    who = _who(store)
    if who.user:
        st.markdown(md_fill(t("review.auth.signed_in", lang), code=False, name=who.user.name,
                            districts=_districts(who.user, lang)))
        _sign_out_button(who, lang)
    elif who.name:  # named by the identity provider or the proxy, but no user here
        st.warning(md_fill(t("review.auth.unknown", lang), code=False, name=shorten(who.name)))
        _sign_out_button(who, lang)
    elif who.source == "oidc":
        auth = _oidc_config()
        if auth is not None and st.button(t("review.auth.oidc", lang), key="identity:oidc"):
            st.login(_provider(auth))
    elif who.source == "proxy":
        st.caption(t("review.auth.proxy", lang))
    else:
        _local_form(store, lang)
    return who.user
