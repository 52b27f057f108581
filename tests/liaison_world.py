"""A tiny district for the liaison tests: two streets, three communities, their people and keys.

District 519901 is the box 104.00-104.10 E, 30.60-30.68 N. Street A (519901001) is its west half,
split into communities A1 (south) and A2 (north); street B (519901002) is the east half and holds
one community, B1. Each community has a community liaison, each street a police liaison, all
with phones in the unassigned 1380000xxxx block.
"""

from dataclasses import dataclass, field

from shapely.geometry import box
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.auth import create_key
from geo_api.models import Liaison, Outlet
from tests.coverage_city import make_area, make_outlet

DISTRICT, STREET_A, STREET_B = "519901", "519901001", "519901002"
A1, A2, B1 = "519901001001", "519901001002", "519901002001"
BOXES = {
    DISTRICT: ("district", box(104.00, 30.60, 104.10, 30.68), None),
    STREET_A: ("street", box(104.00, 30.60, 104.05, 30.68), DISTRICT),
    STREET_B: ("street", box(104.05, 30.60, 104.10, 30.68), DISTRICT),
    A1: ("community", box(104.00, 30.60, 104.05, 30.64), STREET_A),
    A2: ("community", box(104.00, 30.64, 104.05, 30.68), STREET_A),
    B1: ("community", box(104.05, 30.60, 104.10, 30.68), STREET_B),
}


@dataclass
class World:
    liaisons: dict[str, Liaison] = field(default_factory=dict)  # cA1, cA2, cB1, pA, pB
    outlets: dict[str, list[Outlet]] = field(default_factory=dict)  # community -> outlets
    keys: dict[str, str] = field(default_factory=dict)  # admin, planner, gm_A1, gm_A, gm_B1

    def headers(self, who: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[who]}


def make_liaison(
    session: Session, name: str, phone: str, role: str, scope: str, lon: float, lat: float
) -> Liaison:
    liaison = Liaison(
        source="test",
        external_id=name,
        name=name,
        phone=phone,
        role=role,
        organization=f"{scope} office",
        scope_adcode=scope,
        geom=f"SRID=4326;POINT({lon} {lat})",
        base_source="given",
        synthetic=True,
    )
    session.add(liaison)
    session.flush()
    return liaison


def add_outlets(session: Session, community: str, points: list[tuple[float, float]]) -> list:
    return [
        make_outlet(session, lon, lat, 10, community_adcode=community, district_adcode=DISTRICT)
        for lon, lat in points
    ]


def build_world(session: Session) -> World:
    for adcode, (level, polygon, parent) in BOXES.items():
        make_area(session, adcode, level, polygon, parent)
    world = World()
    people = {
        "cA1": ("张伟", "13800000001", "community", A1, 104.02, 30.62),
        "cA2": ("李娜", "13800000002", "community", A2, 104.02, 30.66),
        "cB1": ("王芳", "13800000003", "community", B1, 104.07, 30.64),
        "pA": ("刘洋", "13900000004", "police", STREET_A, 104.03, 30.64),
        "pB": ("陈静", "13900000005", "police", STREET_B, 104.08, 30.64),
    }
    for key, values in people.items():
        world.liaisons[key] = make_liaison(session, *values)
    world.outlets[A1] = add_outlets(
        session, A1, [(104.01, 30.61), (104.03, 30.63), (104.04, 30.62)]
    )
    world.outlets[A2] = add_outlets(session, A2, [(104.01, 30.65), (104.03, 30.67)])
    world.outlets[B1] = add_outlets(session, B1, [(104.06, 30.61), (104.09, 30.67)])
    world.keys = {
        "admin": create_key(session, "admin", "admin", []),
        "planner": create_key(session, "planner", "planner", []),
        "gm_A1": create_key(session, "gm A1", "grid_manager", [A1]),
        "gm_A": create_key(session, "gm A", "grid_manager", [STREET_A]),
        "gm_B1": create_key(session, "gm B1", "grid_manager", [B1]),
    }
    return world


def reveals(session: Session, actor_name: str) -> list[str]:
    """Return the liaison ids revealed to the key named ``actor_name``, as audited."""
    rows = session.execute(
        text(
            "SELECT entity_id FROM audit_log WHERE action = 'reveal' AND entity = 'liaison' "
            "AND actor LIKE :actor ORDER BY id"
        ),
        {"actor": f"key:%:{actor_name}"},
    )
    return [r[0] for r in rows]
