"""When each station next opens or closes, from its weekly hours, as local times.

The answer a rider reads is "open until 21:00" or "closed, opens Monday 09:00": for a station
open at the asked minute, the end of the opening it is in (``closes_at``); for a closed one, the
start of its next opening (``opens_at``). Both are null when the hours are unknown, and
``closes_at`` is null for a station open around the clock (``is_24h``, or intervals that cover
the whole week), ``opens_at`` for one whose hours never open.

Hours are stored merged (``geo_api.vocab.hours.merge_intervals``), but an opening past Sunday
midnight is two intervals, one ending at 10,080 and one starting at 0, and rows written by hand
may split a night at midnight on other days too: a boundary where one interval ends and the next
starts is no change. The search runs over two weeks unrolled, so the next change is always found
(it is at most a week away), for every station at once with numpy.
"""

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from geo_api.vocab.hours import MINUTES_PER_WEEK

IntArray = npt.NDArray[np.int64]
_NONE = np.iinfo(np.int64).max
_WEEK = MINUTES_PER_WEEK
# Keys (station, minute) as one integer: station * _SPAN + minute, minute < two weeks.
_SPAN = 3 * _WEEK


def _unrolled(hours: list[list[list[int]] | None]) -> tuple[IntArray, IntArray, IntArray]:
    """Return station, start and end of every interval over two weeks, by station then start."""
    rows = [
        (station, start + week, end + week)
        for station, intervals in enumerate(hours)
        if intervals
        for week in (0, _WEEK)
        for start, end in sorted(intervals)
    ]
    flat = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return flat[:, 0], flat[:, 1], flat[:, 2]


def _first_after(station: IntArray, minutes: IntArray, n: int, minute: int) -> IntArray:
    """Return per station the first of its (sorted) ``minutes`` after ``minute``, or _NONE."""
    keys = station * _SPAN + minutes
    wanted = np.arange(n, dtype=np.int64)
    position = np.searchsorted(keys, wanted * _SPAN + minute, side="right")
    found = position < len(keys)
    position = np.minimum(position, len(keys) - 1)
    found &= station[position] == wanted
    return np.where(found, minutes[position], _NONE)


def next_changes(hours: list[list[list[int]] | None], minute: int) -> tuple[IntArray, IntArray]:
    """Return, per station, the minute its next opening starts and the next one ends.

    Parameters
    ----------
    hours
        Each station's weekly ``[start, end)`` intervals (minutes from Monday 00:00), disjoint,
        or None.
    minute
        The minute of the week asked about.

    Returns
    -------
    tuple of numpy arrays
        ``opens``, ``closes``: minutes from the start of the asked week (up to two weeks on),
        strictly after ``minute``; ``_NONE`` where there is no such change.
    """
    n = len(hours)
    station, starts, ends = _unrolled(hours)
    if len(station) == 0:
        return np.full(n, _NONE, dtype=np.int64), np.full(n, _NONE, dtype=np.int64)
    # An end where the station's next interval starts is no closing (and that start no opening).
    touching = (station[1:] == station[:-1]) & (starts[1:] == ends[:-1])
    # The unrolled weeks stop at two: an end there may go on into a third. It is never needed:
    # the same end a week earlier comes first, and is real unless it touches.
    real_end = ~np.append(touching, False) & (ends < 2 * _WEEK)
    # A station closed at ``minute`` opens at its first start after it, which never touches an
    # earlier end (that interval would have started after ``minute`` and come first).
    opens = _first_after(station, starts, n, minute)
    closes = _first_after(station[real_end], ends[real_end], n, minute)
    return opens, closes


def _at(week_start: datetime, minutes: int) -> str | None:
    if minutes == _NONE:
        return None
    # Wall-clock arithmetic: the offset is that of the local time reached (daylight saving).
    return (week_start + timedelta(minutes=minutes)).isoformat()


def opening_times(
    hours: list[list[list[int]] | None],
    is_24h: list[bool],
    open_now: list[bool | None],
    local: datetime,
    minute: int,
) -> list[tuple[str | None, str | None]]:
    """Return ``(opens_at, closes_at)`` per station as ISO 8601 local times, or nulls.

    Parameters
    ----------
    hours, is_24h, open_now
        Per station, as stored and as evaluated at ``minute`` (``warmmap_open_at``).
    local
        The asked time, aware, in the place's time zone.
    minute
        ``local``'s minute of the week.
    """
    week_start = local.replace(second=0, microsecond=0) - timedelta(minutes=minute)
    weekly = [
        None if around_the_clock else h for h, around_the_clock in zip(hours, is_24h, strict=True)
    ]
    opens, closes = next_changes(weekly, minute)
    answers: list[tuple[str | None, str | None]] = []
    for i, state in enumerate(open_now):
        if state is None or is_24h[i]:
            answers.append((None, None))
        elif state:
            answers.append((None, _at(week_start, int(closes[i]))))
        else:
            answers.append((_at(week_start, int(opens[i])), None))
    return answers
