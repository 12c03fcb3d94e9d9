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

from geo.maps import offline_assets
from geo.maps.details import DETAILS_CSS, details_html, notes_html
from geo.exports.district_report import assignments, to_csv
from geo.data.problems import DataError
from geo.safe import md_text
from geo.search import search
from geo.maps.static_map import FORMATS, export_map
from geo.data.model import CheckedLayout
from geo.settings import settings
from geo.data.validate import load_checked
from geo.maps.view import CITY, view_of
from geo.maps.basemaps import BASEMAPS
from geo.maps.webmap import build_map, highlight_group
from layers import MapLayer, build_layers, layer_titles

st.set_page_config(page_title="广州科技创新空间布局图", page_icon="🗺", layout="wide")


@st.cache_resource(show_spinner=False)
def load(directory: str) -> CheckedLayout:
    return load_checked(Path(directory))


@st.cache_resource(show_spinner=False)
def layers_for(directory: str, keys: tuple[str, ...]) -> list[MapLayer]:
    return build_layers(load(directory), keys)


@st.cache_data(show_spinner=False, max_entries=32)
def render_view(directory: str, district: str | None, keys: tuple[str, ...], fmt: str) -> bytes:
    return export_map(load(directory), layers_for(directory, keys), None, fmt, district)


MIMES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DATA = str(settings().data)
log = logging.getLogger("gzmap")


def page(checked: CheckedLayout) -> None:
    """The map page for a checked layout."""
    districts = [CITY] + [d.name_zh for d in checked.districts]

    with st.sidebar:
        st.header("图层")
        visible = tuple(k for k, title in layer_titles().items()
                        if st.checkbox(title, value=True, key=f"layer_{k}"))
        basemap = st.selectbox("底图", list(BASEMAPS), format_func=lambda k: BASEMAPS[k].label_zh,
                               key="basemap")
        st.header("按区查看")
        district = st.selectbox("行政区", districts, key="district")
        st.header("查找地点")
        query = st.text_input("名称（中文或英文，可输入部分）", key="query")
        hits = search(checked, query)
        hit = st.selectbox(f"找到 {len(hits)} 个结果", [e.id for e in hits], index=None,
                           format_func=lambda i: f"{checked.entries[i].name_zh}（{checked.entries[i].name_en}）",
                           placeholder="选择一个结果", key="hit") if hits else None
        if query and not hits:
            st.caption("没有找到名称包含该文字的地点。")

    st.title("广州科技创新“一轴四核多点”空间布局图")
    st.caption("依据《广州市科技创新“十四五”规划》等五份规划文件；坐标为 WGS84，精度见各点详情。")

    shown = layers_for(DATA, visible)
    view = view_of(checked, district, hit)
    col_map, col_side = st.columns([5, 2], gap="medium")
    with col_map:
        st_folium(build_map(checked, shown, basemap), key="map", height=700, use_container_width=True,
                  returned_objects=[], center=view.center, zoom=view.zoom,
                  feature_group_to_add=highlight_group(view.highlight, basemap))
        export_row = st.columns([2, 1, 1, 1])
        export_row[0].markdown("**导出当前视图**（所选区与图层，A4 横向，含图例、比例尺、指北针）")
        focus = None if district == CITY else district
        for col, fmt in zip(export_row[1:], FORMATS):
            col.download_button(fmt.upper(), lambda fmt=fmt: render_view(DATA, focus, visible, fmt),
                                file_name=f"{focus or '广州市'}_科技创新布局.{fmt}", mime=MIMES[fmt],
                                key=f"export_{fmt}", on_click="ignore")
        for layer in shown:
            if layer.unplaced:
                with st.expander(f"{layer.title_zh}：{len(layer.unplaced)} 个规划未写明位置，未上图"):
                    st.dataframe(pd.DataFrame([{"名称": e.name_zh, "英文": e.name_en, "说明": e.notes or ""}
                                               for e in layer.unplaced]), hide_index=True)

    with col_side:
        if hit:
            st.subheader("地点详情")
            st.html(f"<style>{DETAILS_CSS}</style>{details_html(checked, checked.entries[hit])}")
        if district != CITY:
            rows = assignments(checked, district)
            st.subheader(f"{md_text(district)}：规划安排")
            counts = pd.Series([r.kind_zh for r in rows]).value_counts()
            st.text("；".join(f"{k} {v}" for k, v in counts.items()) or "无")
            disagree = [(r.name_zh, r.basis_zh) for r in rows if r.disagrees]
            if disagree:
                st.html(f"<style>{DETAILS_CSS}</style><b>规划与边界不一致</b>{notes_html(disagree)}")
            st.dataframe(pd.DataFrame([r.as_row() for r in rows]), hide_index=True, height=420)
            st.download_button("下载本区清单（CSV）", to_csv(rows), file_name=f"{district}_规划安排.csv",
                               mime="text/csv")
        if not hit and district == CITY:
            st.subheader("使用说明")
            st.markdown("点击地图上的节点、园区或平台查看定位、平台和出处；在左侧选择行政区查看本区清单，"
                        "或按名称查找地点。")
            findings = [(checked.entries[p.entry_id].name_zh, p.message) for p in checked.findings]
            if findings:
                st.subheader("规划与边界不一致")
                st.html(f"<style>{DETAILS_CSS}</style>{notes_html(findings)}")


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
