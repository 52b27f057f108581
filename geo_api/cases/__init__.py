"""Riders' cases (随手拍): reporting, routing, the lifecycle, photos, points, stats, Open311."""
