"""Opening hours: the forms data officers write, turned into weekly intervals.

A week is 10,080 minutes from Monday 00:00 local time; hours are a sorted list of disjoint
``[start, end)`` intervals in it. OpenStreetMap's ``opening_hours`` syntax is evaluated by
opening-hours-py (the maintained Rust parser); the Chinese forms are translated into that syntax
by ``geo_api.vocab.hours_zh`` first, so one evaluator decides every interval, including ranges
past midnight and the wrap from Sunday night into Monday morning.

What neither understands is not an error: the text is kept and the row flagged.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

# ParserError is missing from the package's stubs.
from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

from geo_api.vocab.hours_zh import to_osm

MINUTES_PER_DAY: Final = 24 * 60
MINUTES_PER_WEEK: Final = 7 * MINUTES_PER_DAY
# Two Mondays half a year apart: hours that differ between them (months, sunrise) are seasonal and
# cannot be one weekly timetable.
_REFERENCE_MONDAYS: Final = (datetime(2025, 1, 6), datetime(2025, 7, 7))
# Without coordinates the evaluator puts sunrise at a fixed 07:00: a made-up timetable.
_SOLAR_EVENTS: Final = ("sunrise", "sunset", "dawn", "dusk")


@dataclass(frozen=True)
class ParsedHours:
    """Opening hours as weekly intervals.

    Attributes
    ----------
    intervals
        Sorted, merged ``[start, end)`` minutes from Monday 00:00, or None when there is no text
        or it was not understood.
    is_24h
        True when open all week round.
    parsed
        False when text was given but not understood (then ``intervals`` is None).
    """

    intervals: list[list[int]] | None
    is_24h: bool
    parsed: bool


def parse_hours(text: str | None) -> ParsedHours:
    """Parse an opening-hours text into weekly intervals.

    Parameters
    ----------
    text
        OSM syntax (``Mo-Fr 09:00-21:00; Sa 10:00-16:00``, ``24/7``) or a Chinese form
        (``周一至周五 9:00-17:00``, ``9点-21点``, ``24小时``, ``工作日``); None or blank for none.

    Returns
    -------
    ParsedHours
        ``parsed=False`` with ``intervals=None`` when the text is present but not understood.
    """
    if text is None or not str(text).strip():
        return ParsedHours(intervals=None, is_24h=False, parsed=True)
    text = str(text).strip()
    for expression in _candidates(text):
        intervals = _weekly_intervals(expression)
        if intervals is not None:
            return ParsedHours(
                intervals=intervals, is_24h=intervals == [[0, MINUTES_PER_WEEK]], parsed=True
            )
    return ParsedHours(intervals=None, is_24h=False, parsed=False)


def _candidates(text: str) -> list[str]:
    """OSM expressions to try: the text itself unless it is Chinese, then our translation."""
    translated = to_osm(text)
    candidates = [] if _has_cjk(text) else [text]
    if translated is not None and translated not in candidates:
        candidates.append(translated)
    return candidates


def _has_cjk(text: str) -> bool:
    return any("\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" for char in text)


def _weekly_intervals(expression: str) -> list[list[int]] | None:
    """Evaluate an OSM expression over reference weeks; None if invalid or not weekly."""
    if any(event in expression.lower() for event in _SOLAR_EVENTS):
        return None
    try:
        hours = OpeningHours(expression, auto_country=False, auto_timezone=False)
    except ParserError:
        return None
    weeks = [_open_minutes(hours, monday) for monday in _REFERENCE_MONDAYS]
    if weeks[0] is None or any(week != weeks[0] for week in weeks[1:]):
        return None
    return weeks[0]


def _open_minutes(hours: OpeningHours, monday: datetime) -> list[list[int]] | None:
    """Open intervals of the week starting at ``monday``; None when any part is unknown."""
    intervals: list[list[int]] = []
    for start, end, state, _comment in hours.intervals(monday, monday + timedelta(days=7)):
        if state == State.UNKNOWN:
            return None
        if state == State.OPEN:
            intervals.append([_minutes(start - monday), _minutes(end - monday)])
    return merge_intervals(intervals)


def _minutes(delta: timedelta) -> int:
    return max(0, min(MINUTES_PER_WEEK, int(delta.total_seconds() // 60)))


def merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
    """Sort intervals and merge those that overlap or touch.

    Parameters
    ----------
    intervals
        ``[start, end)`` pairs in minutes of the week.

    Returns
    -------
    list of list of int
        Disjoint, sorted, non-empty intervals.
    """
    merged: list[list[int]] = []
    for start, end in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def local_time(dt: datetime, tz: str) -> datetime:
    """Return ``dt`` as an aware local time in ``tz``; a naive ``dt`` is already local time."""
    zone = ZoneInfo(tz)
    return dt.astimezone(zone) if dt.tzinfo is not None else dt.replace(tzinfo=zone)


def minute_of_week(dt: datetime, tz: str) -> int:
    """Return the minute of the week of ``dt`` in local time ``tz`` (Monday 00:00 is 0).

    Parameters
    ----------
    dt
        An aware datetime (converted to ``tz``) or a naive one (taken as local time in ``tz``).
    tz
        IANA time zone of the place (``Settings.timezone``).
    """
    local = local_time(dt, tz)
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute
