"""Turn the files governments have into rows: readers, coordinates, validation, loads."""
