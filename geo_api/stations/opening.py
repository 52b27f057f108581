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


def _flatten(hours: list[list[list[int]] | None]) -> tuple[IntArray, IntArray, IntArray]:
    """Return the station index, start and end of every interval, over two weeks."""
    sizes = [len(h) if h else 0 for h in hours]
    pairs = [pair for h in hours if h for pair in h]
    flat = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    station = np.repeat(np.arange(len(hours), dtype=np.int64), sizes)
    week = np.int64(MINUTES_PER_WEEK)
    return (
        np.concatenate([station, station]),
        np.concatenate([flat[:, 0], flat[:, 0] + week]),
        np.concatenate([flat[:, 1], flat[:, 1] + week]),
    )


def _first_after(
    station: IntArray, minutes: IntArray, keep: npt.NDArray[np.bool_], n: int
) -> IntArray:
    """Return per station the smallest of ``minutes`` where ``keep``, or ``_NONE``."""
    first = np.full(n, _NONE, dtype=np.int64)
    np.minimum.at(first, station[keep], minutes[keep])
    return first


def next_changes(hours: list[list[list[int]] | None], minute: int) -> tuple[IntArray, IntArray]:
    """Return, per station, the minute its next opening starts and the next one ends.

    Parameters
    ----------
    hours
        Each station's weekly ``[start, end)`` intervals (minutes from Monday 00:00), or None.
    minute
        The minute of the week asked about.

    Returns
    -------
    tuple of numpy arrays
        ``opens``, ``closes``: minutes from the start of the asked week (up to two weeks on),
        strictly after ``minute``; ``_NONE`` where there is no such change.
    """
    n = len(hours)
    station, starts, ends = _flatten(hours)
    if len(station) == 0:
        return np.full(n, _NONE, dtype=np.int64), np.full(n, _NONE, dtype=np.int64)
    # Keys of (station, minute) pairs, so that touching intervals of one station meet.
    span = np.int64(3 * MINUTES_PER_WEEK)
    start_keys, end_keys = station * span + starts, station * span + ends
    real_start = ~np.isin(start_keys, end_keys)
    real_end = ~np.isin(end_keys, start_keys)
    opens = _first_after(station, starts, real_start & (starts > minute), n)
    closes = _first_after(station, ends, real_end & (ends > minute), n)
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
