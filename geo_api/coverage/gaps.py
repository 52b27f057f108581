"""Coverage gaps: H3 cells with riders and no open station within the threshold.

Measured from each cell's centre (``measured_from: "cell_centre"``): a cell is a gap when the
nearest open station to its centre, found at the last refresh, is farther than ``threshold_m``.
Each cell is named by the district, street and community holding its centre. Beside the cells,
``uncovered`` gives the totals of every gap cell (not only the ``limit`` returned) and the city's
uncovered riders measured from each outlet, the figure ``/coverage/communities`` and ``/plan``
count, so the two ways of counting stand side by side; a note says which is which.
"""

import json
from typing import Any

import h3
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.changes import changed_since
from geo_api.coverage.areas import load_city
from geo_api.coverage.communities import city_totals
from geo_api.coverage.refresh import check_res
from geo_api.coverage.schemas import GapCollection
from geo_api.errors import NotFound
from geo_api.notes import note
from geo_api.places import place_join, place_values

MEASURED_FROM = "cell_centre"
GAP_FILTER = """
WHERE c.city_adcode = :city AND c.res = :res AND c.riders >= :min_riders
  AND (c.nearest_station_m IS NULL OR c.nearest_station_m > :threshold_m)"""

GAP_CELLS = f"""
SELECT c.h3, ST_AsGeoJSON(c.geom, 7) AS geometry, c.outlets, c.riders,
       c.nearest_station_id, c.nearest_station_m, place.*
FROM (
    SELECT * FROM coverage_cells c {GAP_FILTER}
    ORDER BY c.riders DESC, c.outlets DESC, c.h3
    LIMIT :limit
) c
{place_join("ST_Centroid(c.geom)")}
ORDER BY c.riders DESC, c.outlets DESC, c.h3
"""
GAP_TOTALS = f"""
SELECT count(*) AS cells, coalesce(sum(c.riders), 0) AS riders
FROM coverage_cells c {GAP_FILTER}
"""
REFRESHED_AT = """
SELECT max(refreshed_at) FROM coverage_cells WHERE city_adcode = :city AND res = :res
"""
# A station or outlet of the city written or deleted after the refresh may change the answer.
# Stations of a neighbouring city can be an edge cell's nearest too; their changes are not
# tracked here, which is why refreshed_at is always given.
STALE_IF_CHANGED = ["stations", "outlets"]


def gap_feature(row: Any) -> dict[str, Any]:
    """Return one gap cell as a GeoJSON feature with the names of the areas it lies in."""
    return {
        "type": "Feature",
        "id": row["h3"],
        "geometry": json.loads(row["geometry"]),
        "properties": {
            "h3": row["h3"],
            "outlets": row["outlets"],
            "riders": row["riders"],
            "nearest_station_id": row["nearest_station_id"],
            "nearest_station_m": row["nearest_station_m"],
            **place_values(row),
        },
    }


def coverage_gaps(
    session: Session, city: str, res: int, threshold_m: float, min_riders: int, limit: int
) -> GapCollection:
    """Return the gap cells of ``city`` as a GeoJSON FeatureCollection, most riders first."""
    check_res(res)
    load_city(session, city)
    refreshed_at = session.execute(text(REFRESHED_AT), {"city": city, "res": res}).scalar()
    if refreshed_at is None:
        raise NotFound(
            f"no coverage cells for city {city} at res {res}: "
            f"run warmmap coverage refresh --city {city} --res {res}"
        )
    params = {
        "city": city,
        "res": res,
        "threshold_m": threshold_m,
        "min_riders": max(min_riders, 1),
        "limit": limit,
    }
    features = [gap_feature(row) for row in session.execute(text(GAP_CELLS), params).mappings()]
    cells = session.execute(text(GAP_TOTALS), params).one()
    by_outlet = city_totals(session, city, threshold_m)
    uncovered = {
        "cells": cells.cells,
        "riders": int(cells.riders),
        "riders_by_outlet": by_outlet["uncovered_riders"],
        "outlets_by_outlet": by_outlet["outlets"] - by_outlet["covered_outlets"],
    }
    # Validated as a whole, in pydantic's core: tens of thousands of cells stay cheap.
    return GapCollection.model_validate(
        {
            "city": city,
            "res": res,
            "threshold_m": threshold_m,
            "refreshed_at": refreshed_at,
            "stale": changed_since(session, STALE_IF_CHANGED, city, refreshed_at),
            "measured_from": MEASURED_FROM,
            "uncovered": uncovered,
            "notes": gap_notes(res, threshold_m, min_riders, uncovered, len(features), by_outlet),
            "features": features,
        }
    )


def gap_notes(
    res: int,
    threshold_m: float,
    min_riders: int,
    uncovered: dict[str, int],
    returned: int,
    by_outlet: dict[str, Any],
) -> list[dict[str, Any]]:
    """Return the notes of a gaps answer: how it is measured, cut short, or why it is empty."""
    across_m = round(2 * h3.average_hexagon_edge_length(res, unit="m"))
    notes = [
        note(
            "measured_from_cell_centres",
            f"Gap cells are measured from each cell's centre (H3 res {res}, about {across_m} m "
            f"across): {uncovered['cells']} cells hold {uncovered['riders']} riders with no open "
            f"station within {threshold_m:g} m of the centre. Measured from each outlet, as "
            f"/coverage/communities and /plan count, {uncovered['riders_by_outlet']} riders are "
            "uncovered: an outlet near a station can sit in a gap cell, and the reverse.",
            f"覆盖缺口按每个 H3 网格（{res} 级，直径约 {across_m} 米）的中心计算："
            f"{uncovered['cells']} 个网格中心 {threshold_m:g} 米内没有开放的驿站，"
            f"共 {uncovered['riders']} 名骑手。按每个网点计算（与 /coverage/communities、"
            f"/plan 一致），未覆盖的骑手为 {uncovered['riders_by_outlet']} 名："
            "靠近驿站的网点可能落在缺口网格里，反之亦然。",
            cell_across_m=across_m,
        )
    ]
    if returned < uncovered["cells"]:
        notes.append(
            note(
                "limited",
                f"Showing the {returned} gap cells with the most riders of {uncovered['cells']}.",
                f"只列出骑手最多的 {returned} 个缺口网格（共 {uncovered['cells']} 个）。",
                returned=returned,
            )
        )
    if uncovered["cells"] == 0:
        notes.append(_empty_note(threshold_m, min_riders, by_outlet))
    return notes


def _empty_note(threshold_m: float, min_riders: int, by_outlet: dict[str, Any]) -> dict[str, Any]:
    if by_outlet["riders"] == 0:
        return note("no_riders", "No outlet of this city has riders.", "这个城市的网点都没有骑手。")
    return note(
        "no_gaps",
        f"Every cell with at least {min_riders} riders has an open station within "
        f"{threshold_m:g} m of its centre.",
        f"每个至少有 {min_riders} 名骑手的网格中心 {threshold_m:g} 米内都有开放的驿站。",
    )
