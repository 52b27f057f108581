"""The records of each kind: which fields, their defaults and checks (used by ``table``)."""

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from etl.normalize.fields import (
    Flags,
    Reasons,
    amounts_read,
    booleans,
    column,
    duplicates,
    text,
    timestamps,
    words,
)
from etl.normalize.geo import boundary_wkb, geometry_points, point_coordinates
from etl.normalize.headers import Columns
from etl.normalize.identity import hashed_ids, point_ids
from etl.normalize.numbers import split_pair
from etl.normalize.places import AreaNames, address_districts
from etl.read.tables import RawTable
from geo_api import vocab
from geo_api.errors import InvalidInput
from geo_api.settings import DEFAULT_TIMEZONE
from geo_api.vocab.amenities import parse_amenities
from geo_api.vocab.hours import ParsedHours, parse_hours
from geo_api.vocab.kinds import map_distinct, outlet_kind_from_brand, station_kind_from_name
from geo_api.vocab.names import name_keys

_LEVEL_WORDS: Final = {
    "市": "city", "地级市": "city", "区": "district", "县": "district", "区县": "district",
    "街道": "street", "镇": "street", "乡": "street", "乡镇": "street", "社区": "community",
    "村": "community", "网格": "grid",
}  # fmt: skip
_NO_HOURS: Final = ParsedHours(intervals=None, is_24h=False, parsed=True)
DEFAULT_KIND: Final = {"stations": "warm_station", "outlets": "other"}


@dataclass
class Context:
    """What every record builder reads from and writes to for one file."""

    frame: pd.DataFrame
    columns: Columns
    reasons: Reasons
    flags: Flags
    # The IANA time zone of dates and times written without an offset (WARMMAP_TIMEZONE).
    timezone: str = DEFAULT_TIMEZONE

    def cell(self, field: str) -> pd.Series:
        """Return the column of ``field``, all blank when the file has none."""
        return column(self.frame, self.columns, field)

    def text(self, field: str) -> pd.Series:
        """Return the cells of ``field`` as stripped text, None where blank or without column."""
        if field not in self.columns:
            return pd.Series(None, index=self.frame.index, dtype=object)
        return text(self.frame[self.columns[field]])

    def name_of(self, field: str) -> str | None:
        """Return the file's column of ``field``, if any."""
        return self.columns.get(field)


def point_records(
    kind: str, table: RawTable, ctx: Context, crs: str, names: AreaNames | None
) -> pd.DataFrame:
    """Fields shared by stations and outlets: ids, name, address, coordinates, synthetic."""
    record_names = _names(ctx)
    geometry = table.geometry
    # A vector file's geometry wins over attribute columns that happen to be called x and y;
    # the columns serve only when there is no geometry at all.
    if geometry is not None and (
        geometry.notna().any() or not {"lon", "lat"} <= ctx.columns.keys()
    ):
        place = geometry_points(geometry.loc[ctx.frame.index], crs, ctx.reasons)
    else:
        x, y, x_name, y_name = _coordinate_cells(ctx)
        place = point_coordinates(ctx.frame, x, y, crs, ctx.reasons, ctx.flags, (x_name, y_name))
    records = pd.DataFrame(index=ctx.frame.index)
    addresses = ctx.text("address")
    district, rest = address_districts(addresses, ctx.text("district"), names)
    given_ids = ctx.text("external_id")
    records["external_id"] = point_ids(
        given_ids, record_names, rest, district, place["lon"], place["lat"]
    )
    records["name"] = record_names
    records["name_key"] = name_keys(record_names)
    records["address"] = addresses
    records["address_district"] = district
    records["synthetic"] = _booleans(ctx, "synthetic", False)
    records["source_crs"] = crs
    return pd.concat([records, place], axis=1)


def _coordinate_cells(ctx: Context) -> tuple[pd.Series, pd.Series, str | None, str | None]:
    """Longitude and latitude cells: their columns, or one 坐标 column split in two."""
    if {"lon", "lat"} <= ctx.columns.keys() or "coordinates" not in ctx.columns:
        return ctx.cell("lon"), ctx.cell("lat"), ctx.name_of("lon"), ctx.name_of("lat")
    cells = text(ctx.cell("coordinates"))
    pairs = map_distinct(cells, split_pair)
    unsplit = cells.notna() & pairs.isna()
    ctx.reasons.add(unsplit, "non_numeric_coordinates", x=cells, y="")
    source = ctx.name_of("coordinates")
    return pairs.str[0], pairs.str[1], source, source


def station_fields(records: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Add the fields of a station; return the records."""
    records["kind"] = _kinds(ctx, "station_kind", records["name"], records["name"])
    records["phone"] = text(ctx.cell("phone"))
    amenities = map_distinct(ctx.cell("amenities"), parse_amenities, blank=([], [])).tolist()
    records["amenities"] = pd.Series([a[0] for a in amenities], index=records.index, dtype=object)
    records["amenities_unknown"] = pd.Series(
        [a[1] for a in amenities], index=records.index, dtype=object
    )
    unknown = records["amenities_unknown"].map(len).astype(bool)
    ctx.flags.add(
        unknown,
        "amenities",
        "amenities_unknown",
        column=ctx.name_of("amenities"),
        value=ctx.cell("amenities"),
        words=records["amenities_unknown"],
    )
    records["hours_text"] = text(ctx.cell("hours"))
    hours = map_distinct(ctx.cell("hours"), parse_hours, blank=_NO_HOURS)
    records["hours"] = hours.map(lambda parsed: parsed.intervals)
    records["hours_unparsed"] = hours.map(lambda parsed: not parsed.parsed).astype(bool)
    records["is_24h"] = hours.map(lambda parsed: parsed.is_24h).astype(bool)
    ctx.flags.add(
        records["hours_unparsed"],
        "hours",
        "hours_not_understood",
        column=ctx.name_of("hours"),
        value=records["hours_text"],
    )
    records["access"] = words("access", ctx.cell("access"), None, ctx.reasons, "access")
    records["capacity"] = _counts(ctx, "capacity", whole=True)
    records["area_m2"] = _counts(ctx, "area_m2", whole=False)
    records["status"] = _with_default(ctx, "status", "open")
    verified = timestamps(
        ctx.cell("last_verified_at"), ctx.reasons, "last_verified_at", ctx.timezone
    )
    records["last_verified_at"] = verified
    return records


def outlet_fields(records: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Add the fields of a delivery outlet; return the records."""
    records["brand"] = text(ctx.cell("brand"))
    said_by = records["brand"].where(records["brand"].notna(), records["name"])
    records["kind"] = _kinds(ctx, "outlet_kind", said_by, said_by)
    records["riders"] = _counts(ctx, "riders", whole=True)
    return records


def _counts(ctx: Context, field: str, *, whole: bool) -> pd.Series:
    values = amounts_read(
        ctx.cell(field), ctx.reasons, ctx.flags, field, ctx.name_of(field), whole=whole
    )
    return values.round().astype("Int64") if whole else values


def _kinds(ctx: Context, vocabulary: str, words_: pd.Series, said_by: pd.Series) -> pd.Series:
    """Kinds from the kind column; where it is blank or missing, from names or brands.

    Without a kind column, a row whose words name no kind gets None (the default for new
    records, stored kinds left alone); a blank cell of a kind column gets the default, flagged.
    """
    kind = "stations" if vocabulary == "station_kind" else "outlets"
    infer = station_kind_from_name if kind == "stations" else outlet_kind_from_brand
    if "kind" not in ctx.columns:
        return map_distinct(words_, infer)
    values = words(vocabulary, ctx.cell("kind"), None, ctx.reasons, "kind")
    # None where blank, or where the word is unknown (those rows are rejected: no flag stays).
    blank = values.isna()
    if not blank.any():
        return values
    # Only blank kinds are read from the words: a million named rows need no second look.
    inferred = map_distinct(words_[blank], infer).reindex(words_.index)
    source = ctx.name_of("kind")
    ctx.flags.add(
        blank & inferred.notna(),
        "kind",
        "kind_from_name",
        column=source,
        value=said_by,
        read=inferred,
    )
    ctx.flags.add(
        blank & inferred.isna(), "kind", "defaulted", column=source, read=DEFAULT_KIND[kind]
    )
    return values.where(~blank, inferred).fillna(DEFAULT_KIND[kind])


def _with_default(ctx: Context, field: str, default: str) -> pd.Series:
    values = words(field, ctx.cell(field), None, ctx.reasons, field)
    if field in ctx.columns:
        blank = text(ctx.cell(field)).isna()
        ctx.flags.add(blank, field, "defaulted", column=ctx.name_of(field), read=default)
    return values.fillna(default)


def _booleans(ctx: Context, field: str, default: bool) -> pd.Series:
    values = booleans(ctx.cell(field), default, ctx.reasons, field)
    if field in ctx.columns:
        blank = text(ctx.cell(field)).isna()
        ctx.flags.add(blank, field, "defaulted", column=ctx.name_of(field), read=default)
    return values


def liaison_records(ctx: Context, crs: str) -> pd.DataFrame:
    """Build the records of liaisons, with their base point where the file gives one.

    The base (the police station or community office) is optional: a row without coordinates
    gets its scope area's representative point when loaded. A row with one coordinate, or with
    coordinates that are not numbers, swapped or outside China, is rejected like a station's.
    """
    records = pd.DataFrame(index=ctx.frame.index)
    records["name"] = _names(ctx)
    records["phone"] = text(ctx.cell("phone"))
    roles = text(ctx.cell("role"))
    ctx.reasons.add(roles.isna(), "missing_role")
    records["role"] = words("liaison_role", roles, None, ctx.reasons, "role")
    records["organization"] = text(ctx.cell("organization"))
    records["scope_adcode"] = text(ctx.cell("scope_adcode"))
    records["active"] = _booleans(ctx, "active", True)
    records["synthetic"] = _booleans(ctx, "synthetic", False)
    given_ids = text(ctx.cell("external_id"))
    parts = [records[field] for field in ("name", "role", "scope_adcode", "phone")]
    records.insert(0, "external_id", hashed_ids(given_ids, parts))
    return pd.concat([records, _liaison_bases(ctx, crs)], axis=1)


def _liaison_bases(ctx: Context, crs: str) -> pd.DataFrame:
    """Return ``source_x/y``, ``lon``/``lat`` of the rows that give a base point, else NaN."""
    x, y = ctx.cell("lon"), ctx.cell("lat")
    given = text(x).notna() | text(y).notna()
    frame = ctx.frame
    bases = pd.DataFrame(np.nan, index=frame.index, columns=["source_x", "source_y", "lon", "lat"])
    bases["source_crs"] = None
    if given.any():
        own = Reasons(frame.index[given])
        names = (ctx.name_of("lon"), ctx.name_of("lat"))
        place = point_coordinates(frame[given], x[given], y[given], crs, own, ctx.flags, names)
        bases.loc[given, ["source_x", "source_y", "lon", "lat"]] = place.to_numpy()
        bases.loc[given, "source_crs"] = crs
        ctx.reasons.take(own)
    return bases


def boundary_records(table: RawTable, ctx: Context, crs: str, level: str | None) -> pd.DataFrame:
    """Build the records of administrative areas, their geometry as WKB in WGS-84."""
    if table.geometry is None:
        raise InvalidInput("boundaries need a vector file: GeoJSON, Shapefile or GeoPackage")
    if level is None and "level" not in ctx.columns:
        raise InvalidInput(f"boundaries need --level ({', '.join(vocab.ADMIN_LEVELS)})")
    records = pd.DataFrame(index=ctx.frame.index)
    records["adcode"] = text(ctx.cell("adcode"))
    ctx.reasons.add(records["adcode"].isna(), "missing_adcode")
    records["name"] = _names(ctx)
    records["level"] = level if level is not None else _levels(ctx.cell("level"), ctx.reasons)
    records["parent_adcode"] = text(ctx.cell("parent_adcode"))
    records["synthetic"] = booleans(ctx.cell("synthetic"), False, ctx.reasons, "synthetic")
    duplicates(records["adcode"], ctx.reasons, "adcode")
    records["geom_wkb"] = boundary_wkb(table.geometry.loc[ctx.frame.index], crs, ctx.reasons)
    return records


def _names(ctx: Context) -> pd.Series:
    names = text(ctx.cell("name"))
    ctx.reasons.add(names.isna(), "missing_name")
    return names


def _levels(cells: pd.Series, reasons: Reasons) -> pd.Series:
    def level_of(word: str) -> str | None:
        key = word.lower()
        return key if key in vocab.ADMIN_LEVELS else _LEVEL_WORDS.get(word)

    levels = map_distinct(cells, level_of)
    reasons.add(
        levels.isna(),
        "unknown_level",
        value=cells,
        allowed=", ".join(vocab.ADMIN_LEVELS),
    )
    return levels
