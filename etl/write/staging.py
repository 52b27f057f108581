"""Staging tables: the accepted records of a batch, COPYed into a temporary table in one go.

Each kind has a fixed list of staging columns (names from ``geo_api.models``, never from the
input file), so every identifier in the SQL built here comes from this module.
"""

import io
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from h3ronpy import cells_to_string
from h3ronpy.vector import coordinates_to_cells
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from etl.write.copytext import encode_column, encode_rows

STAGING_TABLE = "etl_staging"
# Areas whose geometry a boundary batch changed (old and new), to refresh derived adcodes.
CHANGED_AREAS = "etl_changed_areas"
COPY_CHUNK_ROWS = 100_000
TEMP_BUFFERS = "256MB"
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
    # Temporary tables live in temp_buffers (8 MB by default): a million staged rows would go
    # through the disk. PostgreSQL refuses a new size once the session has used temporary
    # tables at another one; the savepoint keeps that refusal from failing the batch.
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
    except DBAPIError:
        pass
    connection.exec_driver_sql(f"CREATE TEMP TABLE {STAGING_TABLE} ({body}) ON COMMIT DROP")


def drop_staging(connection: Connection) -> None:
    """Drop the staging tables now, so a second batch in the same transaction can stage."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGING_TABLE}, {CHANGED_AREAS}")


def h3_cells(lon: pd.Series, lat: pd.Series) -> pa.Array:
    """Return the H3 cell at resolution 9 of each point, computed in one vectorised call.

    Parameters
    ----------
    lon, lat
        WGS-84 longitude and latitude in degrees, aligned.

    Returns
    -------
    pyarrow.Array
        The cells as hexadecimal strings, aligned with the input.
    """
    # h3ronpy computes whole arrays in Rust (h3o): 0.5 s for a million points, where a
    # Python loop over h3.latlng_to_cell took 3.1 s even once per distinct point.
    cells = coordinates_to_cells(lat.to_numpy(np.float64), lon.to_numpy(np.float64), H3_RESOLUTION)
    return pa.array(cells_to_string(cells)).cast(pa.string())


def copy_stream(kind: str, records: pd.DataFrame) -> io.BytesIO:
    """Return ``records`` as a CSV stream for COPY into the staging table of ``kind``.

    Point kinds get their ``h3_r9`` cell here; missing optional columns are NULL.
    """
    names, columns = [], []
    for column in COLUMNS[kind]:
        names.append(column.name)
        if column.name == "h3_r9":
            columns.append(h3_cells(records["lon"], records["lat"]))
        elif column.name not in records:
            columns.append(pa.nulls(len(records), pa.string()))
        else:
            columns.append(encode_column(records[column.name], column.pg_type))
    names.append("row_number")
    columns.append(encode_column(records["row_number"], "integer"))
    return encode_rows(names, columns)


def _encoded_chunks(kind: str, records: pd.DataFrame) -> Iterator[tuple[int, io.BytesIO]]:
    """Yield (rows, COPY stream) per chunk, the next chunk encoded while this one is copied."""
    # pyarrow and h3ronpy release the GIL, and the server parses one chunk while a thread
    # encodes the next: on two cores the encoding mostly hides behind the COPY.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: tuple[int, Future[io.BytesIO]] | None = None
        for start in range(0, len(records), COPY_CHUNK_ROWS):
            chunk = records.iloc[start : start + COPY_CHUNK_ROWS]
            following = (len(chunk), pool.submit(copy_stream, kind, chunk))
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = following
        if pending is not None:
            yield pending[0], pending[1].result()


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
        The accepted records of ``etl.normalize.table.Normalized``.
    on_rows
        Called with the size of each chunk once it is copied (for the progress bar).
    """
    names = ", ".join([*(c.name for c in COLUMNS[kind]), "row_number"])
    sql = f"COPY {STAGING_TABLE} ({names}) FROM STDIN WITH (FORMAT csv)"
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for rows, stream in _encoded_chunks(kind, records):
            cursor.copy_expert(sql, stream)
            on_rows(rows)
    finally:
        cursor.close()
    return len(records)
