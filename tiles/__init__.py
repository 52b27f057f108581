"""Map layers: the place for the layer registry, vector tiles and TileJSON (none built yet)."""
