"""Staging tables: the accepted records of a batch, COPYed into a temporary table in one go.

The staging columns of each kind are the columns of its table in ``geo_api.models`` that a file
supplies, with the table's types and defaults, plus the inputs the upsert turns into columns
(a point's lon and lat, a boundary's WKB). Every identifier in the SQL built here comes from
the models or this module, never from the input file.
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
from sqlalchemy import Column as TableColumn
from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from etl.write.copytext import encode_column, encode_rows
from geo_api.models import POINT_RES, AdminArea, Base, Liaison, Outlet, Station

STAGING_TABLE = "etl_staging"
# Areas whose geometry a boundary batch changed (old and new), to refresh derived adcodes.
CHANGED_AREAS = "etl_changed_areas"
COPY_CHUNK_ROWS = 100_000
TEMP_BUFFERS = "256MB"


@dataclass(frozen=True)
class Column:
    """A staging column: its name, its PostgreSQL type, and what NULL becomes in the target."""

    name: str
    pg_type: str
    default_sql: str | None = None


# The table each kind loads into.
TARGETS: dict[str, type[Base]] = {
    "stations": Station,
    "outlets": Outlet,
    "liaisons": Liaison,
    "boundaries": AdminArea,
}
# Columns no file supplies: keys and bookkeeping the database or the batch fills in, what
# the upsert derives in SQL (the geometry, the district and community around a point, where a
# liaison's base came from) and what a trigger keeps (when a liaison was deactivated).
NOT_FROM_FILES = frozenset(
    {"id", "source", "batch_id", "created_at", "updated_at", "geom"}
    | {"district_adcode", "community_adcode", "base_source", "deactivated_at"}
    # What the API changed, kept by the upsert from what is stored (etl.write.upsert).
    | {"edited_fields"}
)
# Inputs that are not columns of the table: the upsert builds ``geom`` from them.
INPUTS: dict[str, tuple[Column, ...]] = {
    "stations": (Column("lon", "double precision"), Column("lat", "double precision")),
    "outlets": (Column("lon", "double precision"), Column("lat", "double precision")),
    # A liaison's base, when the file gives one; else the upsert takes the scope's centre.
    "liaisons": (Column("lon", "double precision"), Column("lat", "double precision")),
    "boundaries": (Column("geom_wkb", "bytea"),),
}
# Columns computed while staging rather than read from the records.
COMPUTED = frozenset({"h3_r9"})


def staging_column(column: TableColumn) -> Column:  # type: ignore[type-arg]
    """Return the staging column of a table column: its type and its server default."""
    pg_type = column.type.compile(dialect=postgresql.dialect()).lower()
    # Strings land as text: a value too long for the target is refused by the upsert, which
    # load_file reports in one line, rather than in the middle of a COPY stream.
    if pg_type.startswith("varchar"):
        pg_type = "text"
    default = column.server_default
    default_sql = str(default.arg.text) if default is not None else None  # type: ignore[attr-defined]
    return Column(column.name, pg_type, default_sql)


def staging_columns(table: Table) -> tuple[Column, ...]:
    """Return the columns of ``table`` that a file supplies, in the table's order."""
    return tuple(staging_column(c) for c in table.columns if c.name not in NOT_FROM_FILES)


LOADED: dict[str, tuple[Column, ...]] = {
    kind: staging_columns(model.__table__)  # type: ignore[arg-type]
    for kind, model in TARGETS.items()
}
"""The columns of each kind's table that a batch writes, as they are staged."""
COLUMNS: dict[str, tuple[Column, ...]] = {kind: (*LOADED[kind], *INPUTS[kind]) for kind in TARGETS}
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
    """Return the H3 cell at ``POINT_RES`` of each point, computed in one vectorised call.

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
    cells = coordinates_to_cells(lat.to_numpy(np.float64), lon.to_numpy(np.float64), POINT_RES)
    return pa.array(cells_to_string(cells)).cast(pa.string())


def copy_stream(kind: str, records: pd.DataFrame) -> io.BytesIO:
    """Return ``records`` as a CSV stream for COPY into the staging table of ``kind``.

    Point kinds get their ``h3_r9`` cell here. Every other staging column must be among the
    records: a column added to a model that ``etl.normalize`` does not produce would otherwise
    be loaded as NULL over what is stored.
    """
    names, columns = [], []
    missing = [c.name for c in COLUMNS[kind] if c.name not in records and c.name not in COMPUTED]
    if missing:
        raise ValueError(
            f"{kind}: the normalized records lack {', '.join(missing)}; produce them in "
            "etl.normalize or list them in etl.write.staging.NOT_FROM_FILES"
        )
    for column in COLUMNS[kind]:
        names.append(column.name)
        if column.name == "h3_r9":
            columns.append(h3_cells(records["lon"], records["lat"]))
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
