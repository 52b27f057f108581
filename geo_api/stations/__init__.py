"""Stations: the nearest open ones, their records, and workers' reports about them."""
