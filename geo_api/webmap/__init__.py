"""The web map (``GET /map``): one page of static ES modules and MapLibre, served by warmmap."""
