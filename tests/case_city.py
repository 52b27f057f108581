"""A small district for the case tests: streets, communities with a shared edge, liaisons.

City 510100 holds district 510104 (lon 104.00-104.10, lat 30.60-30.70). Street 510104001 is its
western half, street 510104002 its eastern half. In street 001, community 510104001001 (lon
104.000-104.025) and 510104001002 (104.025-104.050) share the edge lon = 104.025 between lat
30.60 and 30.65; the street's northern part has no community. Street 002 has no community and
no liaison. Liaisons: an active community liaison of 001001, an inactive one of 001002, a
community liaison of street 001, and two police liaisons of street 001.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy.orm import Session

from geo_api.auth import create_key
from geo_api.models import Liaison
from tests.coverage_city import make_area

CITY, DISTRICT = "510100", "510104"
STREET_1, STREET_2 = "510104001", "510104002"
COMMUNITY_1, COMMUNITY_2 = "510104001001", "510104001002"
IN_COMMUNITY_1 = (104.010, 30.620)
IN_COMMUNITY_2 = (104.040, 30.620)
ON_SHARED_EDGE = (104.025, 30.630)
STREET_1_NO_COMMUNITY = (104.020, 30.680)
IN_STREET_2 = (104.080, 30.650)
CITY_ONLY = (104.150, 30.750)
OUTSIDE = (110.0, 35.0)


@dataclass
class CaseCity:
    liaisons: dict[str, int]


def build_case_city(session: Session) -> CaseCity:
    make_area(session, CITY, "city", box(103.90, 30.50, 104.20, 30.80), None)
    make_area(session, DISTRICT, "district", box(104.00, 30.60, 104.10, 30.70), CITY)
    make_area(session, STREET_1, "street", box(104.00, 30.60, 104.05, 30.70), DISTRICT)
    make_area(session, STREET_2, "street", box(104.05, 30.60, 104.10, 30.70), DISTRICT)
    make_area(session, COMMUNITY_1, "community", box(104.000, 30.60, 104.025, 30.65), STREET_1)
    make_area(session, COMMUNITY_2, "community", box(104.025, 30.60, 104.050, 30.65), STREET_1)
    people = {
        "community_1": ("community", COMMUNITY_1, True),
        "community_2_inactive": ("community", COMMUNITY_2, False),
        "street_1_community": ("community", STREET_1, True),
        "police_a": ("police", STREET_1, True),
        "police_b": ("police", STREET_1, True),
    }
    ids = {}
    for key, (role, scope, active) in people.items():
        liaison = Liaison(source="test", external_id=key, name=f"联络员{key}", phone="13800000000",
                          role=role, scope_adcode=scope, active=active)  # fmt: skip
        session.add(liaison)
        session.flush()
        ids[key] = liaison.id
    return CaseCity(ids)


@pytest.fixture
def case_city(session: Session) -> CaseCity:
    return build_case_city(session)


def key(session: Session, role: str, *scopes: str) -> dict[str, str]:
    return {"X-API-Key": create_key(session, f"{role} {'/'.join(scopes)}", role, list(scopes))}


def report(
    client: TestClient, point: tuple[float, float], category: str = "fire_hazard", **extra: Any
) -> dict[str, Any]:
    lon, lat = point
    response = client.post("/cases", json={"lon": lon, "lat": lat, "category": category, **extra})
    assert response.status_code == 201, response.text
    return response.json()
