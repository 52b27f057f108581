"""Coverage gaps: H3 cells with riders and no open station within ``threshold_m``.

The cells are those of the last coverage refresh of each city (``warmmap coverage refresh``),
so the layer changes when a refresh rewrites ``coverage_cells``. Only cells with riders are
read, through the partial GiST index ``ix_coverage_cells_demand_geom`` (``riders > 0``
written literally so that the planner can use it).
"""

from geo_api.coverage.refresh import MAX_RES, MIN_RES
from tiles.registry import Layer, Parameter, Property


def parse_gap_id(fid: str) -> dict[str, str] | None:
    """Return the binds of a gap's id ``CITY-H3`` (the cell of a city's refresh)."""
    city, _, h3 = fid.partition("-")
    return {"fid_city": city, "fid_h3": h3} if city.isdigit() and h3 else None


THRESHOLD_M = Parameter(
    "threshold_m", float, 1000.0, 1.0, 100_000.0, "reach of an open station, in metres"
)
RES = Parameter("res", int, 9, MIN_RES, MAX_RES, "H3 resolution of the cells")

GAPS = Layer(
    id="gaps",
    title="Coverage gaps",
    description=(
        "H3 cells with riders whose nearest open station is farther than threshold_m "
        "(or that have none), as of each city's last coverage refresh."
    ),
    geometry_type="Polygon",
    table="coverage_cells",
    candidates="""
        SELECT g.city_adcode, g.res, g.h3, g.outlets, g.riders, g.nearest_station_id,
               g.nearest_station_m, g.refreshed_at, g.geom
        FROM coverage_cells AS g
        WHERE g.riders > 0 AND g.res = :res
          AND (g.nearest_station_m IS NULL OR g.nearest_station_m > :threshold_m)
          AND {where}
    """,
    geometry_sql="g.geom",
    id_sql="c.city_adcode || '-' || c.h3",
    id_type="string",
    id_order="c.city_adcode, c.h3",
    id_where="c.city_adcode = :fid_city AND c.h3 = :fid_h3",
    parse_id=parse_gap_id,
    # An H3 index is a 64-bit integer whose top bit is 0: a valid MVT feature id.
    mvt_id_sql="('x' || lpad(c.h3, 16, '0'))::bit(64)::bigint",
    properties=(
        Property("h3", "c.h3", "string", "H3 cell index"),
        Property("city_adcode", "c.city_adcode", "string", "city whose refresh made the cell"),
        Property("outlets", "c.outlets", "integer", "outlets in the cell"),
        Property("riders", "c.riders", "integer", "riders based in the cell"),
        Property("nearest_station_id", "c.nearest_station_id", "integer", "nearest open station"),
        Property("nearest_station_m", "c.nearest_station_m", "number", "metres to it (null: none)"),
        Property(
            "refreshed_at",
            "to_char(c.refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            "string",
            "when the city's cells were computed (UTC)",
        ),
    ),
    order_sql="c.riders DESC, c.city_adcode, c.h3",
    cap_note="most riders first",
    minzoom=8,
    maxzoom=16,
    parameters=(THRESHOLD_M, RES),
    depends_on={"coverage_cells": None},
)
