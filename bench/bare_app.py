"""The floor for bench/run.py: a bare Streamlit page with one line of text."""
import streamlit as st

st.write("bench floor: a bare Streamlit page")
