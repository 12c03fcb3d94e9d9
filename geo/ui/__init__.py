"""Streamlit glue: how the app's server is started (geo.ui.serve)."""
