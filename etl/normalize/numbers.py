"""Numbers as offices write them: ``28人``, ``约12``, ``12-15``, ``二十八``, ``104°03'56"``.

Each parser takes one cell (stripped text) and answers the value it reads, with a code saying
how when it had to read more than a plain number (the row is flagged with it), or ``ok=False``
when it cannot read the cell at all (the row is rejected). They run once per distinct cell.
"""

import math
import re
import unicodedata
from typing import Final, NamedTuple


class Reading(NamedTuple):
    """A cell as read: its value (None when it says "unknown"), how, and whether it was read."""

    value: float | None
    how: str | None = None
    ok: bool = True


_NUMBER: Final = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"
_COUNT: Final = re.compile(
    rf"^(?P<approx>约|大约|大概|近|将近|约计)?(?P<n>{_NUMBER})"
    rf"(?:(?P<sep>[-~～—–至到])(?P<m>{_NUMBER}))?"
    r"(?P<more>余|多|以上|\+)?(?:人|名|位|个|辆|台|平方米|平米|平方|㎡|m²|m2)?"
    r"(?P<after>余|多|以上|左右)?$"
)
# Cells that say the number is not known: left empty, never a made-up zero.
UNKNOWN_WORDS: Final = frozenset(
    {
        "-",
        "--",
        "—",
        "——",
        "/",
        "\\",
        "不详",
        "未知",
        "待定",
        "待核实",
        "待统计",
        "无数据",
        "n/a",
        "na",
        "null",
        "?",
        "？",
    }
)
ZERO_WORDS: Final = frozenset({"无", "没有", "零", "暂无"})
_DIGITS: Final = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS: Final = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral up to 万 (``二十八`` -> 28), or None."""
    if not text or any(c not in _DIGITS and c not in _UNITS and c != "万" for c in text):
        return None
    total, section, digit = 0, 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _UNITS[char]
            digit = None
    return total + section + (digit or 0)


def _value(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        found = chinese_number(text)
        return None if found is None else float(found)


def read_amount(text: str) -> Reading:
    """Read a count or an amount: ``28人``, ``约12``, ``12-15`` (its middle), ``35㎡``, ``二十``."""
    cell = unicodedata.normalize("NFKC", text).strip().lower()
    cell = re.sub(r"(?<=\d),(?=\d{3})", "", "".join(cell.split()))
    if cell in UNKNOWN_WORDS:
        return Reading(None, "count_unknown_word")
    if cell in ZERO_WORDS:
        return Reading(0.0, "count_zero_word")
    match = _COUNT.match(cell)
    if match is None:
        return Reading(None, ok=False)
    low = _value(match["n"])
    high = _value(match["m"]) if match["m"] else None
    if low is None or (match["m"] and high is None):
        return Reading(None, ok=False)
    if high is not None:
        if high < low:
            return Reading(None, ok=False)
        return Reading(math.floor((low + high) / 2 + 0.5), "count_range")
    if match["approx"] or match["after"] == "左右":
        return Reading(low, "count_approximate")
    if match["more"] or match["after"] in ("余", "多", "以上"):
        return Reading(low, "count_at_least")
    if not match["n"][0].isdigit():
        return Reading(low, "count_words")
    return Reading(low, None if cell == match["n"] else "count_unit")


_PRIMES: Final = str.maketrans(
    {
        "′": "'",
        "’": "'",
        "‘": "'",
        "″": '"',
        "“": '"',
        "”": '"',
        "度": "°",
        "分": "'",
        "秒": '"',
        "º": "°",
        "˚": "°",
    }
)
_HEMISPHERE: Final = re.compile(r"^(东经|北纬|西经|南纬|[ENWS])?(.*?)([ENWS])?$")
_DEGREES: Final = re.compile(
    r"^(?P<d>\d+(?:\.\d+)?)°(?:(?P<m>\d+(?:\.\d+)?)'(?:(?P<s>\d+(?:\.\d+)?)\"?)?)?$"
    r"|^(?P<d2>\d+(?:\.\d+)?)$"
)


def read_degrees(text: str) -> Reading:
    """Read an angle: ``104°03'56"``, ``104度3分56秒``, ``E104.0656°``, ``东经104.06``."""
    cell = unicodedata.normalize("NFKC", text).translate(_PRIMES).replace("''", '"')
    cell = "".join(cell.split()).upper()
    hemisphere = _HEMISPHERE.match(cell)
    assert hemisphere is not None  # every text matches: all parts are optional
    before, body, after = hemisphere.groups()
    if before and after:
        return Reading(None, ok=False)
    match = _DEGREES.match(body)
    if match is None:
        return Reading(None, ok=False)
    if match["d2"] is not None:
        degrees = float(match["d2"])
    else:
        minutes, seconds = float(match["m"] or 0), float(match["s"] or 0)
        if minutes >= 60 or seconds >= 60:
            return Reading(None, ok=False)
        degrees = float(match["d"]) + minutes / 60 + seconds / 3600
    sign = -1 if (before or after or "") in ("W", "S", "西经", "南纬") else 1
    return Reading(round(sign * degrees, 8), "coordinate_dms")


_PAIR: Final = re.compile(r"[,，;；\s]+")


def split_pair(text: str) -> tuple[str, str] | None:
    """Split one ``lon,lat`` cell (``104.06,30.67``, ``(104.06, 30.67)``, ``104.06 30.67``)."""
    cell = unicodedata.normalize("NFKC", text).strip().strip("()[]{}")
    parts = [part for part in _PAIR.split(cell) if part]
    return (parts[0], parts[1]) if len(parts) == 2 else None
