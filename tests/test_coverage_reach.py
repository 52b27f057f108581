"""Outlets covered by an open station (numpy) equal PostGIS's ST_DWithin, outlet by outlet."""

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import box
from sqlalchemy import text

from geo_api.coverage.communities import COVERED_OUTLET, city_totals
from geo_api.coverage.reach import city_outlet_rows, covered_outlets
from tests.coverage_city import make_area, make_outlet, make_station

GEOD = Geod(ellps="WGS84")
THRESHOLD_M = 800.0


def sql_covered(session, threshold_m):
    """Per outlet id, whether PostGIS finds an open station within ``threshold_m``."""
    rows = session.execute(
        text(f"SELECT ou.id, {COVERED_OUTLET} FROM outlets ou ORDER BY ou.id"),
        {"threshold_m": threshold_m},
    ).all()
    return {row[0]: row[1] for row in rows}


@pytest.mark.parametrize("lat0", [22.5, 30.6, 47.7, 53.3])
def test_covered_outlets_equal_st_dwithin_at_and_around_the_threshold(session, lat0):
    rng = np.random.default_rng(int(lat0 * 10))
    lon0 = 104.0 + lat0 / 5
    make_area(session, "510198", "city", box(lon0 - 0.1, lat0 - 0.1, lon0 + 0.1, lat0 + 0.1), None)
    riders = {}
    # Each outlet gets one open station at a bearing, a millimetre or more inside or outside
    # the threshold (exactly at it, PostGIS and pyproj round the same geodesic differently, by
    # under a nanometre); one more station, closed, sits on top of some outlets.
    for i, offset_m in enumerate([-0.5, -0.001, 0.001, 0.5, 40.0, -40.0] * 3):
        lon, lat = rng.uniform((lon0 - 0.08, lat0 - 0.08), (lon0 + 0.08, lat0 + 0.08))
        outlet = make_outlet(session, lon, lat, riders=None if i % 5 == 0 else i + 1)
        riders[outlet.id] = 0 if i % 5 == 0 else i + 1
        bearing = rng.uniform(0, 360)
        x, y, _ = GEOD.fwd(lon, lat, bearing, THRESHOLD_M + offset_m)
        make_station(session, float(x), float(y))
        if i % 4 == 0:
            make_station(session, lon, lat, status="closed")
    session.flush()
    expected = sql_covered(session, THRESHOLD_M)
    got = covered_outlets(session, city_outlet_rows(session, "510198"), THRESHOLD_M)
    assert dict(zip(got.ids.tolist(), got.covered.tolist(), strict=True)) == expected
    assert 0 < sum(expected.values()) < len(expected)  # both sides of the threshold are there
    totals = city_totals(session, "510198", THRESHOLD_M)
    assert totals["outlets"] == len(expected)
    assert totals["covered_outlets"] == sum(expected.values())
    assert totals["riders"] == sum(riders.values())
    assert totals["covered_riders"] == sum(r for i, r in riders.items() if expected[i])


def test_an_outlet_outside_the_city_is_not_counted_and_no_station_means_uncovered(session):
    make_area(session, "510198", "city", box(104.0, 30.5, 104.2, 30.7), None)
    make_outlet(session, 104.1, 30.6, riders=7)
    make_outlet(session, 105.1, 30.6, riders=9)  # outside the city
    make_station(session, 105.1, 30.6)  # covers only the outlet outside
    session.flush()
    totals = city_totals(session, "510198", 1000)
    assert (totals["outlets"], totals["covered_outlets"], totals["riders"]) == (1, 0, 7)
    assert totals["uncovered_riders"] == 7 and totals["covered_share"] == 0.0
