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
(it is at most a week away). A station has a handful of intervals: plain Python walks them in a
few microseconds, where numpy's setup for five stations cost ten times that.
"""

from datetime import datetime, timedelta

from geo_api.vocab.hours import MINUTES_PER_WEEK

_WEEK = MINUTES_PER_WEEK


def next_change(intervals: list[list[int]] | None, minute: int) -> tuple[int | None, int | None]:
    """Return the minute a station's next opening starts and the minute the next one ends.

    Parameters
    ----------
    intervals
        The station's weekly ``[start, end)`` intervals (minutes from Monday 00:00), disjoint,
        or None.
    minute
        The minute of the week asked about.

    Returns
    -------
    tuple
        ``opens``, ``closes``: minutes from the start of the asked week (up to two weeks on),
        strictly after ``minute``; None where there is no such change.
    """
    if not intervals:
        return None, None
    weekly = sorted((start, end) for start, end in intervals)
    unrolled = weekly + [(start + _WEEK, end + _WEEK) for start, end in weekly]
    opens = closes = None
    for i, (start, end) in enumerate(unrolled):
        if opens is None and start > minute:
            opens = start
        # An end where the next interval starts is no closing. The unrolled weeks stop at two:
        # an end there may go on into a third; it is never needed, as the same end a week
        # earlier comes first and is real unless it touches.
        if closes is None and minute < end < 2 * _WEEK:
            touching = i + 1 < len(unrolled) and unrolled[i + 1][0] == end
            if not touching:
                closes = end
        if opens is not None and closes is not None:
            break
    return opens, closes


def _at(week_start: datetime, minutes: int | None) -> str | None:
    if minutes is None:
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
    answers: list[tuple[str | None, str | None]] = []
    for intervals, around_the_clock, state in zip(hours, is_24h, open_now, strict=True):
        if state is None or around_the_clock:
            answers.append((None, None))
            continue
        opens, closes = next_change(intervals, minute)
        answers.append((None, _at(week_start, closes)) if state else (_at(week_start, opens), None))
    return answers
