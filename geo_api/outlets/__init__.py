"""Delivery outlets: public records, and their liaisons for callers in scope."""
