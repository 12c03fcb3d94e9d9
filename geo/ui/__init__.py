"""Streamlit glue, the only package that imports streamlit or streamlit_folium: the map element
(st_map, the adapter for streamlit-folium's private helpers), the asset folders served to it
(offline_assets), the page's shareable link (link), the server launcher (serve) and who is
signed in to review (identity)."""
