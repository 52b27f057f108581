"""Turn rows into map layers: vector tiles and their TileJSON."""
