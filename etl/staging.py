"""Staging tables: the accepted records of a batch, COPYed into a temporary table in one go.

Each kind has a fixed list of staging columns (names from ``geo_api.models``, never from the
input file), so every identifier in the SQL built here comes from this module.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
from sqlalchemy import Connection

STAGING_TABLE = "etl_staging"
# Areas whose geometry a boundary batch changed (old and new), to refresh derived adcodes.
CHANGED_AREAS = "etl_changed_areas"
COPY_CHUNK_ROWS = 100_000
H3_RESOLUTION = 9


@dataclass(frozen=True)
class Column:
    """A staging column: its name, its PostgreSQL type, and what NULL becomes in the target."""

    name: str
    pg_type: str
    default_sql: str | None = None


TEXT_COLUMNS = ("external_id", "name")
POINT_COLUMNS = (
    Column("synthetic", "boolean", "false"),
    Column("source_crs", "text", "'wgs84'"),
    Column("source_x", "double precision"),
    Column("source_y", "double precision"),
    Column("lon", "double precision"),
    Column("lat", "double precision"),
    Column("h3_r9", "text"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "stations": (
        Column("external_id", "text"),
        Column("name", "text"),
        Column("kind", "text", "'warm_station'"),
        Column("address", "text"),
        Column("phone", "text"),
        Column("amenities", "text[]", "'{}'::text[]"),
        Column("amenities_unknown", "text[]", "'{}'::text[]"),
        Column("hours_text", "text"),
        Column("hours", "jsonb"),
        Column("hours_unparsed", "boolean", "false"),
        Column("is_24h", "boolean", "false"),
        Column("access", "text"),
        Column("capacity", "integer"),
        Column("area_m2", "double precision"),
        Column("status", "text", "'open'"),
        Column("last_verified_at", "timestamptz"),
        *POINT_COLUMNS,
    ),
    "outlets": (
        Column("external_id", "text"),
        Column("name", "text"),
        Column("brand", "text"),
        Column("kind", "text", "'other'"),
        Column("riders", "integer", "0"),
        Column("address", "text"),
        *POINT_COLUMNS,
    ),
    "liaisons": (
        Column("external_id", "text"),
        Column("name", "text"),
        Column("phone", "text"),
        Column("role", "text"),
        Column("organization", "text"),
        Column("scope_adcode", "text"),
        Column("active", "boolean", "true"),
        Column("synthetic", "boolean", "false"),
    ),
    "boundaries": (
        Column("adcode", "text"),
        Column("name", "text"),
        Column("level", "text"),
        Column("parent_adcode", "text"),
        Column("synthetic", "boolean", "false"),
        Column("geom_wkb", "bytea"),
    ),
}
"""Staging columns per kind, in COPY order; ``row_number`` is appended to each."""


def create_staging(connection: Connection, kind: str) -> None:
    """Create the batch's temporary staging table for ``kind``, dropped at commit."""
    columns = [*COLUMNS[kind], Column("row_number", "integer")]
    body = ", ".join(f"{c.name} {c.pg_type}" for c in columns)
    connection.exec_driver_sql(f"CREATE TEMP TABLE {STAGING_TABLE} ({body}) ON COMMIT DROP")


def drop_staging(connection: Connection) -> None:
    """Drop the staging tables now, so a second batch in the same transaction can stage."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGING_TABLE}, {CHANGED_AREAS}")


def h3_cells(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Return the H3 cell at resolution 9 of each point, computed once per distinct point.

    Parameters
    ----------
    lon, lat
        WGS-84 longitude and latitude in degrees, aligned.

    Returns
    -------
    numpy.ndarray
        The cells as hexadecimal strings, aligned with the input.
    """
    points = np.column_stack([lat.to_numpy(np.float64), lon.to_numpy(np.float64)])
    if len(points) == 0:
        return np.array([], dtype=object)
    distinct, inverse = np.unique(points, axis=0, return_inverse=True)
    cells = np.array(
        [h3.latlng_to_cell(y, x, H3_RESOLUTION) for y, x in distinct.tolist()], dtype=object
    )
    return cells[inverse.reshape(-1)]


def _pg_array(values: object) -> str | None:
    """Return a PostgreSQL text[] literal of a list of words (quoted, so commas are safe)."""
    if values is None or (isinstance(values, float) and np.isnan(values)):
        return None
    items = []
    for value in values:  # type: ignore[attr-defined]
        escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
        items.append(f'"{escaped}"')
    return "{" + ",".join(items) + "}"


def _pg_json(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return json.dumps(value)


def _wkb_hex(value: object) -> str | None:
    return None if value is None else "\\x" + bytes(value).hex()  # type: ignore[call-overload]


def copy_frame(kind: str, records: pd.DataFrame) -> pd.DataFrame:
    """Return ``records`` as the staging columns of ``kind``, in COPY's text representation.

    Point kinds get their ``h3_r9`` cell here; lists, JSON and WKB become PostgreSQL literals.
    """
    frame = pd.DataFrame(index=records.index)
    for column in COLUMNS[kind]:
        if column.name == "h3_r9":
            frame[column.name] = h3_cells(records["lon"], records["lat"])
        elif column.name not in records:
            frame[column.name] = None
        elif column.pg_type == "text[]":
            frame[column.name] = records[column.name].map(_pg_array, na_action="ignore")
        elif column.pg_type == "jsonb":
            frame[column.name] = records[column.name].map(_pg_json, na_action="ignore")
        elif column.pg_type == "bytea":
            frame[column.name] = records[column.name].map(_wkb_hex, na_action="ignore")
        elif column.pg_type == "integer":
            frame[column.name] = pd.to_numeric(records[column.name]).astype("Int64")
        else:
            frame[column.name] = records[column.name]
    frame["row_number"] = records["row_number"].astype("int64")
    return frame


def copy_records(
    connection: Connection,
    kind: str,
    records: pd.DataFrame,
    on_rows: Callable[[int], None] = lambda n: None,
) -> int:
    """COPY ``records`` into the staging table in chunks; return the number of rows copied.

    Parameters
    ----------
    connection
        The batch's connection, inside its transaction.
    kind
        ``stations``, ``outlets``, ``liaisons`` or ``boundaries``.
    records
        The accepted records of ``etl.normalize.Normalized``.
    on_rows
        Called with the size of each chunk once it is copied (for the progress bar).
    """
    names = ", ".join([*(c.name for c in COLUMNS[kind]), "row_number"])
    sql = f"COPY {STAGING_TABLE} ({names}) FROM STDIN WITH (FORMAT csv)"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(records), COPY_CHUNK_ROWS):
            chunk = copy_frame(kind, records.iloc[start : start + COPY_CHUNK_ROWS])
            buffer = io.StringIO()
            chunk.to_csv(buffer, header=False, index=False)
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            on_rows(len(chunk))
    finally:
        cursor.close()
    return len(records)
