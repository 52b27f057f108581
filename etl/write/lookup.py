"""What the database already knows that reading a file needs: the names and shapes of areas.

Read before anything is written, so that a file is checked against the districts loaded: which
district each address names, and whether each point lies in it.
"""

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from etl.normalize.places import Area, AreaNames
from etl.normalize.positions import check_positions
from etl.normalize.table import Normalized


def area_names(connection: Connection) -> AreaNames:
    """Return the names of the cities and districts loaded, to read addresses with."""
    rows = connection.execute(
        text(
            "SELECT adcode, name, level, parent_adcode FROM admin_areas "
            "WHERE level IN ('city', 'district') ORDER BY adcode"
        )
    )
    return AreaNames(Area(*row) for row in rows)


def district_shapes(connection: Connection, adcodes: list[str]) -> dict[str, BaseGeometry]:
    """Return the shapes (WGS-84) of the districts ``adcodes``, by adcode."""
    if not adcodes:
        return {}
    rows = connection.execute(
        text("SELECT adcode, ST_AsBinary(geom) FROM admin_areas WHERE adcode = ANY(:adcodes)"),
        {"adcodes": adcodes},
    )
    return {adcode: shapely.from_wkb(bytes(wkb)) for adcode, wkb in rows}


def check_against_districts(
    connection: Connection, normalized: Normalized, names: dict[str, str]
) -> None:
    """Flag points outside the district their address names, and a file in the wrong system."""
    records = normalized.records
    if normalized.kind not in ("stations", "outlets") or "address_district" not in records:
        return
    adcodes = sorted({str(a) for a in records["address_district"].dropna()})
    shapes = district_shapes(connection, adcodes)
    columns = {c["field"]: c["column"] for c in normalized.report.get("columns", [])}
    used = ", ".join(columns[f] for f in ("lon", "lat", "coordinates") if f in columns)
    found = check_positions(records, shapes, names, normalized.crs or "wgs84", used or None)
    if len(found.flags):
        normalized.flags = pd.concat([normalized.flags, found.flags], ignore_index=True)
    normalized.report["notes"] += found.notes
