"""The district review in the app (issue 20): the review controls of a district's sheet for a
signed-in reviewer of that district, the review status in the map's popups, and the bureau's
overview. Storage, the district check and conflicts are geo.review.store's; this module only
draws and passes answers on.

Every answer is saved as soon as it is given (a status picked, a comment left, a point saved),
from the version of the review the page showed (`base_version`), so a reviewer who saved the
row meanwhile makes it a conflict that shows their answer instead of being overwritten. Review
texts (comments, notes, names, user names) are untrusted: shown through geo.safe only.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import streamlit as st
from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError

from geo.data.kinds import KINDS, table_kinds
from geo.data.model import CheckedLayout
from geo.exports.district_sheet import Row, Sheet
from geo.exports.output import MIMES
from geo.i18n import Lang, join, name, paren, t
from geo.review.model import (
    ADDITION,
    MAX_COMMENT,
    MAX_NAME,
    MAX_NOTE,
    RECHECK,
    STATUSES,
    Conflict,
    NotAllowed,
    Point,
    Review,
    ReviewError,
    ReviewInput,
    Status,
    User,
)
from geo.review.form import review_table, reviews_to_csv, reviews_to_xlsx, state_label, status_label, to_xlsx
from geo.review.rows import check_key, seen_of, sheet_rows, state_of
from geo.review.store import ReviewStore, open_store
from geo.review.workbook import WorkbookError, import_workbook
from geo.safe import html_table, html_text, md_fill, md_literal, md_text
from geo.ui import identity
from geo.ui.link import Link, link_params

log = logging.getLogger("gzmap")
LOCAL_TIME = timezone(timedelta(hours=8), "CST")  # Guangzhou: UTC+8, no daylight saving
DECIMALS = 5  # of a proposed point's lon/lat as shown (about 1 m)


@st.cache_resource(show_spinner=False)
def store() -> ReviewStore:
    """The process's review store: PostgreSQL by GZMAP_DB_URL, else SQLite in the state folder."""
    return open_store()


def sign_in(*, lang: Lang) -> User | None:
    """The sign-in box (in the sidebar) and the user signed in, if any. A database that cannot be
    opened (an unwritable state folder, PostgreSQL down) turns reviewing off, not the map."""
    try:
        reviews = store()
    except (OSError, SQLAlchemyError, CommandError):
        log.exception("the review database cannot be opened; reviewing is off until it can")
        st.caption(t("review.page.unavailable", lang))
        return None
    return identity.sign_in_panel(store=reviews, lang=lang)


def reviewer(user: User | None, district: str) -> User | None:
    """`user` when they may review `district`'s sheet; None for everyone else (who see no review)."""
    return user if user is not None and user.may_review(district) else None


def save_answer(*, checked: CheckedLayout, user: User, answer: ReviewInput) -> Review:
    """Every write of the page: the key checked against the district's sheet, then the store
    (which checks the user's district, the answer and the version). Raises ReviewError,
    NotAllowed or Conflict."""
    check_key(checked, district=answer.district, key=answer.key)
    return store().save(user=user, answer=answer)


# What a review says ---------------------------------------------------------------------------
def _when(at: datetime) -> str:
    return at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")


def _point(point: Point) -> str:
    return f"{point.lon:.{DECIMALS}f}, {point.lat:.{DECIMALS}f}"


@dataclass(frozen=True)
class Rows:
    """A district's current sheet rows in each language a review may have been made in (cheap:
    a sheet takes about 2 ms), for telling a changed row's review (geo.review.rows.state_of)."""

    checked: CheckedLayout
    district: str
    by_lang: dict[Lang, dict[str, Row]]

    @classmethod
    def of(cls, checked: CheckedLayout, district: str) -> Rows:
        return cls(checked, district, {lg: sheet_rows(checked, district=district, lang=lg) for lg in ("zh", "en")})

    def state(self, review: Review) -> tuple[str, list[str]]:
        return state_of(review, checked=self.checked, rows=self.by_lang[review.lang])


def review_text(review: Review, rows: Rows, lang: Lang) -> str:
    """One review as plain text: its state, who saved it when, the comment and the proposed point."""
    parts = [state_label(*rows.state(review), lang), t("review.page.by", lang, user=review.user, at=_when(review.at))]
    if review.comment:
        parts.append(review.comment)
    if review.point:
        parts.append(t("review.page.point", lang, point=_point(review.point))
                     + (paren(review.point_note, lang) if review.point_note else ""))
    return " · ".join(parts)


def row_states(checked: CheckedLayout, sheet: Sheet, reviews: Mapping[str, Review]) -> dict[str, str]:
    """Row key -> its review as text, for the sheet's review column."""
    rows = Rows.of(checked, sheet.district)
    return {key: review_text(r, rows, sheet.lang) for key, r in reviews.items()}


def popup_statuses(checked: CheckedLayout, reviews: Iterable[Review], *, lang: Lang) -> dict[str, str]:
    """Entry id -> "核对：有误" for each reviewed row about an entry (the popups' review line); a
    place's own row wins over its finding row."""
    out: dict[str, str] = {}
    states: dict[str, Rows] = {}
    for review in sorted(reviews, key=lambda r: not r.key.startswith("finding:")):
        group, _, entry = review.key.partition(":")
        if group == ADDITION:
            continue
        rows = states.setdefault(review.district, Rows.of(checked, review.district))
        out[entry] = t("review.page.popup", lang, status=state_label(*rows.state(review), lang))
    return out


def readable_reviews(user: User | None) -> list[Review]:
    """The reviews `user` may see: their districts', every district's for the bureau."""
    if user is None:
        return []
    if user.role == "bureau":
        return store().all_reviews()
    return [r for d in sorted(user.districts) for r in store().reviews(district=d).values()]


def map_reviews(checked: CheckedLayout, user: User | None, *, lang: Lang) -> dict[str, str]:
    """The review status of each reviewed place, for the maps' popups (nothing when signed out)."""
    return popup_statuses(checked, readable_reviews(user), lang=lang)


# The sheet's files ----------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _xlsx(_checked: CheckedLayout, _sheet: Sheet, _reviews: Mapping[str, Review], revision: str, doc: str | None,
          district: str, lang: Lang, stamp: tuple[tuple[str, int], ...]) -> bytes:
    return to_xlsx(_checked, _sheet, reviews=_reviews)


def sheet_xlsx(checked: CheckedLayout, sheet: Sheet, reviews: Mapping[str, Review], *, doc: str | None) -> bytes:
    """The district's XLSX with the reviews filled in (remade when a review's version changes)."""
    stamp = tuple(sorted((k, r.version) for k, r in reviews.items()))
    return _xlsx(checked, sheet, reviews, checked.revision, doc, sheet.district, sheet.lang, stamp)


# The review controls --------------------------------------------------------------------------
def _notice(kind: str, text: str) -> None:
    st.session_state.rv_notice = (kind, text)


def _refusal(err: Exception, lang: Lang) -> None:
    """A refused save, said on the next draw: the other reviewer's answer for a conflict."""
    if isinstance(err, Conflict) and err.current is not None:
        c = err.current
        _notice("warning", md_fill(t("review.page.conflict", lang), code=False, user=c.user, at=_when(c.at),
                                   status=status_label(c.status, lang), comment=c.comment or "—"))
    else:
        _notice("error", md_fill(t("review.page.not_saved", lang), code=False, reason=str(err)))


def _save(answer: ReviewInput, lang: Lang, checked: CheckedLayout) -> Review | None:
    """Saves `answer` for whoever is signed in now (the user is read again: a callback runs on the
    next request), with the outcome as the next draw's notice."""
    user = identity.signed_in(store=store())
    if user is None:
        _notice("error", md_text(t("review.page.signed_out", lang)))
        return None
    try:
        saved = save_answer(checked=checked, user=user, answer=answer)
    except (Conflict, NotAllowed, ReviewError) as err:
        _refusal(err, lang)
        return None
    _notice("success", md_text(t("review.page.saved", lang)))
    return saved


def _widget(kind: str, key: str) -> str:
    return f"rv_{kind}|{key}"


def _on_change(checked: CheckedLayout, row: Row, district: str, lang: Lang, point: str) -> None:
    """A status, comment or point of `row` changed: save the row's answer as the widgets say, from
    the review the page showed. `point`: "keep" the shown one, save the "picked" one, or "clear"."""
    ss = st.session_state
    shown: Review | None = ss.rv_shown.get(row.key)
    keep = (shown.point, shown.point_note) if shown else (None, "")
    where = {"keep": keep, "picked": (ss.get(_widget("pick", row.key)), ss.get(_widget("note", row.key), "")),
             "clear": (None, "")}[point]
    status: Status = ss.get(_widget("status", row.key)) or "unchecked"
    answer = ReviewInput(district=district, key=row.key, status=status, revision=checked.revision, lang=lang,
                         seen=seen_of(row), comment=ss.get(_widget("comment", row.key), ""), point=where[0],
                         point_note=where[1], base_version=shown.version if shown else 0)
    saved = _save(answer, lang, checked)
    if saved is None:
        for kind in ("status", "comment"):  # drawn again from the stored answer, not the refused one
            ss.pop(_widget(kind, row.key), None)
        return
    # The base of this reviewer's next change, before the page is drawn again: a second change
    # sent before that (a comment typed right after a status) must not conflict with this save.
    ss.rv_shown[row.key] = saved
    if point != "keep":
        ss.pop(_widget("pick", row.key), None)
        ss.pop(_widget("note", row.key), None)


def _show_notice() -> None:
    kind, text = st.session_state.pop("rv_notice", (None, ""))
    if kind == "success":
        st.toast(text)
    elif kind == "warning":
        st.warning(text)
    elif kind == "error":
        st.error(text)


def _took_click(clicked: Point | None, key: str | None) -> None:
    """A new map click (the map keeps reporting its last one) becomes the proposed point of the
    row being reviewed."""
    if clicked is not None and clicked != st.session_state.get("rv_click"):
        st.session_state.rv_click = clicked
        if key is not None:
            st.session_state[_widget("pick", key)] = clicked


def review_panel(checked: CheckedLayout, sheet: Sheet, reviews: Mapping[str, Review], *,
                 clicked: Point | None) -> None:
    """One row's review at a time: pick the row, its status and comment (saved on each change),
    and for a row on the map a proposed point clicked on the map with its note."""
    lang = sheet.lang
    rows = {r.key: r for r in sheet.rows}
    st.subheader(t("review.page.title", lang))
    _show_notice()
    key = st.selectbox(t("review.page.row", lang), list(rows), key="rv_row",
                       format_func=lambda k: f"{sheet.title(rows[k].group)} · {rows[k].name}")
    row, review = rows[key], reviews.get(key)
    _took_click(clicked, key if row.placed else None)
    st.session_state.setdefault("rv_shown", {})[key] = review  # the answer's base: what the page shows
    state = review_text(review, Rows.of(checked, sheet.district), lang) if review else t("review.page.unreviewed", lang)
    st.html(f'<div class="gz-review-state">{html_text(state)}</div>')
    args = (checked, row, sheet.district, lang)
    st.radio(t("sheet.col.status", lang), STATUSES, index=STATUSES.index(review.status) if review else 0,
             format_func=lambda s: status_label(s, lang), horizontal=True, key=_widget("status", key),
             on_change=_on_change, args=(*args, "keep"))
    st.text_area(t("sheet.col.comment", lang), value=review.comment if review else "", max_chars=MAX_COMMENT,
                 placeholder=t("review.page.comment_hint", lang), key=_widget("comment", key),
                 on_change=_on_change, args=(*args, "keep"))
    if not row.placed:
        return
    picked = st.session_state.get(_widget("pick", key))
    if picked is None:
        st.caption(md_text(t("review.page.point_hint", lang)))
    else:
        st.markdown(md_text(t("review.page.point_new", lang, point=_point(picked))))
        st.text_input(t("review.page.point_note", lang), max_chars=MAX_NOTE, key=_widget("note", key))
        st.button(t("review.page.point_save", lang), key=f"rv_point_save|{key}", type="primary",
                  on_click=_on_change, args=(*args, "picked"))
    if review is not None and review.point is not None:
        st.button(t("review.page.point_clear", lang), key=f"rv_point_clear|{key}", on_click=_on_change,
                  args=(*args, "clear"))


def _add(checked: CheckedLayout, district: str, lang: Lang) -> None:
    ss = st.session_state
    answer = ReviewInput(district=district, key=ADDITION, status="addition", revision=checked.revision, lang=lang,
                         comment=ss.get("rv_add_comment", ""), added_name=ss.get("rv_add_name", "").strip(),
                         added_kind=ss.get("rv_add_kind") or "")
    _save(answer, lang, checked)


def additions_panel(checked: CheckedLayout, sheet: Sheet, reviews: Mapping[str, Review]) -> None:
    """The rows reviewers added (what the plans assign and the map lacks), and a form for one more."""
    lang = sheet.lang
    added = [r for k, r in reviews.items() if k.startswith(f"{ADDITION}:")]
    with st.expander(t("review.page.add_title", lang) + (paren(str(len(added)), lang) if added else "")):
        if added:
            st.html(html_table(columns=[t(f"sheet.col.{c}", lang) for c in ("name", "kind", "comment")]
                               + [t("sheet.col.user", lang)],
                               rows=[[r.added_name, name(KINDS[r.added_kind], lang) if r.added_kind in KINDS else "",
                                      r.comment, t("review.page.by", lang, user=r.user, at=_when(r.at))]
                                     for r in added]))
        with st.form("rv_add", clear_on_submit=True, border=False):
            st.text_input(t("sheet.col.name", lang), max_chars=MAX_NAME, key="rv_add_name")
            st.selectbox(t("sheet.col.kind", lang), table_kinds(), index=None, key="rv_add_kind",
                         format_func=lambda k: name(KINDS[k], lang), placeholder=t("sheet.choose", lang))
            st.text_area(t("sheet.col.comment", lang), max_chars=MAX_COMMENT, key="rv_add_comment")
            st.form_submit_button(t("review.page.add_save", lang), on_click=_add,
                                  args=(checked, sheet.district, lang))


def upload_panel(checked: CheckedLayout, sheet: Sheet) -> None:
    """A filled XLSX imported (all rows or none): how many were saved, the rows flagged as
    changed since the file's data revision, or what is wrong with the file."""
    lang = sheet.lang
    with st.expander(t("review.page.upload", lang)):
        upload = st.file_uploader(t("review.page.upload_hint", lang), type=["xlsx"], key="rv_upload")
        if upload is None:
            return
        ss = st.session_state
        if ss.get("rv_imported", (None,))[0] != upload.file_id:  # each uploaded file once
            user = identity.signed_in(store=store())
            try:
                if user is None:
                    raise NotAllowed(t("review.page.signed_out", lang))
                report = import_workbook(store=store(), data=upload.getvalue(), checked=checked, user=user,
                                         file_name=upload.name)
            except WorkbookError as err:
                ss.rv_imported = (upload.file_id, "error", err.text(lang), [])
            except (ReviewError, NotAllowed, Conflict) as err:
                ss.rv_imported = (upload.file_id, "error", str(err), [])
            else:
                flagged = [[f.place.sheet, f.place.row, f.name, join(f.changed, lang)] for f in report.flagged]
                ss.rv_imported = (upload.file_id, "success", t("review.page.imported", lang, n=len(report.saved),
                                                                   same=report.unchanged), flagged)
                st.rerun()  # the page's reviews as imported
        _, kind, text, flagged = ss.rv_imported
        (st.success if kind == "success" else st.error)(md_literal(text))
        if flagged:
            st.warning(md_text(t("review.page.flagged", lang)))
            st.html(html_table(columns=[t(f"review.page.{c}", lang) for c in ("file_sheet", "file_row")]
                               + [t("sheet.col.name", lang), t("review.page.changed", lang)], rows=flagged))


def district_reviews(district: str) -> dict[str, Review]:
    return store().reviews(district=district)


# The bureau's overview ------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """One district's review progress."""

    district: str  # name_zh
    rows: int  # on its sheet
    reviewed: int  # rows with a status other than unchecked
    disputed: int
    recheck: int
    additions: int


def progress(checked: CheckedLayout,
             reviews: Iterable[Review]) -> tuple[list[Progress], list[tuple[Review, tuple[str, list[str]]]]]:
    """Each district's counts, the districts with disputed rows first (then rows to recheck), and
    the disputed and to-recheck reviews with their state as text."""
    by_district: dict[str, list[Review]] = {}
    for r in reviews:
        by_district.setdefault(r.district, []).append(r)
    out, flagged = [], []
    for d in checked.districts:
        rows = Rows.of(checked, d.name_zh)
        states = [(r, rows.state(r)) for r in by_district.get(d.name_zh, ())]
        answers = [(r, s) for r, s in states if not r.key.startswith(f"{ADDITION}:")]
        out.append(Progress(d.name_zh, len(rows.by_lang["zh"]), sum(s[0] != "unchecked" for _, s in answers),
                            sum(s[0] == "disputed" for _, s in answers), sum(s[0] == RECHECK for _, s in answers),
                            len(states) - len(answers)))
        flagged += [(r, s) for r, s in answers if s[0] in ("disputed", RECHECK)]
    order = {p.district: i for i, p in enumerate(out)}
    out.sort(key=lambda p: (-p.disputed, -p.recheck, order[p.district]))
    flagged.sort(key=lambda f: (f[1][0] != "disputed", order[f[0].district], f[0].key))
    return out, flagged


def sheet_link(district: str) -> str:
    """The link that opens a district's sheet (geo.ui.link)."""
    return "?" + urlencode(link_params(Link(page="sheet", district=district), []))


def overview(checked: CheckedLayout, *, lang: Lang) -> None:
    """The bureau's page: every district's progress, the disputed rows, all reviews to download."""
    st.header(t("review.page.overview", lang))
    reviews = store().all_reviews()
    counts, flagged = progress(checked, reviews)
    st.html(html_table(
        columns=[t("sheet.district", lang), t("review.page.reviewed", lang), status_label("disputed", lang),
                 t("review.recheck", lang), t("sheet.additions", lang)],
        rows=[[checked.district_name(p.district, lang), f"{p.reviewed} / {p.rows}", p.disputed, p.recheck, p.additions]
              for p in counts],
        links=[sheet_link(p.district) for p in counts], css_class="gz-table gz-review-overview"))
    st.subheader(t("review.page.flagged_rows", lang))
    if not flagged:
        st.caption(t("review.page.none", lang))
    else:
        named = {d: sheet_rows(checked, district=d, lang=lang) for d in {r.district for r, _ in flagged}}
        st.html(html_table(
            columns=[t("sheet.district", lang), t("sheet.col.name", lang), t("sheet.col.state", lang),
                     t("sheet.col.comment", lang), t("sheet.col.user", lang)],
            rows=[[checked.district_name(r.district, lang),
                   named[r.district][r.key].name if r.key in named[r.district] else r.seen.get("name", r.key),
                   state_label(*state, lang), r.comment, t("review.page.by", lang, user=r.user, at=_when(r.at))]
                  for r, state in flagged],
            links=[sheet_link(r.district) for r, _ in flagged], css_class="gz-table gz-review-overview"))
    table = review_table(checked, reviews, lang=lang)
    stem = t("review.page.export_stem", lang)
    cols = st.columns(2)
    cols[0].download_button(t("app.download_xlsx", lang), reviews_to_xlsx(table, lang=lang), file_name=f"{stem}.xlsx",
                            mime=MIMES["xlsx"], key="rv_export_xlsx", on_click="ignore")
    cols[1].download_button(t("app.download_csv", lang), reviews_to_csv(table), file_name=f"{stem}.csv",
                            mime=MIMES["csv"], key="rv_export_csv", on_click="ignore")
