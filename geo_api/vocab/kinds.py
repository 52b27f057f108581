"""Words for the closed vocabularies: station and outlet kinds, liaison roles, access, status.

Each vocabulary accepts its own English values and the Chinese words spreadsheets use. A longer
Chinese name that contains one of the words ("成都市总工会户外劳动者服务站") maps to it; the
longest contained word wins, so "暂停开放" is suspended, not open.
"""

import re
import unicodedata
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd

from geo_api import vocab

_SYNONYMS: Final[dict[str, tuple[tuple[str, ...], dict[str, str]]]] = {
    "station_kind": (vocab.STATION_KINDS, {
        "暖新驿站": "warm_station", "工会驿站": "union_station",
        "户外劳动者服务站": "union_station", "党群服务中心": "party_service_center",
        "党群服务站": "party_service_center", "青年驿站": "youth_station",
        "骑手之家": "rider_center", "骑手驿站": "rider_center", "其他": "other", "其它": "other",
    }),
    "outlet_kind": (vocab.OUTLET_KINDS, {
        "快递": "express", "快递网点": "express", "外卖": "food_delivery",
        "外卖站点": "food_delivery", "网约车": "ride_hailing", "货运": "freight",
        "货拉拉": "freight", "其他": "other", "其它": "other",
    }),
    "liaison_role": (vocab.LIAISON_ROLES, {
        "社区": "community", "派出所": "police", "民警": "police", "公安": "police",
        # The longest word wins: a community police officer (社区民警) is police.
        "社区民警": "police", "居委会": "community", "村委会": "community", "警务室": "police",
    }),
    "access": (vocab.STATION_ACCESS, {"有人值守": "staffed", "扫码": "qr_code", "开放": "open",
                                      "自助": "open"}),
    "status": (vocab.STATION_STATUSES, {
        "开放": "open", "正常": "open", "营业": "open", "关闭": "closed", "停用": "closed",
        "暂停": "suspended", "暂停开放": "suspended",
    }),
    "boolean": (("true", "false"), {
        "1": "true", "是": "true", "yes": "true", "y": "true", "t": "true", "真": "true",
        "0": "false", "否": "false", "no": "false", "n": "false", "f": "false", "假": "false",
    }),
}  # fmt: skip
VOCABULARIES: Final = tuple(_SYNONYMS)
_UNKNOWN: Final = "\x00unknown"
# The kind of outlet a brand runs, for sheets that name the brand and not the kind.
BRANDS: Final[dict[str, str]] = {
    "美团": "food_delivery", "饿了么": "food_delivery", "饿了吗": "food_delivery",
    "蜂鸟": "food_delivery", "meituan": "food_delivery", "eleme": "food_delivery",
    "ele.me": "food_delivery",
    "顺丰": "express", "中通": "express", "京东": "express", "圆通": "express", "韵达": "express",
    "申通": "express", "极兔": "express", "ems": "express", "邮政": "express", "德邦": "express",
    "百世": "express", "菜鸟": "express", "闪送": "express", "达达": "express", "sf": "express",
    "jd": "express", "zto": "express", "yto": "express", "sto": "express", "yunda": "express",
    "j&t": "express",
    "滴滴": "ride_hailing", "高德打车": "ride_hailing", "曹操出行": "ride_hailing",
    "t3出行": "ride_hailing", "花小猪": "ride_hailing", "首汽约车": "ride_hailing",
    "如祺出行": "ride_hailing", "享道出行": "ride_hailing", "didi": "ride_hailing",
    "货拉拉": "freight", "快狗": "freight", "满帮": "freight", "运满满": "freight",
    "货车帮": "freight", "lalamove": "freight",
}  # fmt: skip
_ASCII_WORD: Final = re.compile(r"[a-z0-9&.]+")


def _key(word: object) -> str:
    return unicodedata.normalize("NFKC", str(word)).strip().lower()


def _contained(words: dict[str, str], text: str, exclude: tuple[str, ...] = ()) -> str | None:
    """Return the value of the longest Chinese word of ``words`` in ``text``, or of an ASCII one."""
    found = [w for w in words if not w.isascii() and w in text and words[w] not in exclude]
    if found:
        return words[max(found, key=len)]
    tokens = set(_ASCII_WORD.findall(text))
    ascii_words = [w for w in words if w.isascii() and w in tokens and words[w] not in exclude]
    return words[max(ascii_words, key=len)] if ascii_words else None


def station_kind_from_name(name: object) -> str | None:
    """Return the station kind a name says (``…骑手之家`` is a rider_center), or None."""
    return _contained(_SYNONYMS["station_kind"][1], _key(name), exclude=("other",))


def outlet_kind_from_brand(text: object) -> str | None:
    """Return the kind of outlet a brand (or a name holding one) runs: 美团 is food delivery."""
    return _contained(BRANDS, _key(text))


def chinese_words(vocabulary: str) -> dict[str, list[str]]:
    """Return, for each value of ``vocabulary``, the Chinese words that stand for it.

    For documentation (the API's field descriptions): ``lookup`` is what accepts them.
    """
    values, words = _SYNONYMS[vocabulary]
    found: dict[str, list[str]] = {value: [] for value in values}
    for word, value in words.items():
        if not word.isascii():
            found[value].append(word)
    return found


def lookup(vocabulary: str, word: object) -> str | None:
    """Return the vocabulary value a word stands for, or None if it stands for none.

    Parameters
    ----------
    vocabulary
        One of ``VOCABULARIES``: station_kind, outlet_kind, liaison_role, access, status, boolean.
    word
        The cell as given (English value or Chinese word, any case, full- or half-width).
    """
    values, words = _SYNONYMS[vocabulary]
    key = unicodedata.normalize("NFKC", str(word)).strip().lower().replace(" ", "_")
    if key in values:
        return key
    if key in words:
        return words[key]
    if vocabulary == "boolean":  # "是" inside a sentence is no answer
        return None
    contained = [chinese for chinese in words if not chinese.isascii() and chinese in key]
    return words[max(contained, key=len)] if contained else None


def map_words(vocabulary: str, cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map a column of words to vocabulary values, looking each distinct word up once.

    Parameters
    ----------
    vocabulary
        One of ``VOCABULARIES``.
    cells
        The column as read; blank cells (None, NaN, empty) stay blank.

    Returns
    -------
    tuple of (pandas.Series, pandas.Series)
        The values (object dtype, None where blank or unknown) and a boolean mask of the cells
        that were given but are unknown.
    """
    answers = map_distinct(cells, lambda word: lookup(vocabulary, word) or _UNKNOWN)
    unknown = answers == _UNKNOWN
    return answers.where(~unknown, None), unknown


def _joined(cell: object) -> object:
    if isinstance(cell, list | tuple | np.ndarray):
        return "、".join(str(item) for item in cell)
    return cell


def map_distinct(
    cells: pd.Series, function: Callable[[str], Any], *, blank: Any = None
) -> pd.Series:
    """Apply ``function`` once per distinct non-blank cell and spread the answers over the column.

    Parameters
    ----------
    cells
        A column as read.
    function
        Called with each distinct cell, stripped, as a string.
    blank
        The answer for blank cells (None, NaN, empty or spaces).

    Returns
    -------
    pandas.Series
        Object dtype, aligned with ``cells``.
    """
    try:
        codes, distinct = pd.factorize(cells, use_na_sentinel=True)
    except TypeError:  # GeoJSON arrays arrive as unhashable lists: join their words
        codes, distinct = pd.factorize(cells.map(_joined), use_na_sentinel=True)
    answers = np.empty(len(distinct) + 1, dtype=object)
    answers[-1] = blank  # code -1 is a missing cell
    for code, cell in enumerate(distinct):
        text = str(cell).strip()
        answers[code] = function(text) if text else blank
    return pd.Series(answers[codes], index=cells.index, dtype=object)
