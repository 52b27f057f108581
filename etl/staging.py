"""Staging tables: the accepted records of a batch, COPYed into a temporary table in one go.

Each kind has a fixed list of staging columns (names from ``geo_api.models``, never from the
input file), so every identifier in the SQL built here comes from this module.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection

from etl.copytext import encode_column, encode_rows

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
    # A complex number per point hashes both coordinates at once: factorize finds the distinct.
    codes, distinct = pd.factorize(lon.to_numpy(np.float64) + 1j * lat.to_numpy(np.float64))
    cells = np.array(
        [h3.latlng_to_cell(p.imag, p.real, H3_RESOLUTION) for p in distinct.tolist()],
        dtype=object,
    )
    return cells[codes]


def copy_stream(kind: str, records: pd.DataFrame) -> io.BytesIO:
    """Return ``records`` as a CSV stream for COPY into the staging table of ``kind``.

    Point kinds get their ``h3_r9`` cell here; missing optional columns are NULL.
    """
    names, columns = [], []
    for column in COLUMNS[kind]:
        names.append(column.name)
        if column.name == "h3_r9":
            columns.append(encode_column(h3_cells(records["lon"], records["lat"]), "text"))
        elif column.name not in records:
            columns.append(pa.nulls(len(records), pa.string()))
        else:
            columns.append(encode_column(records[column.name], column.pg_type))
    names.append("row_number")
    columns.append(encode_column(records["row_number"], "integer"))
    return encode_rows(names, columns)


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
            chunk = records.iloc[start : start + COPY_CHUNK_ROWS]
            cursor.copy_expert(sql, copy_stream(kind, chunk))
            on_rows(len(chunk))
    finally:
        cursor.close()
    return len(records)
