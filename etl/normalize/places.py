"""The district an address names: ``成都市锦江区春熙路1号`` is in 锦江区 (510104).

Addresses start with their province, city and district; the names come from ``admin_areas`` (the
boundaries loaded), so only districts the database knows are recognised. A district name two
cities share (鼓楼区) counts only when the city is written before it. The district an address
names is what a record's identity is scoped to, and what its point is checked against.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import pandas as pd

from geo_api.vocab.kinds import map_distinct

_PROVINCE: Final = re.compile(r"^(中国|中华人民共和国)?([\u4e00-\u9fff]{2,7}?(省|自治区))?")


@dataclass(frozen=True)
class Area:
    """A city or district of ``admin_areas``."""

    adcode: str
    name: str
    level: str
    parent_adcode: str | None = None


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


class AreaNames:
    """The names of the cities and districts the database holds, to read addresses with."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.cities: dict[str, list[Area]] = {}
        self.districts: dict[str, list[Area]] = {}
        for area in areas:
            target = self.cities if area.level == "city" else self.districts
            if area.level in ("city", "district"):
                target.setdefault(_plain(area.name), []).append(area)
        # Name lengths, longest first: a prefix is looked up once per length, not per name.
        self._city_lengths = sorted({len(n) for n in self.cities}, reverse=True)
        self._district_lengths = sorted({len(n) for n in self.districts}, reverse=True)
        self.names = {a.adcode: a.name for group in self.districts.values() for a in group}

    def __bool__(self) -> bool:
        return bool(self.districts)

    def read(self, address: str) -> tuple[str | None, str]:
        """Return the adcode of the district ``address`` names (or None) and the rest of it."""
        rest = _PROVINCE.sub("", _plain(address), count=1)
        city = next((rest[:n] for n in self._city_lengths if rest[:n] in self.cities), None)
        parents: set[str | None] | None = None
        if city is not None:
            rest = rest[len(city) :]
            parents = {area.adcode for area in self.cities[city]}
        for length in self._district_lengths:
            candidates = self.districts.get(rest[:length], [])
            areas = [a for a in candidates if parents is None or a.parent_adcode in parents]
            if len(areas) == 1:
                return areas[0].adcode, rest[length:]
            if areas:
                return None, rest  # a name several cities share, without its city
        return None, rest

    def district(self, text: str) -> str | None:
        """Return the adcode of a district written on its own (a 所属区县 cell), if unambiguous."""
        adcode, rest = self.read(text)
        return adcode if not rest else None


def address_districts(
    addresses: pd.Series, districts: pd.Series, names: AreaNames | None
) -> tuple[pd.Series, pd.Series]:
    """Return the district each address names (or its 区县 cell), and the rest of each address.

    Parameters
    ----------
    addresses
        Addresses as given (None where blank).
    districts
        A district column (``所属区县``), used where the address names none.
    names
        The areas known; None reads no district anywhere.
    """
    if not names:
        return pd.Series(None, index=addresses.index, dtype=object), addresses
    read = map_distinct(addresses, names.read, blank=(None, None)).tolist()
    adcodes = pd.Series([r[0] for r in read], index=addresses.index, dtype=object)
    rest = pd.Series([r[1] for r in read], index=addresses.index, dtype=object)
    if districts.notna().any():
        from_column = map_distinct(districts, names.district)
        adcodes = adcodes.where(adcodes.notna(), from_column)
    return adcodes.astype(object).where(adcodes.notna(), None), rest
