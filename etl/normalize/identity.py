"""Who a row is: ids for rows without one, keys that compare names, a file's default source.

A row without an id gets ``auto:`` and a hash of its normalised name and address, with the
address's district read as a code (``成都市锦江区春熙路1号`` and ``锦江区春熙路1号`` are one place),
so correcting a position updates the record instead of adding one. Only a row without an address
falls back to its position (rounded to about a metre).

Names and addresses are compared as ``geo_api.vocab.names`` folds them (width, brackets, case
and white space do not count; nothing else is removed).
"""

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Final

import pandas as pd

from geo_api.errors import InvalidInput
from geo_api.vocab.names import name_keys

_DATE: Final = r"(?:19|20)\d{2}(?:[-_./年]?\d{1,2}(?:[-_./月]?\d{1,2}日?)?月?)?"
_VERSION: Final = (
    r"(?:v\d+(?:\.\d+)*|版本\d+|第?[一二三四五六七八九十\d]+版|修订版?|修改版?|最终版?|终稿|"
    r"定稿|终版|final|副本|copy|新版|更新版?|\(\d+\)|[-_ ]\d{1,2})"
)
_TAIL: Final = re.compile(rf"[-_ .]*(?:{_DATE}|{_VERSION})$", re.IGNORECASE)
_HEAD: Final = re.compile(rf"^{_DATE}[-_ .]*")


def _sha(keys: pd.Series) -> list[str]:
    return ["auto:" + hashlib.sha1(key.encode()).hexdigest()[:20] for key in keys]


def point_ids(
    given: pd.Series,
    names: pd.Series,
    address_rest: pd.Series,
    district: pd.Series,
    lon: pd.Series,
    lat: pd.Series,
) -> pd.Series:
    """Fill blank ids of stations and outlets from name and address (or position).

    Parameters
    ----------
    given
        The ids given (None where blank).
    names
        The names.
    address_rest, district
        The address without its province, city and district, and that district's adcode (None
        when the address names none); see ``etl.normalize.places``.
    lon, lat
        Positions (WGS-84), for rows without an address.
    """
    blank = given.isna()
    if not blank.any():
        return given
    name = _strings(name_keys(names[blank]))
    rest = name_keys(address_rest[blank])
    place = _strings(district[blank]) + "|" + _strings(rest)
    position = "@" + _strings(lon[blank].round(5)) + "," + _strings(lat[blank].round(5))
    keys = name + "|" + place.where(rest.notna(), position)
    ids = given.copy().astype(object)
    ids.loc[blank] = _sha(keys)
    return ids


def _strings(values: pd.Series) -> pd.Series:
    """Values as Python strings, blanks as empty ones (whatever the dtype read)."""
    return pd.Series(
        ["" if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()],
        index=values.index,
        dtype=object,
    )


def hashed_ids(given: pd.Series, parts: list[pd.Series]) -> pd.Series:
    """Fill blank ids with ``auto:`` and the sha1 of the parts joined with ``|`` (liaisons)."""
    blank = given.index[given.isna()]
    if blank.empty:
        return given
    texts = [part.reindex(blank).astype(object) for part in parts]
    texts = [part.where(part.notna(), "").astype(str) for part in texts]
    joined = texts[0]
    for part in texts[1:]:
        joined = joined + "|" + part
    ids = given.copy()
    ids.loc[blank] = _sha(joined)
    return ids


def file_source(file_name: str) -> str:
    """Return a file's name as a source: without folder, suffix, dates and version marks.

    ``锦江区驿站统计表_20240315_v2.xlsx`` and ``锦江区驿站统计表（修订版）.csv`` are both
    ``锦江区驿站统计表``, so loading next month's sheet updates the same records.
    """
    stem = unicodedata.normalize("NFKC", Path(file_name).stem).strip()
    name = stem
    while True:
        shorter = _TAIL.sub("", _HEAD.sub("", name)).strip("-_ .()")
        shorter = re.sub(r"\(\)$", "", shorter)
        if shorter == name or not shorter:
            break
        name = shorter
    return name or stem


def choose_source(given: str | None, unit: str | None, file_name: str) -> tuple[str, str]:
    """Return a batch's source and where it came from (``option``, ``unit``, ``file_name``).

    ``--source`` wins; then the sheet's 填报单位 (who filled it in); then the file's name without
    dates and versions (``file_source``).

    Raises
    ------
    InvalidInput
        When ``given`` is blank.
    """
    if given is not None:
        if not given.strip():
            raise InvalidInput("--source must not be empty")
        return given.strip(), "option"
    if unit:
        return unit, "unit"
    return file_source(file_name), "file_name"
