"""Turn a file as read into the records of one kind, and the rows rejected with their reasons.

Everything is done a column at a time over the whole frame: a million outlets take seconds. Each
row gets the first reason it fails for (missing name, missing or non-numeric coordinates, swapped
longitude/latitude, outside China, unknown vocabulary word, duplicate id); the others become
records. Rows kept despite text that was not understood (opening hours, amenities) are counted as
flagged. Nothing is dropped silently.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

import numpy as np
import pandas as pd
import shapely

from etl.normalize.fields import Reasons, duplicates
from etl.normalize.geo import check_file_crs
from etl.normalize.headers import resolve_columns
from etl.normalize.records import (
    boundary_records,
    liaison_records,
    outlet_fields,
    point_records,
    station_fields,
)
from etl.read.tables import RawTable
from geo_api import coords, vocab
from geo_api.errors import InvalidInput
from geo_api.settings import DEFAULT_TIMEZONE

_ID_FIELD: Final = {"stations": "external_id", "outlets": "external_id",
                    "liaisons": "external_id", "boundaries": "adcode"}  # fmt: skip


@dataclass
class Rejection:
    """A row not loaded: its number, the row as given (JSON-serialisable) and why."""

    row_number: int
    raw: dict[str, object]
    reason: str


@dataclass
class Normalized:
    """The outcome of ``normalize``: accepted records, rejections and counts."""

    kind: str
    records: pd.DataFrame
    rejected: list[Rejection]
    flagged: int
    rows_read: int
    # {field: column}: which of the file's columns was read as what (kept with the batch).
    columns: dict[str, str] = field(default_factory=dict)


def normalize(
    kind: str,
    table: RawTable,
    *,
    crs: str,
    source: str,
    level: str | None = None,
    mapping: dict[str, str] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Normalized:
    """Validate and convert a table into the records of ``kind``.

    Parameters
    ----------
    kind
        stations, outlets, liaisons or boundaries.
    table
        The file as read by ``etl.read.tables.read_table``.
    crs
        The system of the file's coordinates (wgs84, cgcs2000, gcj02, bd09 or EPSG:n).
    source
        The name of the data source (the records' ids are unique within it).
    level
        For boundaries: the level of every area (city, district, street, community, grid);
        otherwise a level column is needed.
    mapping
        ``{field: column}`` overriding the header aliases.
    timezone
        The IANA time zone of dates and times written without an offset (``WARMMAP_TIMEZONE``).

    Returns
    -------
    Normalized
        ``records`` has the columns of the kind's table plus ``row_number``; ``lon``/``lat`` are
        WGS-84 and ``source_x``/``source_y``/``source_crs`` what the file said.

    Raises
    ------
    InvalidInput
        For an unknown kind, CRS or level, a required column missing, or a vector file whose
        own CRS contradicts ``crs``.
    """
    if kind not in vocab.LOAD_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: use {', '.join(vocab.LOAD_KINDS)}")
    if level is not None and level not in vocab.ADMIN_LEVELS:
        raise InvalidInput(f"unknown level {level!r}: use {', '.join(vocab.ADMIN_LEVELS)}")
    if not source.strip():
        raise InvalidInput("source must not be empty")
    crs = coords.normalize_crs(crs)
    check_file_crs(table.geometry, crs)
    has_geometry = table.geometry is not None
    columns = resolve_columns(kind, table.frame.columns, mapping, has_geometry=has_geometry)
    reasons = Reasons(table.frame.index)
    records = _records(kind, table, columns, crs, level, reasons, timezone)
    duplicates(records[_ID_FIELD[kind]], reasons, _ID_FIELD[kind])
    accepted = reasons.accepted
    kept = records[accepted].copy()
    kept["row_number"] = kept.index.astype("int64")
    return Normalized(
        kind=kind,
        records=kept.reset_index(drop=True),
        rejected=_rejections(table, reasons.series[~accepted]),
        flagged=_flagged(kind, kept),
        rows_read=len(table.frame),
        columns=columns,
    )


def _records(
    kind: str,
    table: RawTable,
    columns: dict[str, str],
    crs: str,
    level: str | None,
    reasons: Reasons,
    timezone: str,
) -> pd.DataFrame:
    if kind == "liaisons":
        return liaison_records(table, columns, crs, reasons)
    if kind == "boundaries":
        return boundary_records(table, columns, crs, level, reasons)
    records = point_records(kind, table, columns, crs, reasons)
    if kind == "stations":
        return station_fields(records, table.frame, columns, reasons, timezone)
    return outlet_fields(records, table.frame, columns, reasons)


def _flagged(kind: str, records: pd.DataFrame) -> int:
    if kind != "stations" or records.empty:
        return 0
    unknown = records["amenities_unknown"].map(len).astype(bool)
    return int((records["hours_unparsed"] | unknown).sum())


def _rejections(table: RawTable, reasons: pd.Series) -> list[Rejection]:
    if reasons.empty:
        return []
    rows = table.frame.loc[reasons.index]
    raws = [
        {str(key): _json_value(value) for key, value in row.items()}
        for row in rows.to_dict("records")
    ]
    if table.geometry is not None:
        wkt = shapely.to_wkt(table.geometry.loc[reasons.index].values, rounding_precision=-1)
        for raw, text in zip(raws, wkt, strict=True):
            raw["geometry"] = text
    return [
        Rejection(row_number=int(number), raw=raw, reason=str(reason))
        for number, raw, reason in zip(reasons.index, raws, reasons, strict=True)
    ]


def _json_value(value: object) -> object:
    """Return a cell as JSON can hold it: None for blanks, plain numbers, ISO dates, else text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, list | tuple | np.ndarray):
        return [_json_value(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value if math.isfinite(value) else str(value)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
