"""Files for other tools: GeoDataFrames, GIS and spreadsheet formats, district tables; safe writing."""
