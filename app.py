"""广州科技创新“一轴四核多点”空间布局图 — the Streamlit app.

Kept thin: loading, layers, the map, details and district tables all live in geo/ and layers/,
which are tested without Streamlit. Run with `streamlit run app.py`.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.data.model import CheckedLayout
from geo.data.problems import DataError
from geo.data.validate import load_checked
from geo.exports.district_sheet import district_sheet
from geo.exports.sheet_export import to_csv, to_xlsx
from geo.exports.standalone import standalone_html
from geo.maps import offline_assets
from geo.maps.basemaps import from_environment
from geo.maps.details import DETAILS_CSS, details_html, notes_html
from geo.maps.link import PAGES, Link, link_params, parse_link
from geo.maps.sheet_pdf import sheet_pdf
from geo.maps.static_map import FORMATS, export_map
from geo.maps.view import CITY, View, view_of
from geo.maps.webmap import build_map, highlight_group
from geo.safe import md_text
from geo.search import search
from geo.settings import settings
from layers import build_layers, layer_titles

st.set_page_config(page_title="广州科技创新空间布局图", page_icon="🗺", layout="wide")


@st.cache_resource(show_spinner=False)
def load(directory: str) -> CheckedLayout:
    return load_checked(Path(directory))


@st.cache_data(show_spinner=False, max_entries=32)
def render_view(directory: str, doc: str | None, system: str | None, district: str | None,
                keys: tuple[str, ...], fmt: str) -> bytes:
    checked = reading(directory, doc, system)
    return export_map(checked, build_layers(checked, keys), None, fmt, district)


# On a phone the title is compact, so the map fills most of the first screen.
PAGE_CSS = """<style>
@media (max-width: 640px) {
  h1 {font-size: 1.35rem !important; padding: 0.2rem 0 !important;}
  .block-container {padding-top: 3.4rem !important;}
}
</style>"""
MAP_HEIGHT = 640  # fits the first screen of a laptop and, under the compact title, of a phone
MIMES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DATA = str(settings().data)
log = logging.getLogger("gzmap")


ALL_DOCS = "全部文件"
ALL_SYSTEMS = "全部平台"
SHEET_MIMES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv", "pdf": "application/pdf"}


@st.cache_resource(show_spinner=False)
def reading(directory: str, doc: str | None, system: str | None) -> CheckedLayout:
    return load(directory).as_read(doc, system)


@st.cache_data(show_spinner=False, max_entries=64)
def sheet_file(directory: str, doc: str | None, district: str, fmt: str) -> bytes | str:
    checked = reading(directory, doc, None)
    sheet = district_sheet(checked, district)
    if fmt == "pdf":
        return sheet_pdf(checked, sheet)
    return to_xlsx(checked, sheet) if fmt == "xlsx" else to_csv(sheet)


@st.cache_data(show_spinner=False, max_entries=16)
def html_file(directory: str, doc: str | None, system: str | None, district: str | None) -> str:
    return standalone_html(reading(directory, doc, system), district)


def basemap_catalogue() -> dict:
    """The basemaps on offer, with the operator's sources from secrets.toml or the environment."""
    try:
        secrets = dict(st.secrets)
    except Exception:  # noqa: BLE001 - no secrets file: only the environment counts
        secrets = {}
    return from_environment(secrets)


def apply_link(checked: CheckedLayout) -> None:
    """Once per session: what the link asks for (geo.maps.link) becomes the widgets' state."""
    if "link_read" in st.session_state:
        return
    st.session_state.link_read = True
    link = parse_link(st.query_params.to_dict(), checked, list(layer_titles()), list(basemap_catalogue()))
    st.session_state.link_notices = link.notices
    st.session_state.view = PAGES[link.page]
    if link.district:
        st.session_state.district = link.district
    for key in layer_titles():
        st.session_state[f"layer_{key}"] = link.layers is None or key in link.layers
    if link.basemap != "none":
        st.session_state.basemap = link.basemap
    if link.doc:
        st.session_state.document = checked.document_label(link.doc)
    if link.system:
        st.session_state.system = checked.entries[link.system].name_zh
    if link.place:
        st.session_state.query = checked.entries[link.place].name_zh
        st.session_state.hit = link.place
    if link.view:
        st.session_state.link_view = link.view


def write_link(choice: dict, hit: str | None) -> None:
    """The URL always says what is shown, so that copying it shares the view."""
    link = Link(page="sheet" if choice["view"] == "区县清单" else "map",
                district=None if choice["district"] == CITY else choice["district"],
                layers=choice["visible"], basemap=choice["basemap"].key, doc=choice["doc"],
                system=choice["system"], place=hit)
    params = link_params(link, list(layer_titles()))
    if "view" in st.query_params and not hit and link.district is None:
        params["view"] = st.query_params["view"]
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def sidebar(checked: CheckedLayout) -> dict:
    districts = [CITY] + [d.name_zh for d in checked.districts]
    docs = {ALL_DOCS: None} | {checked.document_label(d): d for d in checked.documents}
    systems = {ALL_SYSTEMS: None} | {s.name_zh: s.id for s in checked.of_kind("platform_system")}
    with st.sidebar:
        view = st.radio("页面", ["全市地图", "区县清单"], key="view", horizontal=True)
        district = st.selectbox("行政区", districts, key="district")
        st.header("查找地点")
        query = st.text_input("名称（中文、英文或文件中的写法，可输入部分）", key="query")
        hits_box = st.container()  # filled by the map page, once the reading is known
        st.header("依据文件")
        doc = docs[st.selectbox("只显示这份文件所述", list(docs), key="document")]
        system = systems[st.selectbox("平台体系口径", list(systems), key="system")]
        st.header("图层")
        visible = tuple(k for k, title in layer_titles().items()
                        if st.checkbox(title, key=f"layer_{k}"))  # on unless a link says otherwise
        basemaps = basemap_catalogue()
        basemap = basemaps[st.selectbox("底图", list(basemaps), format_func=lambda k: basemaps[k].label_zh,
                                        key="basemap")]
    return dict(view=view, district=district, doc=doc, system=system, visible=visible, basemap=basemap,
                query=query, hits_box=hits_box)


def map_page(shown_checked: CheckedLayout, choice: dict) -> None:
    district, basemap, visible = choice["district"], choice["basemap"], choice["visible"]
    hits = search(shown_checked, choice["query"])
    with choice["hits_box"]:
        hit = st.selectbox(f"找到 {len(hits)} 个结果", [e.id for e in hits], index=None,
                           format_func=lambda i: f"{shown_checked.entries[i].name_zh}（{shown_checked.entries[i].name_en}）",
                           placeholder="选择一个结果", key="hit") if hits else None
        if choice["query"] and not hits:
            st.caption("没有找到名称包含该文字的地点。")
    write_link(choice, hit)
    shown = build_layers(shown_checked, visible)
    view = view_of(shown_checked, district, hit)
    token = f"{district}|{hit or ''}"
    link_view = st.session_state.get("link_view")
    if link_view and district == CITY and not hit:  # a shared link's view, until the user picks another
        view = View((link_view[0], link_view[1]), link_view[2], None)
        token = "link|" + ",".join(map(str, link_view))
    col_map, col_side = st.columns([5, 2], gap="medium")
    with col_map:
        st_folium(build_map(shown_checked, shown, basemap, (view.center, view.zoom), token),
                  key="map", height=MAP_HEIGHT, use_container_width=True, returned_objects=[],
                  feature_group_to_add=highlight_group(view.highlight, basemap))
        export_row = st.columns([2, 1, 1, 1, 1.4])
        export_row[0].markdown("**导出当前视图**（所选区与图层，A4 横向，含图例、比例尺、指北针）")
        focus = None if district == CITY else district
        export_row[4].download_button(
            "离线 HTML", lambda: html_file(DATA, choice["doc"], choice["system"], focus),
            file_name=f"{focus or '广州市'}_科技创新布局.html", mime="text/html", key="export_html",
            on_click="ignore", help="一个文件，含全部图层、标签、弹窗与图例，断网也能用浏览器打开")
        for col, fmt in zip(export_row[1:4], FORMATS):
            col.download_button(fmt.upper(), lambda fmt=fmt: render_view(DATA, choice["doc"], choice["system"],
                                                                          focus, visible, fmt),
                                file_name=f"{focus or '广州市'}_科技创新布局.{fmt}", mime=MIMES[fmt],
                                key=f"export_{fmt}", on_click="ignore")
        for layer in shown:
            if layer.unplaced:
                with st.expander(f"{layer.title_zh}：{len(layer.unplaced)} 个无可考位置（规划未写明，亦无公开来源），未上图"):
                    st.dataframe(pd.DataFrame([{"名称": e.name_zh, "英文": e.name_en} for e in layer.unplaced]),
                                 hide_index=True)
    with col_side:
        if hit:
            st.subheader("地点详情")
            st.html(f"<style>{DETAILS_CSS}</style>{details_html(shown_checked, shown_checked.entries[hit])}")
        else:
            st.subheader("使用说明")
            st.markdown("点击地图上的节点、园区或平台查看定位、平台和出处；在左侧选择“区县清单”查看"
                        "本区的全部规划安排，或按名称查找地点。")
            findings = [(shown_checked.entries[p.entry_id].name_zh, p.message) for p in shown_checked.findings]
            if findings:
                st.subheader("规划与边界不一致")
                st.html(f"<style>{DETAILS_CSS}</style>{notes_html(findings)}")


def sheet_page(checked: CheckedLayout, choice: dict) -> None:
    district = choice["district"]
    if district == CITY:
        st.info("请在左侧选择一个行政区，查看该区的规划安排清单。")
        return
    sheet = district_sheet(checked, district)
    st.header(f"{md_text(district)}：规划安排清单")
    counts = sheet.counts()
    st.caption("；".join(f"{g} {n}" for g, n in counts.items())
               + "。各区共同任务（责任单位为各区政府或各相关区政府）另列，不计入本区任务。")
    cols = st.columns(3)
    for col, (fmt, label) in zip(cols, (("xlsx", "下载 Excel（XLSX）"), ("csv", "下载 CSV"), ("pdf", "下载 PDF（A4，可打印）"))):
        col.download_button(label, lambda fmt=fmt: sheet_file(DATA, choice["doc"], district, fmt),
                            file_name=f"{district}_规划安排.{fmt}", mime=SHEET_MIMES[fmt], key=f"sheet_{fmt}",
                            on_click="ignore")
    with_quotes = st.toggle("显示原文", key="quotes")
    layers = build_layers(checked, choice["visible"])
    view = view_of(checked, district)
    st_folium(build_map(checked, layers, choice["basemap"], (view.center, view.zoom), f"sheet|{district}"),
              key="sheet_map", height=420, use_container_width=True, returned_objects=[],
              feature_group_to_add=highlight_group(view.highlight, choice["basemap"]))
    hidden = set() if with_quotes else {"原文"}
    for group, n in counts.items():
        st.subheader(f"{group}（{n}）")
        table = pd.DataFrame([{k: v for k, v in r.cells().items() if k not in hidden | {"分组"}}
                              for r in sheet.group(group)])
        table = table.loc[:, (table != "").any(axis=0)]  # no empty columns
        st.table(table.set_index("名称"))  # full text, wrapped: a sheet is read, not scrolled


def page(checked: CheckedLayout) -> None:
    apply_link(checked)
    choice = sidebar(checked)
    for notice in st.session_state.pop("link_notices", ()):
        st.warning(md_text(notice))
    st.html(PAGE_CSS)
    st.title("广州科技创新“一轴四核多点”空间布局图")
    st.caption("依据《广州市科技创新“十四五”规划》等五份规划文件；坐标为 WGS84，精度见各点详情。")
    shown_checked = reading(DATA, choice["doc"], choice["system"])
    if choice["view"] == "区县清单":
        write_link(choice, None)
        sheet_page(shown_checked, choice)
    else:
        map_page(shown_checked, choice)


def main() -> None:
    offline_assets.serve()
    try:
        page(load(DATA))
    except DataError as err:
        st.error("数据文件有误，地图无法显示。请按下列提示修改 data/ 中的文件（文件: 条目: 字段: 问题）：")
        st.code("\n".join(map(str, err.problems)), language=None)
    except Exception:  # noqa: BLE001 - the browser gets a message, the server log the traceback
        log.exception("unexpected error while drawing the page")
        st.error("页面出现内部错误，已记录在服务器日志中。请刷新页面；如仍出错，请联系系统管理员。")


main()
