"""The records of each kind: which fields, their defaults and checks (used by ``table``)."""

from typing import Final

import numpy as np
import pandas as pd

from etl.normalize.fields import (
    Reasons,
    amounts,
    auto_ids,
    booleans,
    column,
    duplicates,
    text,
    timestamps,
    whole_numbers,
    words,
)
from etl.normalize.geo import boundary_wkb, geometry_points, point_coordinates
from etl.read.tables import RawTable
from geo_api import vocab
from geo_api.errors import InvalidInput
from geo_api.vocab.amenities import parse_amenities
from geo_api.vocab.hours import ParsedHours, parse_hours
from geo_api.vocab.kinds import map_distinct

_LEVEL_WORDS: Final = {
    "市": "city", "地级市": "city", "区": "district", "县": "district", "区县": "district",
    "街道": "street", "镇": "street", "乡": "street", "乡镇": "street", "社区": "community",
    "村": "community", "网格": "grid",
}  # fmt: skip
_NO_HOURS: Final = ParsedHours(intervals=None, is_24h=False, parsed=True)


def point_records(
    kind: str, table: RawTable, columns: dict[str, str], crs: str, reasons: Reasons
) -> pd.DataFrame:
    """Fields shared by stations and outlets: ids, name, address, coordinates, synthetic."""
    frame = table.frame
    names = _names(frame, columns, reasons)
    geometry = table.geometry
    # A vector file's geometry wins over attribute columns that happen to be called x and y;
    # the columns serve only when there is no geometry at all.
    if geometry is not None and (geometry.notna().any() or not {"lon", "lat"} <= columns.keys()):
        place = geometry_points(geometry, crs, reasons)
    else:
        x, y = column(frame, columns, "lon"), column(frame, columns, "lat")
        place = point_coordinates(frame, x, y, crs, reasons)
    records = pd.DataFrame(index=frame.index)
    given_ids = text(column(frame, columns, "external_id"))
    # Names folded (full-width, case) and places rounded to about a metre, so that re-exporting
    # the same station gives the same id.
    blank = given_ids.isna()
    folded = names[blank].astype("string").str.normalize("NFKC").str.lower()
    key = [folded, place.lon[blank].round(5), place.lat[blank].round(5)]
    records["external_id"] = auto_ids(given_ids, key)
    records["name"] = names
    records["address"] = text(column(frame, columns, "address"))
    records["synthetic"] = booleans(
        column(frame, columns, "synthetic"), False, reasons, "synthetic"
    )
    records["source_crs"] = crs
    return pd.concat([records, place], axis=1)


def station_fields(
    records: pd.DataFrame,
    frame: pd.DataFrame,
    columns: dict[str, str],
    reasons: Reasons,
    timezone: str,
) -> pd.DataFrame:
    """Add the fields of a station; return the records (times without offset in ``timezone``)."""
    cell = lambda field: column(frame, columns, field)  # noqa: E731
    records["kind"] = words("station_kind", cell("kind"), "warm_station", reasons, "kind")
    records["phone"] = text(cell("phone"))
    amenities = map_distinct(cell("amenities"), parse_amenities, blank=([], []))
    records["amenities"] = amenities.str[0]
    records["amenities_unknown"] = amenities.str[1]
    records["hours_text"] = text(cell("hours"))
    hours = map_distinct(cell("hours"), parse_hours, blank=_NO_HOURS)
    records["hours"] = hours.map(lambda parsed: parsed.intervals)
    records["hours_unparsed"] = hours.map(lambda parsed: not parsed.parsed).astype(bool)
    records["is_24h"] = hours.map(lambda parsed: parsed.is_24h).astype(bool)
    records["access"] = words("access", cell("access"), None, reasons, "access")
    records["capacity"] = whole_numbers(cell("capacity"), None, reasons, "capacity")
    records["area_m2"] = amounts(cell("area_m2"), reasons, "area_m2")
    records["status"] = words("status", cell("status"), "open", reasons, "status")
    verified = timestamps(cell("last_verified_at"), reasons, "last_verified_at", timezone)
    records["last_verified_at"] = verified
    return records


def outlet_fields(
    records: pd.DataFrame, frame: pd.DataFrame, columns: dict[str, str], reasons: Reasons
) -> pd.DataFrame:
    """Add the fields of a delivery outlet; return the records."""
    records["brand"] = text(column(frame, columns, "brand"))
    records["kind"] = words("outlet_kind", column(frame, columns, "kind"), "other", reasons, "kind")
    records["riders"] = whole_numbers(column(frame, columns, "riders"), 0, reasons, "riders")
    return records


def liaison_records(
    table: RawTable, columns: dict[str, str], crs: str, reasons: Reasons
) -> pd.DataFrame:
    """Build the records of liaisons, with their base point where the file gives one.

    The base (the police station or community office) is optional: a row without coordinates
    gets its scope area's representative point when loaded. A row with one coordinate, or with
    coordinates that are not numbers, swapped or outside China, is rejected like a station's.
    """
    frame = table.frame
    cell = lambda field: column(frame, columns, field)  # noqa: E731
    records = pd.DataFrame(index=frame.index)
    records["name"] = _names(frame, columns, reasons)
    records["phone"] = text(cell("phone"))
    roles = text(cell("role"))
    reasons.add(roles.isna(), "missing role")
    records["role"] = words("liaison_role", roles, None, reasons, "role")
    records["organization"] = text(cell("organization"))
    records["scope_adcode"] = text(cell("scope_adcode"))
    records["active"] = booleans(cell("active"), True, reasons, "active")
    records["synthetic"] = booleans(cell("synthetic"), False, reasons, "synthetic")
    given_ids = text(cell("external_id"))
    parts = [records[field] for field in ("name", "role", "scope_adcode", "phone")]
    records.insert(0, "external_id", auto_ids(given_ids, parts))
    return pd.concat([records, _liaison_bases(frame, columns, crs, reasons)], axis=1)


def _liaison_bases(
    frame: pd.DataFrame, columns: dict[str, str], crs: str, reasons: Reasons
) -> pd.DataFrame:
    """Return ``source_x/y``, ``lon``/``lat`` of the rows that give a base point, else NaN."""
    x, y = column(frame, columns, "lon"), column(frame, columns, "lat")
    given = text(x).notna() | text(y).notna()
    bases = pd.DataFrame(np.nan, index=frame.index, columns=["source_x", "source_y", "lon", "lat"])
    bases["source_crs"] = None
    if given.any():
        own = Reasons(frame.index[given])
        place = point_coordinates(frame[given], x[given], y[given], crs, own)
        bases.loc[given, ["source_x", "source_y", "lon", "lat"]] = place.to_numpy()
        bases.loc[given, "source_crs"] = crs
        failed = own.series.reindex(frame.index)
        reasons.add(failed.notna(), lambda mask: failed[mask].astype(str))
    return bases


def boundary_records(
    table: RawTable, columns: dict[str, str], crs: str, level: str | None, reasons: Reasons
) -> pd.DataFrame:
    """Build the records of administrative areas, their geometry as WKB in WGS-84."""
    if table.geometry is None:
        raise InvalidInput("boundaries need a vector file: GeoJSON, Shapefile or GeoPackage")
    if level is None and "level" not in columns:
        raise InvalidInput(f"boundaries need --level ({', '.join(vocab.ADMIN_LEVELS)})")
    frame = table.frame
    records = pd.DataFrame(index=frame.index)
    records["adcode"] = text(column(frame, columns, "adcode"))
    reasons.add(records["adcode"].isna(), "missing adcode")
    records["name"] = _names(frame, columns, reasons)
    records["level"] = level if level is not None else _levels(frame[columns["level"]], reasons)
    records["parent_adcode"] = text(column(frame, columns, "parent_adcode"))
    synthetic = column(frame, columns, "synthetic")
    records["synthetic"] = booleans(synthetic, False, reasons, "synthetic")
    duplicates(records["adcode"], reasons, "adcode")
    records["geom_wkb"] = boundary_wkb(table.geometry, crs, reasons)
    return records


def _names(frame: pd.DataFrame, columns: dict[str, str], reasons: Reasons) -> pd.Series:
    names = text(column(frame, columns, "name"))
    reasons.add(names.isna(), "missing name")
    return names


def _levels(cells: pd.Series, reasons: Reasons) -> pd.Series:
    def level_of(word: str) -> str | None:
        key = word.lower()
        return key if key in vocab.ADMIN_LEVELS else _LEVEL_WORDS.get(word)

    levels = map_distinct(cells, level_of)
    reasons.add(
        levels.isna(),
        lambda m: (
            "unknown level '" + cells[m].astype(str) + f"' (use {', '.join(vocab.ADMIN_LEVELS)})"
        ),
    )
    return levels
