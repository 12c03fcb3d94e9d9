"""The map page's export buttons (issue 21): each file is made in the background once asked for
(geo.ui.jobs) and offered as a real download of finished bytes, so none is lost under load.

One row, an `st.fragment`, so its clicks rerun the row alone (a fragment per cell cost the page
a copy of its cursors each, every rerun); per format, one cell:
- the file is made (by this session or any other: the store is the process's): its download button;
- not asked for yet: "Prepare PNG", which starts the job;
- being made: a caption, redrawn by a nested fragment every `POLL_S` seconds; when the job ends it
  reruns the page once, which draws the download button and stops every poll timer (a fragment's
  own timer stops only when a run above it no longer draws it);
- failed: a line from the catalogue and a retry (the message and traceback are in the server log).

"Export current view" prints what the browser shows (`export_view`): the map component reports
its view (geo.ui.map_component.shown_view), and a view that leaves out part of the city (or of the
chosen district) is printed as that extent; one that shows all of it, as the city or district page.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

import shapely
import streamlit as st

from geo.data.model import CheckedLayout
from geo.exports.output import MIMES
from geo.i18n import Lang, t
from geo.ui import jobs
from geo.ui.map_component import Bounds

POLL_S = 0.75  # how often a waiting cell looks again: a print map takes 1-3 s


@st.fragment(run_every=POLL_S)
def _waiting(*, key: Hashable, text: str) -> None:
    if jobs.result(key=key).state != "pending":
        st.rerun()  # the whole page, once: it draws the download button and ends this timer
    st.caption(text)


def _cell(*, lang: Lang, stem: str, fmt: str, key: Hashable, make: Callable[[], bytes | str]) -> None:
    what = t(f"export.format.{fmt}", lang)
    job = jobs.result(key=key)
    if job.state == "done":
        st.download_button(t("export.download", lang, fmt=what), job.data, file_name=f"{stem}.{fmt}",
                           mime=MIMES[fmt], key=f"export_{fmt}", on_click="ignore")
    elif job.state == "pending":
        _waiting(key=key, text=t("export.preparing", lang, fmt=what))
    else:
        if job.state == "failed":
            st.caption(t("export.failed", lang, fmt=what))
        label = t("export.retry" if job.state == "failed" else "export.prepare", lang, fmt=what)
        st.button(label, key=f"export_prepare_{fmt}", on_click=jobs.submit, kwargs={"key": key, "make": make})


@st.fragment
def export_buttons(*, lang: Lang, stem: str,
                   files: Mapping[str, tuple[Hashable, Callable[[], bytes | str]]]) -> None:
    """One cell per format in `files` ("png", "svg", "pdf", "html"), side by side: `files[fmt]` is
    the file's key in the process's job store (everything the file depends on: the data revision,
    the view, the layers, the language) and the function that makes it. Downloads are named
    `{stem}.{fmt}`."""
    for col, (fmt, (key, make)) in zip(st.columns(len(files)), files.items()):
        with col:
            _cell(lang=lang, stem=stem, fmt=fmt, key=key, make=make)


def export_view(shown: Bounds | None, *, checked: CheckedLayout, district: str | None) -> Bounds | None:
    """The extent the current-view exports print: the browser's `shown` bounds (rounded to about
    10 m, so the same view is the same file), or None (the city's or `district`'s own page) when
    it shows all of that area, or none of the city."""
    if shown is None:
        return None
    areas = [d.geometry for d in checked.districts if district is None or d.name_zh == district]
    view = shapely.box(*shown)  # the areas' bounds and an intersection test: no union per rerun
    if view.contains(shapely.box(*shapely.total_bounds(areas))) or not any(view.intersects(a) for a in areas):
        return None
    west, south, east, north = (round(v, 4) for v in shown)
    return west, south, east, north
