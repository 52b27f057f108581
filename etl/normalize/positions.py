"""Catch a wrong coordinate system: points that fall outside the district their address names.

A BD-09 point read as GCJ-02 lands about 700 m off, a GCJ-02 point read as WGS-84 some 500 m: most
stay in their district, but points near a border cross it. So each point is checked against the
district its address names (``etl.normalize.places``). A point outside is flagged, and read again
in the other systems: if one of them puts it inside, the flag says which (``looks like BD-09``).
When many points of a file are outside and another system puts nearly all of them inside, the
whole file is suspect and the batch says so (``reload with --crs bd09?``).
"""

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from etl.normalize.fields import Flags
from etl.normalize.report import note
from geo_api import coords

# Systems a point of each system is mistaken for, in the order they are tried.
ALTERNATIVES: Final = {
    coords.GCJ02: (coords.BD09, coords.WGS84),
    coords.BD09: (coords.GCJ02, coords.WGS84),
    coords.WGS84: (coords.GCJ02, coords.BD09),
    coords.CGCS2000: (coords.GCJ02, coords.BD09),
}
# A file is suspect when at least this many points are outside their district and another
# system leaves at most this share of them outside.
SUSPECT_MIN_OUTSIDE: Final = 2
SUSPECT_MAX_SHARE: Final = 0.25


@dataclass
class PositionCheck:
    """The outcome: flags of rows outside their district, and notes on the whole file."""

    flags: pd.DataFrame
    notes: list[dict[str, Any]] = field(default_factory=list)
    outside: int = 0


def check_positions(
    records: pd.DataFrame,
    districts: dict[str, BaseGeometry],
    names: dict[str, str],
    crs: str,
    column: str | None = None,
) -> PositionCheck:
    """Check each record's point against the district its address names.

    Parameters
    ----------
    records
        Accepted records with ``lon``, ``lat`` (WGS-84), ``source_x``, ``source_y``,
        ``address_district`` and ``row_number``.
    districts
        The districts' shapes (WGS-84) by adcode.
    names
        The districts' names by adcode, for the flags.
    crs
        The system the file was read in.
    column
        The file's coordinate columns, for the flags.
    """
    flags = Flags()
    if "address_district" not in records or not districts:
        return PositionCheck(flags.frame())
    checked = records[records["address_district"].isin(list(districts))]
    checked = checked.set_index("row_number")
    if checked.empty:
        return PositionCheck(flags.frame())
    outside = ~_inside(checked, checked["lon"], checked["lat"], districts)
    inside_as = {}
    for alternative in ALTERNATIVES.get(crs, ()):
        lon, lat = coords.to_wgs84(checked["source_x"], checked["source_y"], alternative)
        inside_as[alternative] = _inside(
            checked, pd.Series(lon, checked.index), pd.Series(lat, checked.index), districts
        )
    district = checked["address_district"].map(names)
    hint = pd.Series(None, index=checked.index, dtype=object)
    for alternative, inside in reversed(inside_as.items()):
        hint = hint.where(~(outside & inside), alternative)
    given = checked["source_x"].astype(str) + "," + checked["source_y"].astype(str)
    flags.add(
        outside & hint.isna(),
        "position",
        "district_mismatch",
        column=column,
        value=given,
        district=district,
        district_adcode=checked["address_district"],
    )
    flags.add(
        outside & hint.notna(),
        "position",
        "district_mismatch_crs",
        column=column,
        value=given,
        district=district,
        district_adcode=checked["address_district"],
        crs=hint,
    )
    notes = _notes(int(outside.sum()), len(checked), inside_as)
    return PositionCheck(flags.frame(), notes, int(outside.sum()))


def _inside(
    records: pd.DataFrame, lon: pd.Series, lat: pd.Series, districts: dict[str, BaseGeometry]
) -> pd.Series:
    inside = pd.Series(False, index=records.index)
    for adcode, rows in records.groupby("address_district").groups.items():
        shape = districts[str(adcode)]
        shapely.prepare(shape)
        x, y = lon.loc[rows].to_numpy(np.float64), lat.loc[rows].to_numpy(np.float64)
        inside.loc[rows] = shapely.contains_xy(shape, x, y)
    return inside


def _notes(outside: int, checked: int, inside_as: dict[str, pd.Series]) -> list[dict[str, Any]]:
    notes = []
    if outside:
        notes.append(note("note_district_mismatches", count=outside))
    if outside < SUSPECT_MIN_OUTSIDE:
        return notes
    still_outside = {crs: int((~inside).sum()) for crs, inside in inside_as.items()}
    if not still_outside:
        return notes
    best = min(still_outside, key=lambda crs: still_outside[crs])
    if still_outside[best] <= SUSPECT_MAX_SHARE * outside:
        notes.append(
            note(
                "note_crs_suggestion",
                outside=outside,
                checked=checked,
                crs=best,
                outside_alt=still_outside[best],
            )
        )
    return notes
