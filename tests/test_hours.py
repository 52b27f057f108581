import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text as sql

from geo_api.vocab.hours import (
    MINUTES_PER_WEEK,
    merge_intervals,
    minute_of_week,
    parse_hours,
)

SHANGHAI = "Asia/Shanghai"

DAY = 1440
MO, TU, WE, TH, FR, SA, SU = range(7)
WEEKDAYS = [MO, TU, WE, TH, FR]
EVERY_DAY = list(range(7))


def hm(text):
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def weekly(days, *spans):
    """Brute force: mark every minute open for each day and span, then read runs back."""
    week = [False] * MINUTES_PER_WEEK
    for day in days:
        for span in spans:
            start, end = (hm(part) for part in span.split("-"))
            if end <= start:
                end += DAY  # past midnight: into the next day, Sunday wraps to Monday
            for minute in range(day * DAY + start, day * DAY + end):
                week[minute % MINUTES_PER_WEEK] = True
    return runs(week)


def runs(week):
    intervals, start = [], None
    for minute, open_ in enumerate([*week, False]):
        if open_ and start is None:
            start = minute
        elif not open_ and start is not None:
            intervals.append([start, minute])
            start = None
    return intervals


def union(*weeks):
    return merge_intervals([interval for week in weeks for interval in week])


FULL_WEEK = [[0, MINUTES_PER_WEEK]]


@pytest.mark.parametrize("text", ["24小时", "全天", "24h", "24H", "24/7", "Mo-Su 00:00-24:00",
                                  "7x24小时", "24小时营业", "全年无休", "00:00-24:00"])  # fmt: skip
def test_round_the_clock_forms(text):
    hours = parse_hours(text)
    assert hours.parsed
    assert hours.is_24h
    assert hours.intervals == FULL_WEEK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00-21:00", weekly(EVERY_DAY, "09:00-21:00")),
        ("09:00～21:00", weekly(EVERY_DAY, "09:00-21:00")),
        ("9点-21点", weekly(EVERY_DAY, "09:00-21:00")),
        ("9-21点", weekly(EVERY_DAY, "09:00-21:00")),
        ("营业时间：8:30-17:30", weekly(EVERY_DAY, "08:30-17:30")),
        ("下午2点-晚上10点", weekly(EVERY_DAY, "14:00-22:00")),
        ("周一至周五 9点半-17点30分", weekly(WEEKDAYS, "09:30-17:30")),
        ("周一至周五 9:00-17:00", weekly(WEEKDAYS, "09:00-17:00")),
        ("星期一到星期五 9:00-17:00", weekly(WEEKDAYS, "09:00-17:00")),
        (
            "周一到周五9:00-17:00，周六、周日10:00-16:00",
            union(weekly(WEEKDAYS, "09:00-17:00"), weekly([SA, SU], "10:00-16:00")),
        ),
        (
            "工作日9:00-18:00 周末10:00-16:00",
            union(weekly(WEEKDAYS, "09:00-18:00"), weekly([SA, SU], "10:00-16:00")),
        ),
        ("工作日", weekly(WEEKDAYS, "00:00-24:00")),
        ("周末", weekly([SA, SU], "00:00-24:00")),
        ("9:00-17:00（工作日）", weekly(WEEKDAYS, "09:00-17:00")),
        (
            "Mo-Fr 09:00-21:00; Sa 10:00-16:00",
            union(weekly(WEEKDAYS, "09:00-21:00"), weekly([SA], "10:00-16:00")),
        ),
        ("Mo,We 10:00-12:00", weekly([MO, WE], "10:00-12:00")),
        ("22:00-06:00", weekly(EVERY_DAY, "22:00-06:00")),
        ("周日 22:00-次日6:00", weekly([SU], "22:00-06:00")),
        ("Su 22:00-06:00", weekly([SU], "22:00-06:00")),
        ("9:00-12:00,14:00-18:00", weekly(EVERY_DAY, "09:00-12:00", "14:00-18:00")),
        ("9:00-12:00，14:00-18:00", weekly(EVERY_DAY, "09:00-12:00", "14:00-18:00")),
        ("周一至周五 8:30-12:00、14:00-17:30", weekly(WEEKDAYS, "08:30-12:00", "14:00-17:30")),
        ("9:00-21:00，周六休息", weekly([MO, TU, WE, TH, FR, SU], "09:00-21:00")),
        ("9:00-21:00 周一闭馆", weekly([TU, WE, TH, FR, SA, SU], "09:00-21:00")),
        (
            "周一至周五9:00-17:00，周末全天",
            union(weekly(WEEKDAYS, "09:00-17:00"), weekly([SA, SU], "00:00-24:00")),
        ),
    ],
)
def test_weekly_forms(text, expected):
    hours = parse_hours(text)
    assert hours.parsed, text
    assert hours.intervals == expected
    assert hours.is_24h is False


def test_sunday_night_wraps_into_monday_morning():
    hours = parse_hours("周日 22:00-次日6:00")
    assert hours.intervals == [[0, 360], [6 * DAY + 22 * 60, MINUTES_PER_WEEK]]


def test_intervals_are_sorted_disjoint_and_inside_the_week():
    hours = parse_hours("Mo-Su 10:00-12:00,11:00-14:00; Fr 23:00-02:00")
    assert hours.intervals is not None
    flat = [minute for interval in hours.intervals for minute in interval]
    assert flat == sorted(flat)
    assert len(set(flat)) == len(flat)  # touching intervals were merged
    assert all(0 <= minute <= MINUTES_PER_WEEK for minute in flat)
    assert hours.intervals[0] == [10 * 60, 14 * 60]


@pytest.mark.parametrize(
    "text",
    ["看情况", "不定期开放", "sunrise-sunset", "Jul-Aug 10:00-12:00", "25:00-26:00", "9:00-9:00点",
     "周八 9:00-17:00", "中午休息", "电话预约"],
)  # fmt: skip
def test_what_is_not_understood_is_kept_unparsed(text):
    hours = parse_hours(text)
    assert hours.parsed is False
    assert hours.intervals is None
    assert hours.is_24h is False


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_text_is_no_hours_and_no_flag(text):
    assert parse_hours(text) == parse_hours(None)
    assert parse_hours(text).parsed is True
    assert parse_hours(text).intervals is None


def open_at(session, intervals, minutes, is_24h=False):
    """What the service evaluates: the SQL function warmmap_open_at, for each minute."""
    return (
        session.execute(
            sql(
                "SELECT warmmap_open_at(CAST(:hours AS jsonb), :is_24h, m) "
                "FROM unnest(CAST(:minutes AS integer[])) WITH ORDINALITY AS t(m, i) ORDER BY i"
            ),
            {"hours": json.dumps(intervals), "is_24h": is_24h, "minutes": list(minutes)},
        )
        .scalars()
        .all()
    )


def test_open_at_checks_the_interval_half_open(session):
    intervals = parse_hours("周一至周五 9:00-17:00").intervals
    minutes = [9 * 60, 9 * 60 - 1, 17 * 60, SA * DAY + 10 * 60]
    assert open_at(session, intervals, minutes) == [True, False, False, False]
    assert open_at(session, None, [0]) == [None]
    assert open_at(session, None, [0], is_24h=True) == [True]


def test_minute_of_week_uses_local_time():
    # Monday 2025-01-06 01:30 UTC is 09:30 in Shanghai.
    assert minute_of_week(datetime(2025, 1, 6, 1, 30, tzinfo=UTC), SHANGHAI) == 9 * 60 + 30
    # Sunday 20:00 UTC is Monday 04:00 in Shanghai.
    assert minute_of_week(datetime(2025, 1, 12, 20, 0, tzinfo=UTC), SHANGHAI) == 4 * 60
    naive = datetime(2025, 1, 11, 12, 15)  # a Saturday, already local
    assert minute_of_week(naive, SHANGHAI) == SA * DAY + 12 * 60 + 15
    plus_eight = timezone(timedelta(hours=8))
    assert (
        minute_of_week(datetime(2025, 1, 11, 12, 15, tzinfo=plus_eight), SHANGHAI) == SA * DAY + 735
    )


def test_minute_of_week_follows_the_configured_time_zone():
    # 02:00 UTC on Monday is 10:00 in Shanghai and 08:00 in Xinjiang time (Asia/Urumqi).
    instant = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
    assert minute_of_week(instant, SHANGHAI) == 10 * 60
    assert minute_of_week(instant, "Asia/Urumqi") == 8 * 60


def test_open_at_agrees_with_the_evaluator_minute_by_minute(session):
    # Independent check: walk a real week minute by minute with opening-hours-py itself.
    from opening_hours import OpeningHours

    text = "Mo-Fr 08:00-12:00,13:30-19:00; Sa 22:00-03:00"
    intervals = parse_hours(text).intervals
    reference = OpeningHours(text, auto_country=False, auto_timezone=False)
    monday = datetime(2025, 3, 3)
    minutes = range(MINUTES_PER_WEEK)
    expected = [reference.is_open(monday + timedelta(minutes=minute)) for minute in minutes]
    assert open_at(session, intervals, minutes) == expected
