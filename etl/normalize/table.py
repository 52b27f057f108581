"""Turn a file as read into the records of one kind, and the rows rejected with their reasons.

Everything is done a column at a time over the whole frame: a million outlets take seconds. Rows
that are not data (titles, totals, notes) are skipped with their reason. Each other row gets the
first reason it fails for (missing name, missing or non-numeric coordinates, swapped
longitude/latitude, outside China, unknown vocabulary word, duplicate id); the others become
records. Values read with a guess, defaulted or not understood flag their rows, which are loaded.
Columns that feed no field are kept in each record's ``extra``. Nothing is dropped silently.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from etl.normalize.fields import Flags, Reasons, duplicates, json_value
from etl.normalize.geo import check_file_crs, choose_crs
from etl.normalize.headers import Columns, resolve_columns
from etl.normalize.places import AreaNames
from etl.normalize.records import (
    Context,
    boundary_records,
    liaison_records,
    outlet_fields,
    point_records,
    station_fields,
)
from etl.normalize.rejections import (
    Rejection,
    raw_rows,
    rejections,
    skipped_rejections,
    subheader_rows,
)
from etl.normalize.report import build_report
from etl.normalize.screen import screen
from etl.normalize.sheet import not_data, read_preamble, skipped_rows
from etl.read.tables import RawTable
from geo_api import vocab
from geo_api.errors import InvalidInput
from geo_api.settings import DEFAULT_TIMEZONE

_ID_FIELD: Final = {
    "stations": "external_id",
    "outlets": "external_id",
    "liaisons": "external_id",
    "boundaries": "adcode",
}
MODES: Final = ("merge", "replace")
# The fields each kind stores; a field the file has no column for leaves stored values alone.
STORED: Final[dict[str, tuple[str, ...]]] = {
    "stations": ("name", "kind", "address", "phone", "amenities", "hours", "access", "capacity",
                 "area_m2", "status", "last_verified_at", "synthetic", "position"),
    "outlets": ("name", "brand", "kind", "riders", "address", "synthetic", "position"),
    "liaisons": ("name", "phone", "role", "organization", "scope_adcode", "active", "synthetic",
                 "position"),
    "boundaries": ("name", "level", "parent_adcode", "synthetic", "geometry"),
}  # fmt: skip
_ALWAYS: Final = {"name", "position", "geometry", "role"}


@dataclass
class Normalized:
    """The outcome of ``normalize``: accepted records, rejections, flags and the report.

    ``given`` maps each stored field the file speaks for to ``file`` (write it) or
    ``where_given`` (write it where the value is not null: kinds read from names); None means
    every field. ``raw_rows`` returns rows as given by number, for the flagged rows' record.
    """

    kind: str
    records: pd.DataFrame
    rejected: list[Rejection]
    flags: pd.DataFrame = field(default_factory=lambda: Flags().frame())
    rows_read: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    given: dict[str, str] | None = None
    extra_columns: list[str] = field(default_factory=list)
    crs: str | None = None
    raw_rows: Callable[[list[int]], dict[int, dict[str, object]]] | None = None
    rejected_ids: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        """Rows with at least one flag."""
        return int(self.flags["row_number"].nunique()) if len(self.flags) else 0

    @property
    def columns(self) -> dict[str, str]:
        """``{field: column}``: which of the file's columns was read as what (kept with a batch)."""
        return {c["field"]: c["column"] for c in self.report.get("columns", [])}


def normalize(
    kind: str,
    table: RawTable,
    *,
    crs: str | None = None,
    source: str | None = None,
    level: str | None = None,
    mapping: dict[str, str] | None = None,
    names: AreaNames | None = None,
    mode: str = "merge",
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
        The system of the file's coordinates (wgs84, cgcs2000, gcj02, bd09 or EPSG:n); may be
        left out when the headers (``经度（高德）``) or a line above the table name it.
    source
        Unused; kept so that callers may pass it (ids are unique within a source).
    level
        For boundaries: the level of every area (city, district, street, community, grid);
        otherwise a level column is needed.
    mapping
        ``{field: column}`` overriding the header aliases.
    names
        The cities and districts the database knows, to read the district an address names.
    mode
        ``merge`` or ``replace`` (the file is the whole truth: a station in it is open unless
        its status column says otherwise).
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
        For an unknown kind, CRS, level or mode, a required column missing, a system named
        nowhere or named twice differently, or a vector file whose own CRS contradicts ``crs``.
    """
    _check_options(kind, level, mode, source)
    columns = resolve_columns(
        kind, table.frame.columns, mapping, has_geometry=table.geometry is not None
    )
    preamble = read_preamble(table.preamble)
    crs_name, origin = choose_crs(kind, crs, columns, preamble, table.geometry is not None)
    check_file_crs(table.geometry, crs_name)
    codes = not_data(table.frame, columns.get("name"))
    skipped = [*preamble.rows, *subheader_rows(table), *skipped_rows(table.frame, codes)]
    frame = table.frame[codes.isna()]
    ctx = Context(frame, columns, Reasons(frame.index), Flags(), timezone)
    mixed_scripts = screen(frame, columns, kind, ctx.reasons, table.format)
    records = _records(kind, table, ctx, crs_name, level, names)
    ctx.flags.add(
        mixed_scripts, "name", "mixed_scripts", column=columns.get("name"), value=ctx.cell("name")
    )
    duplicates(records[_ID_FIELD[kind]], ctx.reasons, _ID_FIELD[kind])
    accepted = ctx.reasons.accepted
    kept = records[accepted].copy()
    kept["row_number"] = kept.index.astype("int64")
    unused = _unused(columns, table)
    extra_columns = [*columns.ignored, *unused, *_input_only(columns)]
    kept["extra"] = None
    if extra_columns:
        kept["extra"] = pd.Series(_extras(frame.loc[accepted, extra_columns]), index=kept.index)
    inferred = kept["kind"] if kind in ("stations", "outlets") and "kind" not in columns else None
    if kind == "stations" and mode == "replace" and "status" not in columns:
        kept["status"] = "open"
    options = frozenset({"level"} if level is not None else ())
    report = build_report(
        kind, table, columns, unused, skipped, (crs_name, origin), inferred, options
    )
    report["unit"] = preamble.unit
    report["headers"] = [str(c) for c in table.frame.columns]
    return Normalized(
        kind=kind,
        records=kept.reset_index(drop=True),
        rejected=rejections(table, ctx.reasons) + skipped_rejections(skipped),
        flags=ctx.flags.frame(kept.index),
        rows_read=len(table.frame) + len(preamble.rows) + (table.subheader is not None),
        report=report,
        given=_given(kind, columns, mode, bool(extra_columns)),
        extra_columns=extra_columns,
        crs=crs_name,
        raw_rows=lambda numbers: raw_rows(table, numbers),
        rejected_ids=[str(i) for i in records.loc[~accepted, _ID_FIELD[kind]].dropna()],
    )


def _check_options(kind: str, level: str | None, mode: str, source: str | None) -> None:
    if kind not in vocab.LOAD_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: use {', '.join(vocab.LOAD_KINDS)}")
    if level is not None and level not in vocab.ADMIN_LEVELS:
        raise InvalidInput(f"unknown level {level!r}: use {', '.join(vocab.ADMIN_LEVELS)}")
    if mode not in MODES:
        raise InvalidInput(f"unknown mode {mode!r}: use merge or replace")
    if mode == "replace" and kind != "stations":
        raise InvalidInput(
            "--mode replace is for stations (they can be suspended); outlets, liaisons and "
            "boundaries load with --mode merge"
        )
    if source is not None and not source.strip():
        raise InvalidInput("source must not be empty")


def _records(
    kind: str, table: RawTable, ctx: Context, crs: str, level: str | None, names: AreaNames | None
) -> pd.DataFrame:
    if kind == "liaisons":
        return liaison_records(ctx, crs)
    if kind == "boundaries":
        return boundary_records(table, ctx, crs, level)
    records = point_records(kind, table, ctx, crs, names)
    if kind == "stations":
        return station_fields(records, ctx)
    return outlet_fields(records, ctx)


def _unused(columns: Columns, table: RawTable) -> list[str]:
    """Columns matched to a field that another source of the same data overrides."""
    unused = []
    if "coordinates" in columns and (
        {"lon", "lat"} <= columns.keys() or table.geometry is not None
    ):
        unused.append(columns["coordinates"])
    if table.geometry is not None and table.geometry.notna().any():
        unused += [columns[f] for f in ("lon", "lat") if f in columns]
    return unused


def _input_only(columns: Columns) -> list[str]:
    """Columns read to check or identify rows but stored nowhere else: kept in ``extra`` too."""
    return [columns[f] for f in ("district",) if f in columns]


def _extras(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {str(k): json_value(v) for k, v in row.items() if json_value(v) not in (None, "")}
        for row in frame.to_dict("records")
    ]


def _given(kind: str, columns: Columns, mode: str, has_extra: bool) -> dict[str, str]:
    aliases = {"hours": "hours", "amenities": "amenities", "geometry": "geometry"}
    given = {}
    for stored in STORED[kind]:
        if stored in _ALWAYS or aliases.get(stored, stored) in columns:
            given[stored] = "file"
    if kind == "boundaries":
        given["level"] = "file"
    if kind in ("stations", "outlets") and "kind" not in columns:
        given["kind"] = "where_given"
    if kind == "stations" and mode == "replace":
        given["status"] = "file"
    if has_extra:
        given["extra"] = "file"
    return given
