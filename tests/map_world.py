"""A small district for the web map's browser tests, committed for the live server and removed.

The liaison tests' district (``tests.liaison_world``: district 519901, streets A and B,
communities A1, A2, B1, their liaisons, seven outlets and keys), plus stations with hours,
phones and amenities, outlets with more riders (some far from every station, so there are
gaps), coverage cells of the district at res 9, and a few riders' cases. Everything is
committed, because the live server reads through its own engine, and deleted at the end.
"""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from geo_api.coverage.refresh import refresh_city
from geo_api.database import sqlalchemy_url
from geo_api.models import Base
from tests.browser import LiveServer, LoopbackPage, screenshot
from tests.coverage_city import make_outlet
from tests.factories import daily, make_station
from tests.liaison_world import A2, B1, BOXES, DISTRICT, World, build_world

# The map tests' assertions wait on a page drawing WebGL in software, on a machine the whole
# suite shares: 5 s (Playwright's default) is not always enough for a map to settle.
expect.set_options(timeout=20_000)

# Stations: (lon, lat, amenities, opening hours as minutes of the day or None for 24 hours).
STATIONS = [
    (104.012, 30.615, ["charging", "water", "toilet"], (8 * 60, 21 * 60)),
    (104.030, 30.628, ["water", "rest"], (9 * 60, 18 * 60)),
    (104.021, 30.650, ["charging", "microwave"], None),
    (104.045, 30.662, ["toilet"], (7 * 60, 23 * 60)),
    (104.070, 30.640, ["charging", "wifi"], (10 * 60, 20 * 60)),
]
# Outlets far from every station: the gaps (community, lon, lat, riders).
FAR_OUTLETS = [(B1, 104.095, 30.605, 40), (B1, 104.092, 30.675, 25), (A2, 104.002, 30.678, 12)]
CASES = [((104.015, 30.612), "fire_hazard"), ((104.035, 30.665), "no_parking")]


@dataclass
class MapWorld:
    """What the browser tests drive: the district, its people and keys."""

    server: str
    district: str
    world: World
    case_ids: list[int]

    def key(self, who: str) -> str:
        return self.world.keys[who]

    def get(self, path: str, who: str | None = None, **params: Any) -> Any:
        """GET ``path`` of the live server (as ``who``, a key of the world) and return its JSON."""
        headers = {"X-API-Key": self.key(who)} if who else {}
        return call(f"{self.server}{path}?{urlencode(params, doseq=True)}", headers=headers)


def call(url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    """Call the live server (POST when there is a body) and return the JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # say which call and why, not just the status
        raise AssertionError(f"{url}: {error.code} {error.read().decode()}") from None


def id_tables() -> list[str]:
    """Tables with an identity ``id``, children before parents (for deleting what we added)."""
    return [t.name for t in reversed(Base.metadata.sorted_tables) if "id" in t.c]


def high_water(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar_one()
            for name in id_tables()
        }


def remove_world(engine: Engine, before: dict[str, int]) -> None:
    with engine.begin() as connection:
        for name, last in before.items():
            connection.execute(text(f"DELETE FROM {name} WHERE id > :last"), {"last": last})
        connection.execute(
            text("DELETE FROM coverage_cells WHERE city_adcode = :d"), {"d": DISTRICT}
        )
        connection.execute(
            text("DELETE FROM admin_areas WHERE adcode = ANY(:a)"), {"a": list(BOXES)}
        )


def build_map_world(session: Session) -> World:
    world = build_world(session)
    for lon, lat, amenities, hours in STATIONS:
        opening = (
            {"is_24h": True, "hours_text": "24小时"}
            if hours is None
            else {"hours": daily(*hours), "hours_text": f"{hours[0] // 60}:00-{hours[1] // 60}:00"}
        )
        make_station(session, lon, lat, amenities=amenities, phone="028-00001234", **opening)
    for community, lon, lat, riders in FAR_OUTLETS:
        make_outlet(session, lon, lat, riders, community_adcode=community, district_adcode=DISTRICT)
    session.execute(
        text(
            "UPDATE stations s SET community_adcode = a.adcode, district_adcode = :d FROM admin_areas a "
            "WHERE a.level = 'community' AND ST_Intersects(a.geom, s.geom)"
        ),
        {"d": DISTRICT},
    )
    refresh_city(session, DISTRICT, 9)
    return world


@pytest.fixture(scope="module")
def map_world(database_url: str, live_server: LiveServer) -> Iterator[MapWorld]:
    engine = create_engine(sqlalchemy_url(database_url))
    before = high_water(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            world = build_map_world(session)
            session.commit()
        case_ids = []
        for (lon, lat), category in CASES:
            body = {"lon": lon, "lat": lat, "category": category}
            case_ids.append(call(live_server.url + "/cases", body)["id"])
        yield MapWorld(live_server.url, DISTRICT, world, case_ids)
    finally:
        remove_world(engine, before)
        engine.dispose()


def map_screenshot(page: Page, name: str) -> None:
    """Screenshot the web map once every tile and overlay it asked for is drawn."""
    page.wait_for_selector("[data-testid=map][data-idle=true]")
    screenshot(page, name)


def assert_clean(page: LoopbackPage) -> None:
    """The page left no trace of trouble: nothing offsite, refused, thrown or logged as error."""
    assert page.offsite == []
    assert page.traffic.refused == []
    assert page.traffic.errors == []
    assert page.traffic.console_errors == []
