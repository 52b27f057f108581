"""Translate the Chinese ways of writing opening hours into OpenStreetMap ``opening_hours`` syntax.

``周一至周五 9:00-17:00，周六、周日10:00-16:00`` becomes ``Mo-Fr 09:00-17:00; Sa,Su 10:00-16:00``,
which ``geo_api.vocab.hours`` evaluates. The text is scanned token by token: a day selector starts
a rule, the time ranges after it belong to it, and anything not recognised makes the whole text
unparsed rather than half-understood.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

_DAY_CODES: Final = {"一": "Mo", "二": "Tu", "三": "We", "四": "Th", "五": "Fr", "六": "Sa",
                     "日": "Su", "天": "Su", "七": "Su"}  # fmt: skip
_DAY_WORDS: Final = {"工作日": ["Mo-Fr"], "周末": ["Sa", "Su"], "双休日": ["Sa", "Su"],
                     "每天": ["Mo-Su"], "每日": ["Mo-Su"], "天天": ["Mo-Su"], "全周": ["Mo-Su"],
                     "每周": ["Mo-Su"]}  # fmt: skip
_PM_WORDS: Final = ("下午", "晚上", "晚", "傍晚")
_TO = r"(?:-|~|〜|—|–|至|到)"
_DAY = r"(?:周|星期|礼拜)"
_DAY_CHAR = "[一二三四五六日天七]"
_LABEL = "营业|开放|服务|办公|工作"


def _time(suffix: str) -> str:
    return (
        rf"(?P<pre{suffix}>上午|早上|早晨|早|中午|下午|晚上|傍晚|晚|凌晨)?\s*(?P<h{suffix}>\d{{1,2}})"
        rf"(?:[:.](?P<m{suffix}>\d{{2}})|点半(?P<half{suffix}>)|[点时](?:(?P<pm{suffix}>\d{{1,2}})分?)?)?"
    )


_TOKENS: Final = [
    ("always", re.compile(r"(?:7\s*[x*×]\s*)?24\s*(?:小时|h\b|hours?)|全天候?|24/7|全年无休")),
    ("day_range", re.compile(rf"{_DAY}(?P<a>{_DAY_CHAR})\s*{_TO}\s*{_DAY}?(?P<b>{_DAY_CHAR})")),
    ("day", re.compile(rf"{_DAY}(?P<a>{_DAY_CHAR})")),
    ("day_word", re.compile("|".join(_DAY_WORDS))),
    ("time_range", re.compile(rf"{_time('1')}\s*{_TO}\s*(?:次日|翌日)?\s*{_time('2')}")),
    ("off", re.compile(r"休息|闭馆|休馆|关闭|不营业|停业|闭店|公休")),
    ("filler", re.compile(rf"(?:{_LABEL})?时间|{_LABEL}|[,;。、|/\s:()【】\[\]]|和|及|与")),
]  # fmt: skip


@dataclass
class _Rule:
    days: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    off: bool = False

    def osm(self) -> str:
        selector = ",".join(self.days)
        body = "off" if self.off else ",".join(self.times)
        return f"{selector} {body}".strip()


class _Unparsed(Exception):
    """The text has a token or an order of tokens this translator does not know."""


def to_osm(text: str) -> str | None:
    """Translate Chinese opening hours into an OSM ``opening_hours`` expression.

    Parameters
    ----------
    text
        E.g. ``周一至周五 9:00-17:00``, ``9点-21点``, ``09:00～21:00``, ``24小时``, ``工作日``.

    Returns
    -------
    str or None
        The OSM expression, or None when the text is not understood.
    """
    normal = unicodedata.normalize("NFKC", text).strip().lower()
    try:
        rules = _rules(normal)
    except _Unparsed:
        return None
    if not rules:
        return None
    # OSM lets a later rule override an earlier one: rules for every day go first, so that
    # "9:00-21:00，周六休息" closes Saturday instead of being undone by the everyday rule.
    ordered = [rule for rule in rules if not rule.days] + [rule for rule in rules if rule.days]
    return "; ".join(rule.osm() for rule in ordered)


def _rules(text: str) -> list[_Rule]:
    rules: list[_Rule] = []
    position = 0
    while position < len(text):
        for name, pattern in _TOKENS:
            match = pattern.match(text, position)
            if match and match.end() > position:
                _apply(rules, name, match)
                position = match.end()
                break
        else:
            raise _Unparsed(text[position:])
    # Days written after the hours ("9:00-17:00（工作日）") qualify those hours.
    if len(rules) >= 2 and _days_only(rules[-1]) and not rules[-2].days and not rules[-2].off:
        days = rules.pop().days
        rules[-1].days = days
    return rules


def _days_only(rule: _Rule) -> bool:
    return bool(rule.days) and not rule.times and not rule.off


def _apply(rules: list[_Rule], name: str, match: re.Match[str]) -> None:
    if name == "filler":
        return
    if name in ("day_range", "day", "day_word"):
        days = _days(name, match)
        if rules and _days_only(rules[-1]):
            rules[-1].days.extend(days)
        else:
            rules.append(_Rule(days=days))
    elif name == "off":
        if not rules or not _days_only(rules[-1]):
            raise _Unparsed(match.group(0))
        rules[-1].off = True
    else:
        span = "00:00-24:00" if name == "always" else _time_range(match)
        if not rules or rules[-1].off or (rules[-1].days and rules[-1].times and name == "always"):
            rules.append(_Rule())
        rules[-1].times.append(span)


def _days(name: str, match: re.Match[str]) -> list[str]:
    if name == "day_word":
        return list(_DAY_WORDS[match.group(0)])
    first = _DAY_CODES[match.group("a")]
    if name == "day":
        return [first]
    return [f"{first}-{_DAY_CODES[match.group('b')]}"]


def _time_range(match: re.Match[str]) -> str:
    start = _clock(match, "1")
    end = _clock(match, "2")
    if start == end:
        raise _Unparsed(match.group(0))
    return f"{start[0]:02d}:{start[1]:02d}-{end[0]:02d}:{end[1]:02d}"


def _clock(match: re.Match[str], suffix: str) -> tuple[int, int]:
    hour = int(match.group(f"h{suffix}"))
    minute_text = match.group(f"m{suffix}") or match.group(f"pm{suffix}")
    minute = 30 if match.group(f"half{suffix}") is not None else int(minute_text or 0)
    prefix = match.group(f"pre{suffix}")
    if (prefix in _PM_WORDS and hour < 12) or (prefix == "中午" and hour < 11):
        hour += 12
    if hour > 24 or minute >= 60 or (hour == 24 and minute):
        raise _Unparsed(match.group(0))
    return hour, minute
