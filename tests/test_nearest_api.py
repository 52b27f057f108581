"""GET /stations/nearest through HTTP: CRSs, open-now, links, out_crs and bad input."""

import random
from urllib.parse import parse_qs, urlsplit

import pytest
from pyproj import Geod
from shapely.geometry import shape

from geo_api.coords import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geo_api.stations.geojson import NearbyCollection
from tests.factories import DAY, daily, make_station

GEOD = Geod(ellps="WGS84")
LON, LAT = 104.0657, 30.6595  # Tianfu Square, Chengdu


def distance_m(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


@pytest.fixture
def three(session):
    near = make_station(
        session, lon=LON + 0.001, lat=LAT, name="春熙路 A&B 驿站", amenities=["charging", "water"]
    )
    mid = make_station(session, lon=LON + 0.004, lat=LAT, amenities=["water"], kind="union_station")
    far = make_station(
        session, lon=LON + 0.010, lat=LAT, amenities=["charging"], hours=daily(9 * 60, 18 * 60)
    )
    return near, mid, far


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [f["properties"]["id"] for f in response.json()["features"]]


def test_answer_is_a_feature_collection_ordered_by_distance(client, three):
    response = client.get("/stations/nearest", params={"lon": LON, "lat": LAT})
    assert ids(response) == [s.id for s in three]
    body = response.json()
    assert body["type"] == "FeatureCollection"
    # the hot path dumps dictionaries: they must be what the OpenAPI schema promises
    NearbyCollection.model_validate_json(response.content, strict=True)
    for feature, station in zip(body["features"], three, strict=True):
        point = shape(feature["geometry"])
        assert (point.x, point.y) == pytest.approx((station.source_x, station.source_y))
        props = feature["properties"]
        assert props["distance_m"] == pytest.approx(
            distance_m(LON, LAT, point.x, point.y), abs=0.01
        )
        assert props["walk_min"] == pytest.approx(props["distance_m"] * 1.3 / 80, abs=0.06)
        assert props["ride_min"] == pytest.approx(props["distance_m"] * 1.3 / 300, abs=0.06)
        assert set(props) >= {
            "id",
            "name",
            "kind",
            "address",
            "amenities",
            "hours_text",
            "open_now",
            "links",
        }


def test_every_input_crs_lands_on_the_same_point(client, three):
    gcj = [float(v) for v in wgs84_to_gcj02(LON, LAT)]
    bd = [float(v) for v in wgs84_to_bd09(LON, LAT)]
    expected = client.get("/stations/nearest", params={"lon": LON, "lat": LAT}).json()
    for crs, (x, y) in {
        "wgs84": (LON, LAT),
        "cgcs2000": (LON, LAT),
        "gcj02": gcj,
        "bd09": bd,
    }.items():
        got = client.get("/stations/nearest", params={"lon": x, "lat": y, "crs": crs}).json()
        assert [f["id"] for f in got["features"]] == [f["id"] for f in expected["features"]]
        for a, b in zip(got["features"], expected["features"], strict=True):
            assert a["properties"]["distance_m"] == pytest.approx(
                b["properties"]["distance_m"], abs=0.05
            )
    # read as WGS-84, a GCJ-02 position is several hundred metres off: the crs matters
    wrong = client.get("/stations/nearest", params={"lon": gcj[0], "lat": gcj[1]}).json()
    assert wrong["features"][0]["properties"]["distance_m"] > 200


def test_amenity_and_kind_filters(client, three):
    near, mid, far = three
    params = {"lon": LON, "lat": LAT}
    assert ids(client.get("/stations/nearest", params={**params, "amenity": "charging"})) == [
        near.id,
        far.id,
    ]
    both = client.get("/stations/nearest", params={**params, "amenity": ["charging", "water"]})
    assert ids(both) == [near.id]
    assert ids(client.get("/stations/nearest", params={**params, "kind": "union_station"})) == [
        mid.id
    ]
    assert ids(client.get("/stations/nearest", params={**params, "k": 2})) == [near.id, mid.id]
    assert ids(client.get("/stations/nearest", params={**params, "max_distance_m": 200})) == [
        near.id
    ]


def test_out_crs_converts_the_geometry(client, three):
    for out_crs, back in (("gcj02", gcj02_to_wgs84), ("bd09", bd09_to_wgs84)):
        body = client.get(
            "/stations/nearest", params={"lon": LON, "lat": LAT, "out_crs": out_crs}
        ).json()
        assert body["coordinate_system"] == out_crs
        for feature, station in zip(body["features"], three, strict=True):
            x, y = feature["geometry"]["coordinates"]
            assert distance_m(x, y, station.source_x, station.source_y) > 100  # really converted
            lon, lat = (float(v) for v in back(x, y))
            assert distance_m(lon, lat, station.source_x, station.source_y) < 1.0


def test_origin_is_the_asked_point_in_the_answers_system(client, three):
    gcj = [float(v) for v in wgs84_to_gcj02(LON, LAT)]
    asked_in_gcj = {"lon": gcj[0], "lat": gcj[1], "crs": "gcj02"}
    body = client.get("/stations/nearest", params=asked_in_gcj).json()
    assert distance_m(*body["origin"], LON, LAT) < 1.0  # WGS-84 by default: a map draws from it
    back = client.get("/stations/nearest", params={**asked_in_gcj, "out_crs": "gcj02"}).json()
    assert distance_m(*back["origin"], *gcj) < 1.0


def test_links_land_within_a_metre_of_the_station(client, three):
    body = client.get("/stations/nearest", params={"lon": LON, "lat": LAT}).json()
    for feature, station in zip(body["features"], three, strict=True):
        links = feature["properties"]["links"]
        amap = parse_qs(urlsplit(links["amap"]).query)
        assert urlsplit(links["amap"]).netloc == "uri.amap.com"
        x, y = (float(v) for v in amap["position"][0].split(","))
        assert (
            distance_m(
                *(float(v) for v in gcj02_to_wgs84(x, y)), station.source_x, station.source_y
            )
            < 1
        )
        assert amap["name"] == [station.name]
        baidu = parse_qs(urlsplit(links["baidu"]).query)
        assert baidu["coord_type"] == ["bd09ll"]
        lat_bd, lon_bd = (float(v) for v in baidu["location"][0].split(","))
        assert (
            distance_m(
                *(float(v) for v in bd09_to_wgs84(lon_bd, lat_bd)),
                station.source_x,
                station.source_y,
            )
            < 1
        )
        tencent = parse_qs(urlsplit(links["tencent"]).query)
        parts = dict(part.split(":", 1) for part in tencent["marker"][0].split(";"))
        lat_t, lon_t = (float(v) for v in parts["coord"].split(","))
        assert (
            distance_m(
                *(float(v) for v in gcj02_to_wgs84(lon_t, lat_t)),
                station.source_x,
                station.source_y,
            )
            < 1
        )
        assert parts["title"] == station.name


def test_names_are_url_encoded(client, three):
    link = client.get("/stations/nearest", params={"lon": LON, "lat": LAT, "k": 1}).json()
    amap = link["features"][0]["properties"]["links"]["amap"]
    assert "春熙路" not in amap and "&B" not in amap and "A%26B" in amap


# Monday 2026-11-23 is a Monday; times are Asia/Shanghai unless they carry an offset.
@pytest.mark.parametrize(
    ("hours", "is_24h", "at", "expected"),
    [
        (daily(9 * 60, 18 * 60), False, "2026-11-23T12:00:00", True),
        (daily(9 * 60, 18 * 60), False, "2026-11-23T18:00:00", False),  # end is exclusive
        (daily(9 * 60, 18 * 60), False, "2026-11-23T09:00:00", True),
        (daily(9 * 60, 18 * 60), False, "2026-11-23T04:00:00+00:00", True),  # 12:00 in Chengdu
        (daily(22 * 60, 2 * 60), False, "2026-11-24T01:30:00", True),  # past midnight
        (daily(22 * 60, 2 * 60), False, "2026-11-24T02:30:00", False),
        (daily(22 * 60, 2 * 60), False, "2026-11-23T00:30:00", True),  # Sunday night -> Monday
        ([[6 * DAY + 22 * 60, 7 * DAY], [0, 120]], False, "2026-11-29T23:59:00", True),  # Sunday
        ([[6 * DAY + 22 * 60, 7 * DAY], [0, 120]], False, "2026-11-30T01:00:00", True),  # Monday
        ([[6 * DAY + 22 * 60, 7 * DAY], [0, 120]], False, "2026-11-30T03:00:00", False),
        (None, True, "2026-11-25T03:17:00", True),  # 24 hours
        (None, False, "2026-11-25T03:17:00", None),  # unknown
    ],
)
def test_open_now(client, session, hours, is_24h, at, expected):
    make_station(session, lon=LON, lat=LAT, hours=hours, is_24h=is_24h)
    params = {"lon": LON, "lat": LAT, "k": 1, "at": at}
    feature = client.get("/stations/nearest", params=params).json()["features"][0]
    assert feature["properties"]["open_now"] is expected
    only_open = client.get("/stations/nearest", params={**params, "open_now": "true"})
    assert len(only_open.json()["features"]) == (1 if expected else 0)


def test_an_unencoded_plus_in_at_is_read_as_the_offset(client, session):
    make_station(session, lon=LON, lat=LAT, hours=daily(9 * 60, 18 * 60))
    url = f"/stations/nearest?lon={LON}&lat={LAT}&k=1&at=2026-11-23T12:00:00+08:00"
    assert client.get(url).json()["features"][0]["properties"]["open_now"] is True
    url = f"/stations/nearest?lon={LON}&lat={LAT}&k=1&at=2026-11-23T12:00:00+00:00"
    assert client.get(url).json()["features"][0]["properties"]["open_now"] is False  # 20:00


def test_open_now_filter_still_returns_k_open_stations(client, session):
    for i in range(10):
        make_station(session, lon=LON + 0.0005 * i, lat=LAT, hours=daily(9 * 60, 18 * 60))
    wanted = [
        make_station(session, lon=LON + 0.01 + 0.001 * i, lat=LAT, is_24h=True).id for i in range(3)
    ]
    params = {"lon": LON, "lat": LAT, "k": 3, "open_now": "true", "at": "2026-11-23T23:00:00+08:00"}
    assert ids(client.get("/stations/nearest", params=params)) == wanted


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"lat": 200}, "lat"),
        ({"lon": 500}, "lon"),
        ({"k": 0}, "k"),
        ({"k": 1000}, "k"),
        ({"k": "five"}, "k"),
        ({"amenity": "sauna"}, "amenity"),
        ({"at": "tomorrow-ish"}, "at"),
        ({"crs": "mars2000"}, "crs"),
        ({"crs": "EPSG:3857"}, "crs"),
        ({"out_crs": "cgcs2000"}, "out_crs"),
        ({"kind": "castle"}, "kind"),
        ({"max_distance_m": -5}, "max_distance_m"),
        ({"open_now": "perhaps"}, "open_now"),
        ({"lon": 40.0, "lat": 80.0}, "swapped"),  # Xinjiang (80°E, 40°N) given lat first
        ({"lon": 2.35, "lat": 48.85}, "outside China"),
    ],
)
def test_bad_input_is_a_422_naming_the_parameter(client, three, params, named):
    response = client.get("/stations/nearest", params={"lon": LON, "lat": LAT, **params})
    assert response.status_code == 422
    assert named in response.json()["detail"]


def test_missing_point_is_a_422(client):
    response = client.get("/stations/nearest", params={"lon": LON})
    assert response.status_code == 422 and "lat" in response.json()["detail"]


def test_random_junk_never_gives_a_500(client, three):
    rng = random.Random(7)
    junk = ["", " ", "nan", "inf", "-inf", "1e999", "0x10", "null", "[]", "'; DROP TABLE stations;--",
            "九", "\u0000", "%", "30.5.1", "-0", "99999999999999999999"]  # fmt: skip
    names = [
        "lon",
        "lat",
        "k",
        "crs",
        "amenity",
        "kind",
        "at",
        "out_crs",
        "max_distance_m",
        "open_now",
    ]
    for _ in range(150):
        params = {"lon": LON, "lat": LAT}
        for name in rng.sample(names, rng.randint(1, 3)):
            params[name] = rng.choice(junk)
        response = client.get("/stations/nearest", params=params)
        assert response.status_code in (200, 422), (params, response.text)
        assert "detail" in response.json() or "features" in response.json()
