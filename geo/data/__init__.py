"""The layout data: typed records, the registry of kinds, loading, checks and the checked layout."""
