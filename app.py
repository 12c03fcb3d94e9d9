"""广州科技创新“一轴四核多点”空间布局图 — the Streamlit app.

Kept thin: loading, layers, the map, details and district tables all live in geo/ and layers/,
which are tested without Streamlit. Run with `python -m geo.ui.serve run app.py` (README).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.data.kinds import PLATFORM_SYSTEM
from geo.data.model import CheckedLayout
from geo.data.problems import DataError
from geo.data.records import PlatformSystem
from geo.exports.district_sheet import district_sheet, elsewhere_note
from geo.exports.output import MIMES
from geo.exports.sheet_export import to_csv
from geo.review.form import to_xlsx
from geo.exports.sheet_html import folded, group_html, summary_html
from geo.exports.sheet_pdf import sheet_pdf
from geo.exports.standalone import standalone_html
from geo.i18n import LANG_NAMES, LANGS, Lang, name, paren, t
from geo.maps.basemaps import Basemap, configured
from geo.maps.details import DETAILS_CSS, details_html, entry_name, notes_html
from geo.maps.static_map import FORMATS, export_map
from geo.maps.view import CITY, MAP_PAGE_HEIGHT, View, view_of
from geo.maps import assets
from geo.maps.payload import DataKey
from geo.maps.webmap import map_state
from geo.safe import md_fill, md_text
from geo.search import Hit, search, sole
from geo.review.model import User
from geo.settings import settings
from geo.ui import map_component, review_page
from geo.ui.live import live
from geo.ui.map_component import Bounds
from geo.ui.map_exports import export_buttons, export_view
from geo.ui.routes import static_url
from geo.ui.link import PAGES, Link, kept_view, link_params, parse_link
from layers import MODULES, build_layers, layer_titles

st.set_page_config(page_title="广州科技创新空间布局图 · Guangzhou S&T innovation layout", page_icon="🗺",
                   layout="wide")


def render_view(revision: str, doc: str | None, system: str | None, district: str | None,
                keys: tuple[str, ...], fmt: str, lang: Lang, bounds: Bounds | None = None) -> bytes:
    """A print map of the page's view: of `bounds` (WGS84, what the browser shows) when given."""
    checked = reading(revision, doc, system)
    return export_map(checked, build_layers(checked, keys, lang=lang), None, fmt, district, lang=lang, view=bounds)


# A compact title and margins, so the map and its export buttons fill the first screen of a
# laptop (1440×900) and the map most of a phone's.
PAGE_CSS = """<style>
.block-container {padding: 2.6rem 2rem 2rem !important;}
h1 {font-size: 1.9rem !important; padding: 0.2rem 0 !important;}
@media (max-width: 640px) {
  h1 {font-size: 1.35rem !important; padding: 0.2rem 0 !important;}
  .block-container {padding: 3.4rem 1rem 1rem !important;}
}
</style>"""
SHEET_MAP_HEIGHT = 420  # the district sheet's map, above its table
log = logging.getLogger("gzmap")


ALL = "all"  # the document and platform-system choices' "no restriction" (None would read as "no choice")
SEARCH_PAUSE = "400ms"  # the search box looks up what is typed after this pause (a phone types slowly)
MAX_HITS = 8  # hits listed; a longer query narrows the rest
# Run once per pick or district chosen (its number makes the element new): on a narrow screen,
# where the sidebar lies over the page, it folds so that the place's popup, or the district, is
# seen. Our own constant text.
CLOSE_SIDEBAR = """<script data-fold="FOLD">
if (window.matchMedia("(max-width: 767.98px)").matches
    && document.querySelector('[data-testid="stSidebar"][data-collapsed="false"]')) {
  document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
}
</script>"""


def map_state_of(checked: CheckedLayout, choices: Choices, view: View, token: str, *, height: int,
                 clicks: bool = False, users_view: bool = False, picked: str | None = None) -> dict[str, object]:
    """The map element's state for this page (a few KB): the reading's layout and popups by URL
    (made once per data revision, reading, language and datum: geo/ui/live.py), the view, the
    layers on, the highlight and the reviewer's status lines."""
    data = live()
    url = partial(DataKey, lang=choices.lang, doc=choices.doc, system=choices.system)
    shown = checked.revision  # the page's version: no second look at the data folder
    return map_state(layout=data.url(url(part="layout", gcj02=choices.basemap.gcj02), revision=shown),
                     popups=data.url(url(part="popups", gcj02=False), revision=shown),
                     assets={"js": [static_url(n) for n in assets.JS], "css": [static_url(n) for n in assets.CSS]},
                     basemap=choices.basemap, view=(view.center, view.zoom), fit=view.extent, view_token=token,
                     users_view=users_view, picked=picked,
                     visible=choices.visible, highlight=view.highlight, clicks=clicks, height=height,
                     reviews=review_page.map_reviews(checked, choices.user, lang=choices.lang))


def reading(revision: str, doc: str | None, system: str | None) -> CheckedLayout:
    """One reading of the data at `revision`: every cached view and file is keyed by the data's
    content revision, so an edit never meets a view made from the version before it."""
    return live().reading(revision=revision, doc=doc, system=system)


@st.cache_data(show_spinner=False, max_entries=32)
def unplaced(revision: str, doc: str | None, system: str | None, lang: Lang) -> list[tuple[str, list[str]]]:
    """Per layer with entries the plans give no place: its title and their names (in `lang`, the
    other language's name in brackets)."""
    checked = reading(revision, doc, system)
    other = (lambda e: e.name_zh) if lang == "en" else (lambda e: e.name_en)
    return [(layer.title, [f"{name(e, lang)}{paren(other(e), lang)}" for e in layer.unplaced])
            for layer in build_layers(checked, None, lang=lang) if layer.unplaced]


@st.cache_data(show_spinner=False, max_entries=64)
def sheet_file(revision: str, doc: str | None, district: str, fmt: str, lang: Lang) -> bytes | str:
    checked = reading(revision, doc, None)
    sheet = district_sheet(checked, district, lang=lang)
    if fmt == "pdf":
        return sheet_pdf(checked, sheet)
    return to_xlsx(checked, sheet) if fmt == "xlsx" else to_csv(sheet)


def html_file(revision: str, doc: str | None, system: str | None, district: str | None, lang: Lang) -> str:
    return standalone_html(reading(revision, doc, system), district, lang=lang)


def basemap_config() -> tuple[dict[str, Basemap], list[str]]:
    """The basemaps on offer (online ones only where the operator allows them), with the
    operator's sources from secrets.toml or the environment, and a line per entry skipped."""
    try:
        secrets = dict(st.secrets)
    except Exception:  # noqa: BLE001 - no secrets file (or an unreadable one): only the environment counts
        secrets = {}
    return configured(secrets, online=settings().online_basemaps)


def basemap_catalogue() -> dict[str, Basemap]:
    return basemap_config()[0]


def first_link(checked: CheckedLayout) -> Link:
    """What the page's link asks for (geo.ui.link), in a session's first run; the defaults after.

    The link's values are the widgets' defaults, never written over their state: a browser that
    reconnects to a restarted server brings its widgets' values, and those win over the older URL.
    """
    if "link_read" in st.session_state:
        return Link()
    st.session_state.link_read = True
    basemaps = basemap_catalogue()
    link = parse_link(st.query_params.to_dict(), checked, list(MODULES), list(basemaps))
    # Quoted link text as code spans: Markdown would turn a bare URL in it into a link.
    st.session_state.link_notices = [md_fill(t("link.ignored", link.lang), param=p) for p in link.ignored] + \
        ([md_text(t("link.more_ignored", link.lang, n=link.more_ignored))] if link.more_ignored else [])
    if link.basemap in basemaps and basemaps[link.basemap].online:
        # A link never turns on tiles from outside by itself: the user is asked (basemap_offer).
        st.session_state.basemap_offer = link.basemap
        link = replace(link, basemap="none")
    if link.view:
        st.session_state.link_view = link.view
    return link


def position(options: list[str], value: str | None) -> int:
    return options.index(value) if value in options else 0


@dataclass(frozen=True)
class Choices:
    """What the sidebar's widgets say, in language-free values."""

    page: str  # one of PAGES
    district: str  # name_zh, or CITY
    doc: str | None  # None: every document
    system: str | None  # None: every platform system
    visible: tuple[str, ...]  # the layers switched on (keys)
    basemap: Basemap
    query: str  # the search box's text
    hits_box: DeltaGenerator  # where the map page lists the search hits
    lang: Lang
    place: str | None  # the place the link asks for (entry id)
    user: User | None  # signed in to review (geo.ui.review_page)


def write_link(choices: Choices, hit: str | None) -> None:
    """The URL always says what is shown, so that copying it shares the view."""
    link = Link(page=choices.page, district=None if choices.district == CITY else choices.district,
                layers=choices.visible, basemap=choices.basemap.key, lang=choices.lang, doc=choices.doc,
                system=choices.system, place=hit)
    params = link_params(link, list(MODULES))
    if not hit and link.district is None and (view := kept_view(st.query_params.get("view"))):
        params["view"] = view
    if link.basemap == "none" and (offer := st.session_state.get("basemap_offer")):
        params["basemap"] = offer  # still offered: a reload or a copy of the link asks again
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def layer_switches(lang: Lang, link: Link) -> tuple[str, ...]:
    """The layer checkboxes (on unless a link says otherwise). The map's layout holds every layer
    and the browser switches them (GZ.update): a toggle sends the map only its new list."""
    return tuple(k for k, title in layer_titles(lang=lang).items()
                 if st.checkbox(title, value=link.layers is None or k in link.layers, key=f"layer_{k}"))


def sidebar(checked: CheckedLayout, link: Link) -> Choices:
    # Widgets hold language-free values (keys, ids, Chinese district names) and show them in the
    # chosen language, so switching language keeps every choice.
    districts = [CITY] + [d.name_zh for d in checked.districts]
    docs = [ALL, *checked.documents]
    readings = {s.id: s for s in checked.of_kind(PLATFORM_SYSTEM, PlatformSystem)}  # of the platform system
    systems = [ALL, *readings]
    basemaps = basemap_catalogue()
    with st.sidebar:
        lang = st.radio("Language", LANGS, index=position(list(LANGS), link.lang), format_func=LANG_NAMES.get,
                        key="lang", horizontal=True, label_visibility="collapsed")
        if st.session_state.setdefault("shown_lang", lang) != lang:
            # A select box keeps showing the old language's text for its value unless the value
            # is handed to it again.
            for key in ("district", "document", "system", "basemap"):
                if key in st.session_state:
                    st.session_state[key] = st.session_state[key]
            st.session_state.shown_lang = lang
        page = st.radio(t("app.page", lang), PAGES, index=position(list(PAGES), link.page),
                        format_func=lambda p: t(f"app.page.{p}", lang), key="view", horizontal=True)
        district = st.selectbox(t("app.district", lang), districts, index=position(districts, link.district),
                                format_func=lambda d: t("app.city", lang) if d == CITY
                                else checked.district_name(d, lang),
                                key="district", on_change=fold_sidebar)
        user = review_page.sign_in(lang=lang)
        st.header(t("app.find", lang))
        # Results as one types (after a pause: live), found by geo.search on the server, offline.
        query = st.text_input(t("app.find_hint", lang), key="query", type="search", placeholder="", live=SEARCH_PAUSE,
                              value=entry_name(checked, link.place, lang=link.lang) if link.place else "")
        hits_box = st.container()  # filled by the map page, once the reading is known
        st.header(t("app.documents", lang))
        doc = st.selectbox(t("app.document", lang), docs, index=position(docs, link.doc), key="document",
                           format_func=lambda d: t("app.all_documents", lang) if d == ALL
                           else checked.document_label(d, lang))
        system = st.selectbox(t("app.system", lang), systems, index=position(systems, link.system),
                              format_func=lambda s: t("app.all_platforms", lang) if s == ALL
                              else name(readings[s], lang), key="system")
        st.header(t("app.layers", lang))
        visible = layer_switches(lang, link)
        basemap = basemaps[st.selectbox(t("app.basemap", lang), list(basemaps),
                                        index=position(list(basemaps), link.basemap),
                                        format_func=lambda k: basemaps[k].label(lang), key="basemap",
                                        on_change=lambda: st.session_state.pop("basemap_offer", None))]
    return Choices(page=page, district=district, doc=None if doc == ALL else doc,
                   system=None if system == ALL else system, visible=visible, basemap=basemap,
                   query=query, hits_box=hits_box, lang=lang, place=link.place, user=user)


def pick(entry_id: str) -> None:
    """Show this place: the map goes to it and opens its popup (a new view token), once."""
    st.session_state.search_hit = entry_id
    st.session_state.picks = st.session_state.get("picks", 0) + 1
    fold_sidebar()


def fold_sidebar() -> None:
    """A place picked or a district chosen: in the next run, a phone's sidebar folds."""
    st.session_state.folds = st.session_state.get("folds", 0) + 1


def search_hit(checked: CheckedLayout, choices: Choices) -> tuple[str | None, list[Hit]]:
    """The place shown and the hits for the search box's text. A new text with a sole hit
    (geo.search.sole) shows it at once; with several, the place shown stays (and so does the
    map's view) until one is picked from the list; an emptied box shows none, the view staying."""
    state = st.session_state
    hits = search(checked, choices.query)
    if "searched" not in state:  # the first run: the link's place, its name in the box
        state.searched, state.search_hit = choices.query, choices.place
    if choices.query != state.searched:
        state.searched = choices.query
        if (one := sole(hits)) is not None:
            pick(one.entry.id)
        elif not choices.query.strip():
            state.search_hit = None
    hit = state.search_hit
    return (hit if hit in checked.entries else None), hits


def hit_list(hits: list[Hit], hit: str | None, lang: Lang) -> None:
    """The hits, one click each (the shown one marked), when there are several: a list read
    from the left, not centred buttons."""
    if len(hits) < 2:
        return
    st.caption(t("app.hits", lang, n=len(hits)))
    with st.container(key="hits", gap=None):
        st.html("<style>.st-key-hits button{justify-content:flex-start;text-align:left}</style>")
        for h in hits[:MAX_HITS]:
            e = h.entry
            st.button(md_text(name(e, lang) + paren(e.name_zh if lang == "en" else e.name_en, lang)),
                      key=f"hit_{e.id}", type="primary" if e.id == hit else "tertiary", on_click=pick, args=(e.id,))
    if len(hits) > MAX_HITS:
        st.caption(t("app.more_hits", lang, n=len(hits) - MAX_HITS))


def close_sidebar_after_choice() -> None:
    """In the run after a new pick or district choice, the script that folds a phone's sidebar
    (CLOSE_SIDEBAR)."""
    folds = st.session_state.get("folds", 0)
    if folds != st.session_state.get("sidebar_closed_at", 0):
        st.session_state.sidebar_closed_at = folds
        with st.sidebar:
            st.html(CLOSE_SIDEBAR.replace("FOLD", str(folds)), unsafe_allow_javascript=True)


def map_page(shown_checked: CheckedLayout, choices: Choices) -> None:
    district, lang = choices.district, choices.lang
    hit, hits = search_hit(shown_checked, choices)
    with choices.hits_box:
        hit_list(hits, hit, lang)
        if choices.query.strip() and not hits:
            st.caption(t("app.no_hits", lang))
    write_link(choices, hit)
    view = live().view(revision=shown_checked.revision, doc=choices.doc, system=choices.system,
                       district=district, hit=hit)
    token = f"{district}|{st.session_state.get('picks', 0)}"  # only a new pick or district moves the map
    link_view = st.session_state.get("link_view")
    shared = bool(link_view and district == CITY and not hit)  # a shared link's view, until the user picks another
    if link_view and shared:
        view = View((link_view[0], link_view[1]), link_view[2], None)
        token = "link|" + ",".join(map(str, link_view))
    col_map, col_side = st.columns([3, 1], gap="medium")  # the map takes most of the width
    with col_map:
        revision = shown_checked.revision
        map_component.show(map_state_of(shown_checked, choices, view, token, height=MAP_PAGE_HEIGHT,
                                        users_view=shared, picked=hit),
                           key="map", report_view=True)
        export_row = st.columns([2, 5])
        export_row[0].markdown(t("app.export_view", lang))
        exported = None if district == CITY else district  # the exports' district; None: the city
        stem = t("app.file_stem", lang, where=shown_checked.district_name(exported, lang) if exported
                 else t("print.city", lang))
        # Made in the background once asked for and kept (geo/ui/jobs.py): none is lost under load.
        shown_view = (revision, choices.doc, choices.system, exported)
        # The extent the browser shows (reported by the map, geo.ui.map_exports.export_view).
        bounds = export_view(map_component.shown_view(st.session_state.get("map"), token=token,
                                                      gcj02=choices.basemap.gcj02),
                             checked=shown_checked, district=exported)
        files: dict[str, tuple[Hashable, Callable[[], bytes | str]]] = {
            fmt: (("map", *shown_view, choices.visible, fmt, lang, bounds),
                  partial(render_view, *shown_view, choices.visible, fmt, lang, bounds)) for fmt in FORMATS}
        files["html"] = (("html", *shown_view, lang), partial(html_file, *shown_view, lang))
        with export_row[1]:
            export_buttons(lang=lang, stem=stem, files=files)
        for title, names in unplaced(revision, choices.doc, choices.system, lang):
            # a plain list: a data grid would cost the page ~1.3 MB of script
            with st.expander(t("app.unplaced", lang, layer=title, n=len(names))):
                st.text("\n".join(f"• {n}" for n in names))  # data text: never Markdown
    with col_side:
        if hit:
            st.subheader(t("app.details", lang))
            st.html(f"<style>{DETAILS_CSS}</style>"
                    f"{details_html(shown_checked, shown_checked.entries[hit], lang=lang)}")
        else:
            st.subheader(t("app.help_title", lang))
            st.markdown(t("app.help", lang))
            findings = [(entry_name(shown_checked, p.entry_id, lang=lang), *shown_checked.disagreement(p.entry_id, lang))
                        for p in shown_checked.findings]
            if findings:  # folded: a list to consult, not the first thing to read
                with st.expander(f"{t('details.finding', lang)}{paren(str(len(findings)), lang)}"):
                    st.html(f"<style>{DETAILS_CSS}</style>{notes_html(findings, lang=lang)}")


def sheet_page(checked: CheckedLayout, choices: Choices) -> None:
    district, lang = choices.district, choices.lang
    if district == CITY:
        st.info(t("app.pick_district", lang))
        if choices.user is not None and choices.user.role == "bureau":
            review_page.overview(checked, lang=lang)
        return
    sheet = district_sheet(checked, district, lang=lang)
    reviewer = review_page.reviewer(choices.user, district)  # None: the sheet as everyone sees it
    reviews = review_page.district_reviews(district) if reviewer else {}
    st.header(md_fill(t("sheet.title", lang), code=False, district=sheet.district_label))
    # Read first: the rows per group, the places by kind (a core whose row is an axis node's is
    # named as a core too) and the findings; then the files, the map and the groups.
    st.html(summary_html(checked, sheet))
    st.caption(md_text(t("sheet.common_note", lang)))
    cols = st.columns(3)
    for col, fmt in zip(cols, ("xlsx", "csv", "pdf")):
        # Made at once (cached per district, language and document; the PDF takes 2-3 s the first
        # time): a file made on click was sometimes gone (HTTP 404) before its download started
        # when many sessions ran (Streamlit 1.67; bench/load.py, bench/README.md).
        data = review_page.sheet_xlsx(checked, sheet, reviews, doc=choices.doc) if reviewer and fmt == "xlsx" \
            else sheet_file(checked.revision, choices.doc, district, fmt, lang)
        col.download_button(t(f"app.download_{fmt}", lang), data,
                            file_name=f"{t('app.sheet_stem', lang, district=sheet.district_label)}.{fmt}",
                            mime=MIMES[fmt], key=f"sheet_{fmt}", on_click="ignore")
    with_quotes = st.toggle(t("app.show_quotes", lang), key="quotes")
    view = view_of(checked, district, map_height=SHEET_MAP_HEIGHT)  # the whole district in the shorter map
    map_box, panel = st.columns([3, 2], gap="medium") if reviewer else (st.container(), None)
    with map_box:  # a reviewer clicks it to propose a place's location
        clicked = map_component.show(map_state_of(checked, choices, view, f"sheet|{district}", height=SHEET_MAP_HEIGHT),
                                     key="sheet_map", clicks=reviewer is not None, gcj02=choices.basemap.gcj02)
    if panel is not None:
        with panel:
            review_page.review_panel(checked, sheet, reviews, clicked=clicked)
        review_page.additions_panel(checked, sheet, reviews)
        review_page.upload_panel(checked, sheet)
    # The review column for a reviewer; the row keys stay with the review, off the page.
    states = review_page.row_states(checked, sheet, reviews) if reviewer else None
    st.subheader(t("sheet.web.rows", lang))
    st.caption(t("sheet.web.groups_hint", lang))
    for group, n in sheet.counts().items():
        # Full text, wrapped and plain (geo.exports.sheet_html); the long lists start folded.
        with st.expander(md_text(f"{sheet.title(group)}{paren(str(n), lang)}"), expanded=not folded(group)):
            if note := elsewhere_note(checked, sheet, group):
                st.caption(md_text(note))
            st.html(group_html(sheet, group, quotes=with_quotes, review=states))


MAX_SHOWN = 10  # tile configuration problems listed on the page


def take_offer(key: str) -> None:
    st.session_state.basemap = key  # before the rerun draws the select box
    st.session_state.pop("basemap_offer", None)


def notices(choices: Choices, stale: DataError | None) -> None:
    """What the page says before the map: the link's ignored parameters, an online basemap the
    link asks for (with the button that turns it on), skipped tile settings, and data edits with
    errors. Text from links, configuration and data is shown as plain text."""
    lang = choices.lang
    # The link's notices stay until the user changes what is shown: a rerun the map asks for by
    # itself (the view it reports a moment after the first paint) would otherwise take them away.
    shown = (choices.page, choices.district, choices.doc, choices.system, choices.visible, choices.basemap.key,
             choices.lang, choices.query)
    if st.session_state.setdefault("link_notices_for", shown) == shown:
        for notice in st.session_state.get("link_notices", ()):
            st.warning(notice)
    else:
        st.session_state.pop("link_notices", None)
    basemaps, problems = basemap_config()
    offer = st.session_state.get("basemap_offer")
    if offer in basemaps and st.session_state.get("basemap", "none") == "none":
        label = basemaps[offer].label(lang)
        st.info(md_text(t("app.basemap_offer", lang, basemap=label)))
        st.button(md_text(t("app.basemap_switch", lang, basemap=label)), key="basemap_switch",
                  on_click=take_offer, args=(offer,))
    else:
        st.session_state.pop("basemap_offer", None)
    if problems:
        st.warning(t("app.tiles_skipped", lang))
        st.code("\n".join(problems[:MAX_SHOWN] + [f"… (+{len(problems) - MAX_SHOWN})"] * (len(problems) > MAX_SHOWN)),
                language=None)  # all of them are in the server log
    if stale is not None:
        st.warning(t("app.data_stale", lang))
        st.code("\n".join(map(str, stale.problems)), language=None)


def page(checked: CheckedLayout, stale: DataError | None = None) -> None:
    choices = sidebar(checked, first_link(checked))
    lang = choices.lang
    notices(choices, stale)
    st.html(PAGE_CSS)
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))
    shown_checked = reading(checked.revision, choices.doc, choices.system)
    if choices.page == "sheet":
        write_link(choices, None)
        sheet_page(shown_checked, choices)
    else:
        map_page(shown_checked, choices)
    st.caption(t("data.revision", lang, revision=shown_checked.revision))  # the footer: which data this is
    close_sidebar_after_choice()  # last: a search's sole hit is picked while the map page is made


def main() -> None:
    try:
        page(*live().current())
    except DataError as err:
        st.error(t("app.data_error", page_lang()))
        st.code("\n".join(map(str, err.problems)), language=None)
    except Exception:  # noqa: BLE001 - the browser gets a message, the server log the traceback
        log.exception("unexpected error while drawing the page")
        st.error(t("app.internal_error", page_lang()))


def page_lang() -> Lang:
    """The language chosen, or asked for by the link, where the page could not be drawn."""
    lang = st.session_state.get("lang") or st.query_params.get("lang")
    return lang if lang in LANGS else "zh"


main()
