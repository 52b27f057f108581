"""Coverage of a city's demand by open stations: H3 cells, gaps and communities.

The resolutions of coverage cells are defined here once; the CLI, the routes, the refresh,
the planner and the demo all take them from here.
"""

# Cells of about 0.1 km² (edge 174 m): a few minutes' walk across, fine enough to show which
# blocks a station's 1 km reach misses. Used when a request or a command names no resolution.
DEFAULT_RES = 9
# A refresh at res 4 gives cells of 1,770 km², which say nothing of a station's reach; at 11,
# cells of 2,150 m² multiply a city's cells past what one refresh writes in reasonable time.
MIN_RES, MAX_RES = 4, 11
