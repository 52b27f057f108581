"""Normalising: columns matched to fields, values checked and converted, rows kept or rejected."""
