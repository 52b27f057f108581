"""Amenities: the words a spreadsheet uses for what a station offers, mapped to the vocabulary.

Words that match nothing are kept (``amenities_unknown``) and the row flagged, never dropped: a
data officer can see what was not understood and the vocabulary can grow.
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from geo_api.vocab import AMENITIES

# Chinese words first; English names of the vocabulary are added below.
_WORDS: Final[dict[str, str]] = {
    "充电": "charging", "充电桩": "charging", "换电": "charging",
    "饮水": "water", "热水": "water", "喝水": "water", "饮用水": "water", "开水": "water",
    "卫生间": "toilet", "厕所": "toilet", "洗手间": "toilet", "公厕": "toilet",
    "微波炉": "microwave", "热饭": "microwave",
    "休息": "rest", "歇脚": "rest", "休息区": "rest", "座椅": "rest",
    "药箱": "first_aid", "急救": "first_aid", "医药箱": "first_aid", "应急药品": "first_aid",
    "空调": "air_conditioning", "纳凉": "air_conditioning", "取暖": "air_conditioning",
    "wifi": "wifi", "wi-fi": "wifi", "无线网": "wifi", "无线网络": "wifi",
    "雨伞": "umbrella", "借伞": "umbrella",
    "停车": "parking", "停车位": "parking",
    "法律": "legal_aid", "法律援助": "legal_aid", "法律咨询": "legal_aid",
    "食堂": "canteen", "餐": "canteen", "用餐": "canteen", "就餐": "canteen",
    "toilets": "toilet", "restroom": "toilet", "drinking_water": "water",
    "charger": "charging", "ac": "air_conditioning", "aircon": "air_conditioning",
    **{name: name for name in AMENITIES},
}  # fmt: skip
# Chinese words also match inside longer ones ("免费充电" is charging); longest first, so that
# "法律援助" is tried before "法律".
_CHINESE: Final = sorted((w for w in _WORDS if not w.isascii()), key=len, reverse=True)
_SEPARATORS: Final = re.compile(r"[、,;/\s|]+")
# English names of more than one word would be cut apart by the space separator.
_PHRASES: Final = re.compile(r"\b(air|first|legal|drinking)[\s-]+(conditioning|aid|water)\b")


def chinese_words() -> dict[str, list[str]]:
    """Return, for each amenity, the Chinese words that stand for it (for documentation)."""
    found: dict[str, list[str]] = {amenity: [] for amenity in AMENITIES}
    for word, amenity in _WORDS.items():
        if not word.isascii():
            found[amenity].append(word)
    return found


def parse_amenities(value: object) -> tuple[list[str], list[str]]:
    """Split an amenities cell into vocabulary values and unknown words.

    Parameters
    ----------
    value
        A string such as ``充电、饮水，卫生间`` or ``charging; water``, a list of words, or
        None/NaN.

    Returns
    -------
    tuple of (list of str, list of str)
        The known vocabulary values, sorted and unique, and the words not understood (in lower
        case, full-width characters folded), unique and in their order.
    """
    known: set[str] = set()
    unknown: list[str] = []
    for word in _words(value):
        matched = _match(word)
        if matched:
            known.update(matched)
        elif word not in unknown:
            unknown.append(word)
    return sorted(known), unknown


def _words(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [word for item in value for word in _words(item)]
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = _PHRASES.sub(r"\1_\2", text.lower())
    return [word for word in _SEPARATORS.split(text) if word]


def _match(word: str) -> set[str]:
    if word in _WORDS:
        return {_WORDS[word]}
    found: set[str] = set()
    rest = word
    for chinese in _CHINESE:
        if chinese in rest:
            found.add(_WORDS[chinese])
            rest = rest.replace(chinese, " ")
    return found
