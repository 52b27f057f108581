"""What a rider reads in GET /stations/nearest beyond the stations: routes, phone, opening and
closing times, Chinese filter words, the swap message and notes; each checked by brute force."""

import random
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pyproj import Geod

from geo_api.coords import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_gcj02
from geo_api.stations.geojson import NearbyCollection
from geo_api.stations.notes import FAR_M
from geo_api.stations.opening import opening_times
from tests.factories import DAY, daily, make_station

GEOD = Geod(ellps="WGS84")
LON, LAT = 104.0657, 30.6595
WEEK = 7 * DAY
SHANGHAI = ZoneInfo("Asia/Shanghai")


def distance_m(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def nearest(client, **params):
    response = client.get("/stations/nearest", params={"lon": LON, "lat": LAT, **params})
    assert response.status_code == 200, response.text
    NearbyCollection.model_validate_json(response.content, strict=True)
    return response.json()


def random_hours(rng: random.Random) -> dict:
    """Hours as loaded, and as written by hand: weekdays only, nights past midnight (split at
    every midnight, or only at the week's end), a few hours a week, never, unknown, 24 h."""
    choice = rng.random()
    if choice < 0.1:
        return {"hours": None, "is_24h": False}
    if choice < 0.2:
        return {"hours": None, "is_24h": True}
    if choice < 0.25:
        return {"hours": [], "is_24h": False}
    if choice < 0.3:  # around the clock, written day by day
        return {"hours": daily(0, DAY), "is_24h": False}
    if choice < 0.45:
        return {"hours": daily(rng.randrange(18, 23) * 60, rng.randrange(1, 7) * 60)}
    if choice < 0.6:
        start = rng.randrange(6 * DAY, WEEK - 60)
        return {"hours": [[0, rng.randrange(30, DAY)], [start, WEEK]]}  # Sunday night -> Monday
    if choice < 0.8:
        start, end = rng.randrange(6, 11) * 60, rng.randrange(16, 22) * 60
        return {"hours": [[d * DAY + start, d * DAY + end] for d in range(5)]}
    start = rng.randrange(WEEK - 600)
    return {"hours": [[start, start + rng.randrange(15, 600)]]}


def state_by_minute(hours, is_24h) -> np.ndarray | None:
    if is_24h:
        return np.ones(WEEK, dtype=bool)
    if hours is None:
        return None
    week = np.zeros(WEEK, dtype=bool)
    for start, end in hours:
        week[start:end] = True
    return week


def brute_force_change(hours, is_24h, at: datetime) -> tuple[str | None, str | None]:
    """Walk minute by minute from ``at`` for two weeks until the state changes."""
    week = state_by_minute(hours, is_24h)
    if week is None:
        return None, None
    minute = at.weekday() * DAY + at.hour * 60 + at.minute
    now = week[minute]
    for step in range(1, 2 * WEEK + 1):
        if week[(minute + step) % WEEK] != now:
            when = (at.replace(second=0, microsecond=0) + timedelta(minutes=step)).isoformat()
            return (None, when) if now else (when, None)
    return None, None


def test_opens_and_closes_at_match_a_minute_by_minute_walk(client, session):
    rng = random.Random(20261123)
    stations = {}
    for _ in range(60):
        station = make_station(
            session,
            lon=LON + rng.uniform(-0.02, 0.02),
            lat=LAT + rng.uniform(-0.02, 0.02),
            **{"is_24h": False, **random_hours(rng)},
        )
        stations[station.id] = station
    monday = datetime(2026, 11, 23, tzinfo=SHANGHAI)
    checked = {"open": 0, "closed": 0}
    for _ in range(25):
        at = monday + timedelta(minutes=rng.randrange(WEEK), seconds=rng.randrange(60))
        body = nearest(client, k=50, at=at.isoformat())
        assert body["at"] == at.isoformat()
        for feature in body["features"]:
            props = feature["properties"]
            station = stations[props["id"]]
            expected = brute_force_change(station.hours, station.is_24h, at)
            assert (props["opens_at"], props["closes_at"]) == expected, (station.hours, at)
            if props["open_now"] is not None:
                checked["open" if props["open_now"] else "closed"] += 1
    assert checked["open"] > 100 and checked["closed"] > 100


def test_a_time_without_offset_is_local_and_answers_carry_the_offset(client, session):
    make_station(session, lon=LON, lat=LAT, hours=daily(9 * 60, 21 * 60))
    props = nearest(client, k=1, at="2026-11-23T12:00")["features"][0]["properties"]
    assert props["open_now"] is True and props["closes_at"] == "2026-11-23T21:00:00+08:00"
    props = nearest(client, k=1, at="2026-11-23T22:00:00Z")["features"][0]["properties"]
    # 22:00 UTC is 06:00 the next morning in Chengdu
    assert props["open_now"] is False and props["opens_at"] == "2026-11-24T09:00:00+08:00"


def test_opening_times_follow_daylight_saving_in_the_configured_zone():
    # A deployment may configure another zone; wall-clock hours keep their wall-clock times.
    new_york = ZoneInfo("America/New_York")
    local = datetime(2026, 3, 8, 1, 0, tzinfo=new_york)  # Sunday; clocks jump at 02:00
    minute = 6 * DAY + 60
    [(opens_at, closes_at)] = opening_times(
        [daily(9 * 60, 17 * 60)], [False], [False], local, minute
    )
    assert (opens_at, closes_at) == ("2026-03-08T09:00:00-04:00", None)


def test_navigation_links_walk_from_the_riders_point(client, session):
    station = make_station(session, lon=LON + 0.01, lat=LAT + 0.005, name="驿站|A,B")
    gcj = [float(v) for v in wgs84_to_gcj02(LON, LAT)]
    body = nearest(client, k=1, lon=gcj[0], lat=gcj[1], crs="gcj02")
    navigation = body["features"][0]["properties"]["navigation"]

    def near(point, lon, lat):
        return distance_m(*point, lon, lat) < 1.0

    amap = parse_qs(urlsplit(navigation["amap"]).query)
    assert urlsplit(navigation["amap"]).netloc == "uri.amap.com"
    assert urlsplit(navigation["amap"]).path == "/navigation"
    assert amap["mode"] == ["walk"] and amap["coordinate"] == ["gaode"]
    x, y, name = amap["from"][0].split(",")
    assert near(gcj02_to_wgs84(float(x), float(y)), LON, LAT) and name == "我的位置"
    x, y, name = amap["to"][0].split(",")
    assert near(gcj02_to_wgs84(float(x), float(y)), station.source_x, station.source_y)
    assert name == "驿站|A B"  # a comma would start a fourth field

    baidu = parse_qs(urlsplit(navigation["baidu"]).query)
    assert urlsplit(navigation["baidu"]).path == "/direction"
    assert baidu["mode"] == ["walking"] and baidu["coord_type"] == ["bd09ll"]
    assert baidu["output"] == ["html"] and baidu["src"] == ["webapp.warmmap.warmmap"]
    for key, (lon, lat), label in (
        ("origin", (LON, LAT), "我的位置"),
        ("destination", (station.source_x, station.source_y), "驿站 A,B"),
    ):
        fields = dict(part.split(":", 1) for part in baidu[key][0].split("|"))
        lat_bd, lon_bd = (float(v) for v in fields["latlng"].split(","))
        assert near(bd09_to_wgs84(lon_bd, lat_bd), lon, lat) and fields["name"] == label

    tencent = parse_qs(urlsplit(navigation["tencent"]).query)
    assert urlsplit(navigation["tencent"]).path == "/uri/v1/routeplan"
    assert tencent["type"] == ["walk"] and tencent["referer"] == ["warmmap"]
    for key, (lon, lat) in (
        ("fromcoord", (LON, LAT)),
        ("tocoord", (station.source_x, station.source_y)),
    ):
        lat_t, lon_t = (float(v) for v in tencent[key][0].split(","))
        assert near(gcj02_to_wgs84(lon_t, lat_t), lon, lat)
    assert tencent["from"] == ["我的位置"] and tencent["to"] == ["驿站|A,B"]
    # the marker links stay
    assert "/marker" in body["features"][0]["properties"]["links"]["amap"]


def test_the_stations_public_phone_is_given(client, session):
    make_station(session, lon=LON, lat=LAT, phone="028-86660000")
    make_station(session, lon=LON + 0.001, lat=LAT)
    phones = [f["properties"]["phone"] for f in nearest(client, k=2)["features"]]
    assert phones == ["028-86660000", None]


def test_chinese_words_filter_like_the_vocabulary(client, session):
    rng = random.Random(5)
    for _ in range(40):
        make_station(
            session,
            lon=LON + rng.uniform(-0.02, 0.02),
            lat=LAT + rng.uniform(-0.02, 0.02),
            kind=rng.choice(["warm_station", "rider_center", "union_station"]),
            amenities=rng.sample(["charging", "water", "toilet", "rest"], rng.randint(0, 3)),
        )

    def ids(**params):
        return [f["id"] for f in nearest(client, k=50, **params)["features"]]

    assert ids(amenity="充电") == ids(amenity="charging") != []
    assert ids(amenity=["充电", "饮水"]) == ids(amenity=["charging", "water"]) != []
    assert ids(amenity="充电、热水") == ids(amenity=["charging", "water"])
    assert ids(kind="暖新驿站") == ids(kind="warm_station") != []
    assert ids(kind="骑手之家", amenity="厕所") == ids(kind="rider_center", amenity="toilet") != []
    assert client.get("/stations", params={"kind": "骑手之家"}).json()["numberMatched"] == len(
        ids(kind="rider_center")
    )


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"amenity": "桑拿"}, ["amenity", "桑拿", "充电"]),
        ({"amenity": "充电、桑拿"}, ["amenity", "桑拿"]),
        ({"kind": "城堡"}, ["kind", "城堡", "暖新驿站"]),
    ],
)
def test_unknown_words_are_named(client, params, words):
    response = client.get("/stations/nearest", params={"lon": LON, "lat": LAT, **params})
    assert response.status_code == 422
    assert all(word in response.json()["detail"] for word in words)


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_a_swapped_pair_is_named_as_swapped_not_out_of_range(client, crs):
    response = client.get("/stations/nearest", params={"lon": LAT, "lat": LON, "crs": crs})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "swapped" in detail and "lon" in detail and "90" not in detail


@pytest.mark.parametrize(("lon", "lat"), [("nan", "30"), ("104", "inf"), ("1e999", "30")])
def test_non_finite_coordinates_are_a_422(client, lon, lat):
    response = client.get("/stations/nearest", params={"lon": lon, "lat": lat})
    assert response.status_code == 422 and "lon/lat" in response.json()["detail"]


def test_no_notes_when_a_station_is_near(client, session):
    make_station(session, lon=LON + 0.001, lat=LAT)
    assert nearest(client)["notes"] == []


def test_empty_within_max_distance_names_the_nearest_beyond(client, session):
    rng = random.Random(9)
    points = [(LON + rng.uniform(-0.2, 0.2), LAT + rng.uniform(-0.2, 0.2)) for _ in range(30)]
    for lon, lat in points:
        make_station(session, lon=lon, lat=lat, amenities=["charging"])
    make_station(session, lon=LON + 0.0001, lat=LAT, amenities=["water"])  # not charging
    nearest_m = min(distance_m(LON, LAT, lon, lat) for lon, lat in points)
    body = nearest(client, amenity="charging", max_distance_m=nearest_m * 0.9)
    assert body["features"] == []
    [note] = body["notes"]
    assert note["code"] == "none_within_max_distance"
    assert note["distance_m"] == pytest.approx(nearest_m, abs=0.01)
    assert note["walk_min"] == pytest.approx(nearest_m * 1.3 / 80, abs=0.06)
    assert f"{nearest_m:.0f} m" in note["message"] or "km" in note["message"]
    assert "内没有" in note["message_zh"]


def test_empty_because_nothing_is_open_says_when_the_nearest_opens(client, session):
    make_station(session, lon=LON + 0.01, lat=LAT, hours=daily(9 * 60, 18 * 60))
    nearer = make_station(session, lon=LON + 0.002, lat=LAT, hours=daily(10 * 60, 20 * 60))
    body = nearest(client, open_now="true", at="2026-11-23T23:30:00+08:00")
    assert body["features"] == []
    [note] = body["notes"]
    assert note["code"] == "none_open_at" and note["station_id"] == nearer.id
    assert note["opens_at"] == "2026-11-24T10:00:00+08:00"
    assert "tomorrow at 10:00" in note["message"] and "明天 10:00" in note["message_zh"]
    # with a max distance too: first the distance, then the hours
    body = nearest(client, open_now="true", at="2026-11-23T23:30:00+08:00", max_distance_m=50)
    assert [n["code"] for n in body["notes"]] == ["none_open_at"]


def test_empty_because_no_station_has_those_services(client, session):
    make_station(session, lon=LON, lat=LAT, amenities=["water"], kind="union_station")
    make_station(session, lon=LON, lat=LAT, amenities=["legal_aid"], status="closed")
    body = nearest(client, amenity="legal_aid", max_distance_m=1000, open_now="true")
    [note] = body["notes"]
    assert note["code"] == "no_matching_station" and note["amenities"] == ["legal_aid"]
    body = nearest(client, kind="rider_center")
    assert body["notes"][0]["code"] == "no_matching_station"
    assert body["notes"][0]["kind"] == "rider_center"


def test_a_far_nearest_station_is_said_with_walking_minutes(client, session):
    lon, lat, _ = GEOD.fwd(LON, LAT, 90, 23_000)
    make_station(session, lon=float(lon), lat=float(lat))
    body = nearest(client)
    [feature] = body["features"]
    [note] = body["notes"]
    assert note["code"] == "nearest_is_far" and note["far_m"] == FAR_M
    assert note["distance_m"] == feature["properties"]["distance_m"]
    assert note["walk_min"] == feature["properties"]["walk_min"] == pytest.approx(373.75, abs=0.1)
    assert "23 km" in note["message"] and "6 h 14 min on foot" in note["message"]
    assert "23 公里外" in note["message_zh"] and "6 小时 14 分钟" in note["message_zh"]
