import numpy as np
import pytest

from geo_api import coords
from geo_api.errors import InvalidInput

# Published reference pairs: googollee/eviltransform's tests (wgsLat, wgsLng, gcjLat, gcjLng).
WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# GCJ-02 -> BD-09 pairs. eviltransform's BD vectors are not used: its bd functions take
# sin(y * pi) where Baidu's algorithm has x_pi = pi * 3000 / 180, so they disagree by ~40 m.
# Beijing railway station in geoChina's documentation (5 decimals): (gcjLat, gcjLng, bdLat, bdLng).
GCJ_BD = [(39.90245, 116.42703, 39.90851, 116.43351)]
# wandergis/coordtransform's README example at (116.404, 39.915).
GCJ_TO_BD_116 = (116.41036949371029, 39.92133699351021)


def metres(lon1, lat1, lon2, lat2):
    return float(np.max(coords.geodesic_m(lon1, lat1, lon2, lat2)))


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), WGS_GCJ)
def test_wgs84_to_gcj02_matches_reference(wlat, wlon, glat, glon):
    lon, lat = coords.wgs84_to_gcj02(wlon, wlat)
    assert metres(lon, lat, glon, glat) < 0.01


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), WGS_GCJ)
def test_gcj02_to_wgs84_inverse_is_within_half_a_metre(wlat, wlon, glat, glon):
    lon, lat = coords.to_wgs84(glon, glat, "gcj02")
    assert metres(lon, lat, wlon, wlat) < 0.5


@pytest.mark.parametrize(("glat", "glon", "blat", "blon"), GCJ_BD)
def test_bd09_matches_reference_both_ways(glat, glon, blat, blon):
    lon, lat = coords.gcj02_to_bd09(glon, glat)
    assert metres(lon, lat, blon, blat) < 1.0  # the reference has 5 decimals, about 1 m
    back_lon, back_lat = coords.bd09_to_gcj02(blon, blat)
    assert metres(back_lon, back_lat, glon, glat) < 1.0


def test_bd09_to_gcj02_agrees_with_the_one_step_inverse():
    # wandergis's bd09togcj02(116.404, 39.915) is a one-step inverse, good to centimetres.
    lon, lat = coords.bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.1


def test_gcj02_to_bd09_matches_reference():
    lon, lat = coords.gcj02_to_bd09(116.404, 39.915)
    assert metres(lon, lat, *GCJ_TO_BD_116) < 0.01


def test_round_trips_over_china_are_below_half_a_metre():
    rng = np.random.default_rng(7)
    lon = rng.uniform(75, 134, 20_000)
    lat = rng.uniform(18, 53, 20_000)
    for system in ("gcj02", "bd09"):
        x, y = coords.from_wgs84(lon, lat, system)
        # The obfuscation moves points by tens to hundreds of metres...
        assert metres(x, y, lon, lat) > 10
        back_lon, back_lat = coords.to_wgs84(x, y, system)
        # ...and the iterated inverse brings every one of them back.
        assert metres(back_lon, back_lat, lon, lat) < 0.5


def test_projected_systems_go_through_pyproj():
    # CGCS2000 / 3-degree Gauss-Kruger CM 114E: the false easting puts 114E at x = 500 km.
    lon, lat = coords.to_wgs84(500_000.0, 3_400_000.0, "EPSG:4547")
    assert abs(float(lon) - 114.0) < 1e-6
    assert 30.5 < float(lat) < 31.0


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("WGS84", "wgs84"),
        ("wgs-84", "wgs84"),
        ("EPSG:4326", "wgs84"),
        ("GCJ-02", "gcj02"),
        ("bd09", "bd09"),
        ("CGCS2000", "cgcs2000"),
        ("epsg:4547", "EPSG:4547"),
    ],
)
def test_normalize_crs(given, canonical):
    assert coords.normalize_crs(given) == canonical


@pytest.mark.parametrize("given", ["mars", "EPSG:999999", "utm"])
def test_unknown_crs_is_refused_in_one_line(given):
    with pytest.raises(InvalidInput, match="unknown coordinate system"):
        coords.normalize_crs(given)


def test_in_china():
    assert coords.in_china([104.06, 121.5, 2.35], [30.67, 31.2, 48.85]).tolist() == [
        True,
        True,
        False,
    ]


def test_looks_swapped_is_the_one_swap_test():
    # (lat, lon) of Chengdu, Shanghai and Xinjiang given latitude first; then correct pairs, and
    # pairs outside China either way
    swapped = coords.looks_swapped(
        [30.67, 31.2, 40.0, 104.06, 2.35], [104.06, 121.5, 80.0, 30.67, 48.85]
    )
    assert swapped.tolist() == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("x", "y", "crs", "words"),
    [
        (30.67, 104.06, "wgs84", ["swapped", "(30.67, 104.06)", "Longitude comes first"]),
        (30.67, 104.06, "gcj02", ["swapped"]),
        (2.35, 48.85, "wgs84", ["outside China", "(2.35, 48.85) in wgs84"]),
        (float("nan"), 30.0, "wgs84", ["finite"]),
        (104.0, float("inf"), "bd09", ["finite"]),
        # in metres, numbers that would read as a swapped pair of degrees are no swap
        (30.67, 104.06, "EPSG:32648", ["outside China", "in EPSG:32648"]),
    ],
)
def test_point_in_china_names_what_is_wrong(x, y, crs, words):
    with pytest.raises(InvalidInput) as raised:
        coords.point_in_china(x, y, crs)
    assert raised.value.detail.startswith("lon/lat: ")
    assert all(word in raised.value.detail for word in words)


def test_point_in_china_converts_to_wgs84():
    lon, lat = coords.point_in_china(
        *[float(v) for v in coords.wgs84_to_gcj02(104.06, 30.67)], "gcj02"
    )
    assert (lon, lat) == pytest.approx((104.06, 30.67), abs=1e-7)
