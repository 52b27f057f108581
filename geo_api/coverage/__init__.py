"""Coverage of a city's demand by open stations: H3 cells, gaps and communities (issue 5)."""
