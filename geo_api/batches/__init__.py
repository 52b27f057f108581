"""Load batches as the API and the CLI read them back (``etl.write.batches`` records them)."""
