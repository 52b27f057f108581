"""Why a nearest-station answer is empty or far: short notes a rider's app can show as they are.

Each note is shaped as ``geo_api.notes`` says (a stable ``code``, ``message``, ``message_zh`` and
the numbers quoted). Codes:

- ``none_within_max_distance``: nothing matched within ``max_distance_m``; the nearest matching
  station farther out is named with its distance and travel times.
- ``none_open_at``: stations match but none is open at the asked time; the nearest one is named
  with when it opens (null when its hours are unknown).
- ``no_matching_station``: no open station has that kind and those amenities anywhere.
- ``nearest_is_far``: the nearest station is more than ``FAR_M`` away.

Empty answers cost one or two more nearest queries (k=1, with a filter dropped); answers with
stations cost nothing.
"""

from dataclasses import replace
from datetime import datetime
from typing import Any

from geo_api.notes import note
from geo_api.stations.geojson import RIDE_KMH, WALK_KMH, travel_min
from geo_api.stations.nearest import (
    CandidateReader,
    NearbyStation,
    NearestQuery,
    search_nearest,
)
from geo_api.stations.opening import opening_times

# Beyond this a rider would rather know before setting off: an hour on foot.
FAR_M = 5000.0
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _distance(distance_m: float) -> tuple[str, str]:
    if distance_m < 1000:
        return f"{distance_m:.0f} m", f"{distance_m:.0f} 米"
    km = round(distance_m / 1000, 1)
    return f"{km:g} km", f"{km:g} 公里"


def _duration(minutes: float) -> tuple[str, str]:
    if minutes < 90:
        return f"{minutes:.0f} min", f"{minutes:.0f} 分钟"
    hours, rest = divmod(round(minutes), 60)
    if hours >= 24:
        return f"{hours} h", f"{hours} 小时"
    return f"{hours} h {rest} min", f"{hours} 小时 {rest} 分钟"


def _when(iso: str, local: datetime) -> tuple[str, str]:
    at = datetime.fromisoformat(iso)
    day = (at.date() - local.date()).days
    en = {0: "today", 1: "tomorrow"}.get(day, at.strftime("%A"))
    zh = {0: "今天", 1: "明天"}.get(day, _WEEKDAYS_ZH[at.weekday()])
    return f"{en} at {at:%H:%M}", f"{zh} {at:%H:%M}"


def _station_values(station: NearbyStation) -> dict[str, Any]:
    return {
        "station_id": station.id,
        "station_name": station.name,
        "distance_m": round(station.distance_m, 2),
        "walk_min": travel_min(station.distance_m, WALK_KMH),
        "ride_min": travel_min(station.distance_m, RIDE_KMH),
    }


def far_note(station: NearbyStation) -> dict[str, Any]:
    """Return the note that the nearest station is more than ``FAR_M`` away."""
    values = _station_values(station)
    en, zh = _distance(station.distance_m)
    walk_en, walk_zh = _duration(values["walk_min"])
    ride_en, ride_zh = _duration(values["ride_min"])
    return note(
        "nearest_is_far",
        f"The nearest station is {en} away: about {walk_en} on foot, {ride_en} by e-bike.",
        f"最近的驿站在 {zh}外：步行约 {walk_zh}，骑电动车约 {ride_zh}。",
        far_m=FAR_M,
        **values,
    )


def _beyond_note(station: NearbyStation, max_distance_m: float) -> dict[str, Any]:
    values = _station_values(station)
    limit_en, limit_zh = _distance(max_distance_m)
    en, zh = _distance(station.distance_m)
    walk_en, walk_zh = _duration(values["walk_min"])
    return note(
        "none_within_max_distance",
        f"No matching station within {limit_en}; the nearest is {en} away "
        f"(about {walk_en} on foot).",
        f"{limit_zh}内没有符合条件的驿站；最近的在 {zh}外（步行约 {walk_zh}）。",
        max_distance_m=max_distance_m,
        **values,
    )


def _closed_note(station: NearbyStation, query: NearestQuery, local: datetime) -> dict[str, Any]:
    [(opens_at, _)] = opening_times(
        [station.hours], [station.is_24h], [station.open_now], local, query.minute_of_week
    )
    en, zh = _distance(station.distance_m)
    if opens_at is None:
        when_en, when_zh = "its opening hours are unknown", "开放时间不详"
    else:
        day_en, day_zh = _when(opens_at, local)
        when_en, when_zh = f"it opens {day_en}", f"{day_zh} 开放"
    return note(
        "none_open_at",
        f"No matching station is open at {local:%H:%M}; the nearest ({en}) is closed and "
        f"{when_en}.",
        f"{local:%H:%M} 没有开放的符合条件的驿站；最近的一处（{zh}）未开放，{when_zh}。",
        at=local.isoformat(),
        opens_at=opens_at,
        **_station_values(station),
    )


def _no_match_note(query: NearestQuery) -> dict[str, Any]:
    wanted = [f"kind {query.kind}"] if query.kind else []
    if query.amenities:
        wanted.append("amenities " + ", ".join(query.amenities))
    if not wanted:
        return note(
            "no_matching_station", "There is no open station at all.", "目前没有开放的驿站。"
        )
    return note(
        "no_matching_station",
        f"No open station has {' and '.join(wanted)}: try fewer filters.",
        "没有符合这些条件（类型、服务设施）的开放驿站：请减少筛选条件。",
        kind=query.kind,
        amenities=list(query.amenities),
    )


async def empty_note(
    reader: CandidateReader, query: NearestQuery, local: datetime
) -> dict[str, Any]:
    """Return why nothing matched ``query``, asking again with one filter dropped at a time."""
    if query.max_distance_m is not None:
        beyond = await search_nearest(reader, replace(query, k=1, max_distance_m=None))
        if beyond:
            return _beyond_note(beyond[0], query.max_distance_m)
    if query.open_only:
        closed = await search_nearest(
            reader, replace(query, k=1, max_distance_m=None, open_only=False)
        )
        if closed:
            return _closed_note(closed[0], query, local)
    return _no_match_note(query)


async def answer_notes(
    reader: CandidateReader, query: NearestQuery, stations: list[NearbyStation], local: datetime
) -> list[dict[str, Any]]:
    """Return the notes of an answer: why it is empty, or that its nearest station is far."""
    if not stations:
        return [await empty_note(reader, query, local)]
    if stations[0].distance_m > FAR_M:
        return [far_note(stations[0])]
    return []
