"""Assignments of liaisons to outlets: by hand, and by the optimal auto-assigner."""
