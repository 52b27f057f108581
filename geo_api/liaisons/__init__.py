"""Liaisons: the people who look after outlets; their names and phones are personal data."""
