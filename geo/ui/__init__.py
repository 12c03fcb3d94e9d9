"""The server side: Streamlit glue (the only package that imports streamlit), the map element
(map_component), the map's files over HTTP (routes) from the process's live data (live), the
page's shareable link (link), the server launcher (serve) and who is signed in to review
(identity, review_page)."""
