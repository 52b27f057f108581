"""Records as COPY input: a CSV stream written by pyarrow, fast enough for a million rows.

pyarrow writes every string quoted (so an empty string stays empty and a missing value, written
bare, is NULL) and every double in its shortest form that reads back to the same value, so a
reload compares equal to what is stored.
"""

import io
import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

ARROW_TYPES = {
    "integer": pa.int64(),
    "double precision": pa.float64(),
    "boolean": pa.bool_(),
}


def _present(value: object) -> bool:
    return not (value is None or value is pd.NA or value is pd.NaT or value != value)


def _pg_array(values: object) -> str:
    """Return a PostgreSQL text[] literal of a list of words (quoted, so commas are safe)."""
    items = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)  # type: ignore[attr-defined]
    return "{" + ",".join(f'"{item}"' for item in items) + "}"


RENDERERS: dict[str, Callable[[object], str]] = {
    "text[]": _pg_array,
    "jsonb": json.dumps,
    "bytea": lambda value: "\\x" + bytes(value).hex(),  # type: ignore[call-overload]
    "timestamp with time zone": lambda value: pd.Timestamp(value).isoformat(),  # type: ignore[arg-type]
}


def _rendered(values: pd.Series, render: Callable[[object], str]) -> pa.Array:
    return pa.array([render(v) if _present(v) else None for v in values.tolist()], pa.string())


def encode_column(values: pd.Series | np.ndarray, pg_type: str) -> pa.Array:
    """Return a column as an Arrow array that writes as COPY csv input for ``pg_type``.

    Parameters
    ----------
    values
        Strings, numbers, booleans, lists (``text[]``), JSON-able objects (``jsonb``), WKB bytes
        (``bytea``) or timestamps; None or NaN where missing.
    pg_type
        The PostgreSQL type of the staging column, as the dialect names it (``text``,
        ``varchar(32)``, ``text[]``, ``timestamp with time zone``, ...).
    """
    series = pd.Series(values)
    if pg_type in RENDERERS:
        return _rendered(series, RENDERERS[pg_type])
    if pg_type in ("integer", "double precision"):
        return pa.array(pd.to_numeric(series), ARROW_TYPES[pg_type], from_pandas=True)
    if pg_type == "boolean":
        return pa.array(series.astype(object), pa.bool_(), from_pandas=True)
    try:
        return pa.array(series, pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Cells read from spreadsheets may be numbers where text is expected.
        return _rendered(series, str)


def encode_rows(names: list[str], columns: list[pa.Array]) -> io.BytesIO:
    """Return aligned columns as a CSV stream (no header) for ``COPY ... (FORMAT csv)``."""
    buffer = io.BytesIO()
    table = pa.table(dict(zip(names, columns, strict=True)))
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    buffer.seek(0)
    return buffer
