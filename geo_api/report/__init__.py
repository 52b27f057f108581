"""Report maps: a city on one self-contained page (``warmmap export-map``, the notebooks)."""
