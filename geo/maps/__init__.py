"""Drawing the layout: the web map (folium), print maps and the atlas (matplotlib), popups, fonts."""
