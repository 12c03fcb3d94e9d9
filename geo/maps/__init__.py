"""Drawing the layout: the web map (Leaflet), print maps and the atlas (matplotlib), popups, fonts."""
