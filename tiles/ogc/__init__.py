"""OGC API - Features (Part 1, Part 3 filters) and OGC API - Tiles over the layer registry."""
