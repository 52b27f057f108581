"""Stats and friendliness against a brute-force count over every case."""

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from geo_api import vocab
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import CaseCreate
from geo_api.models import Case
from tests.case_city import (
    CITY,
    CITY_ONLY,
    COMMUNITY_1,
    COMMUNITY_2,
    IN_COMMUNITY_1,
    IN_COMMUNITY_2,
    IN_STREET_2,
    STREET_1,
    STREET_1_NO_COMMUNITY,
    key,
)

POINTS = [IN_COMMUNITY_1, IN_COMMUNITY_2, IN_STREET_2, STREET_1_NO_COMMUNITY, CITY_ONLY]
OPEN, RESOLVED = ("reported", "accepted", "dispatched"), ("resolved", "verified", "closed")


def seed_cases(session, settings, n: int = 80) -> None:
    """File ``n`` cases through the domain, then give them states, ages and resolution times."""
    rng = random.Random(12)
    now = datetime.now(UTC)
    for i in range(n):
        lon, lat = rng.choice(POINTS)
        body = CaseCreate(lon=lon, lat=lat, category=rng.choice(vocab.CASE_CATEGORIES))
        at = now - timedelta(hours=rng.uniform(1, 24 * 120))
        receipt = report_case(session, body, None, Reporter(f"10.0.0.{i}", 100),
                              settings.report_salt, at=at)  # fmt: skip
        status = rng.choice([s for s in vocab.CASE_STATUSES if s != "duplicate"])
        resolved = at + timedelta(hours=rng.uniform(0.5, 200)) if status in RESOLVED else None
        session.execute(text("UPDATE cases SET status = :s, resolved_at = :r WHERE id = :id"),
                        {"s": status, "r": resolved, "id": receipt.id})  # fmt: skip
    session.expire_all()


def brute_force(cases, column: str, adcode, category=None):
    mine = [c for c in cases if getattr(c, column) == adcode
            and (category is None or c.category == category)]  # fmt: skip
    now = datetime.now(UTC)
    hours = [(c.resolved_at - c.created_at).total_seconds() / 3600
             for c in mine if c.status in RESOLVED]  # fmt: skip
    return {
        "received": len(mine),
        "open": sum(c.status in OPEN for c in mine),
        "resolved": sum(c.status in RESOLVED for c in mine),
        "rejected": sum(c.status == "rejected" for c in mine),
        "duplicate": sum(c.status == "duplicate" for c in mine),
        "overdue": sum(c.status in OPEN and c.due_at < now for c in mine),
        "median_hours_to_resolve": round(statistics.median(hours), 2) if hours else None,
    }


@pytest.mark.parametrize(("level", "column"), [("street", "street_adcode"),
                                                ("community", "community_adcode")])  # fmt: skip
def test_stats_match_a_brute_force_count(client, session, settings, case_city, level, column):
    seed_cases(session, settings)
    cases = session.scalars(select(Case)).all()
    planner = key(session, "planner", CITY)
    answer = client.get("/cases/stats", params={"city": CITY, "level": level}, headers=planner)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    areas = {a["adcode"]: a for a in body["areas"]}
    for adcode in {getattr(c, column) for c in cases} | (
        {STREET_1, "510104002"} if level == "street" else {COMMUNITY_1, COMMUNITY_2}
    ):
        area = areas[adcode]
        expected = brute_force(cases, column, adcode)
        assert {k: area[k] for k in expected} == pytest.approx(expected), adcode
        for per_category in area["categories"]:
            expected = brute_force(cases, column, adcode, per_category["category"])
            got = {k: per_category[k] for k in expected}
            assert got == pytest.approx(expected), (adcode, per_category["category"])
        assert sum(c["received"] for c in area["categories"]) == area["received"]
    assert body["total"]["received"] == len(cases)
    assert sum(a["received"] for a in body["areas"]) == len(cases)
    # names come from the boundaries; cases in no area of the level have adcode null
    named = STREET_1 if level == "street" else COMMUNITY_1
    assert areas[named]["name"] == f"{level} {named}"
    if level == "community":
        assert None in areas  # cases of the street part without communities, of the city


def test_stats_can_be_bounded_in_time(client, session, settings, case_city):
    seed_cases(session, settings, 30)
    cases = session.scalars(select(Case)).all()
    since = (datetime.now(UTC) - timedelta(days=30)).date()
    body = client.get("/cases/stats", params={"city": CITY, "since": since.isoformat()},
                      headers=key(session, "admin")).json()  # fmt: skip
    expected = sum(c.created_at.date() >= since for c in cases)
    assert body["total"]["received"] == expected and 0 < expected < len(cases)


def test_planners_of_another_city_and_the_public_get_no_stats(client, session, case_city):
    assert client.get("/cases/stats", params={"city": CITY}).status_code == 401
    other = key(session, "planner", "310100")
    assert client.get("/cases/stats", params={"city": CITY}, headers=other).status_code == 403
    assert client.get("/cases/stats", params={"city": "51"},
                      headers=key(session, "admin")).status_code == 422  # fmt: skip


def test_friendliness_counts_the_last_90_days(client, session, settings, case_city):
    now = datetime.now(UTC)

    def add(point, category, days_ago, status="reported"):
        body = CaseCreate(lon=point[0], lat=point[1], category=category)
        receipt = report_case(session, body, None, Reporter("f", 100), "s",
                              at=now - timedelta(days=days_ago))  # fmt: skip
        session.execute(text("UPDATE cases SET status = :s WHERE id = :id"),
                        {"s": status, "id": receipt.id})  # fmt: skip

    add(IN_COMMUNITY_1, "no_rider_entry", 3)
    add(IN_COMMUNITY_1, "no_rider_entry", 10, "closed")
    add(IN_COMMUNITY_1, "no_parking", 80, "resolved")
    add(IN_COMMUNITY_1, "building_hard_to_find", 91)  # too old
    add(IN_COMMUNITY_1, "fire_hazard", 1)  # not about friendliness
    add(IN_COMMUNITY_2, "building_hard_to_find", 5)
    add(IN_COMMUNITY_2, "no_parking", 6)
    add(IN_COMMUNITY_2, "no_parking", 6, "rejected")
    body = client.get("/cases/friendliness", params={"city": CITY}).json()
    assert body["days"] == 90
    rows = {c["adcode"]: c for c in body["communities"]}
    assert {
        k: rows[COMMUNITY_1][k]
        for k in ("entry", "parking", "finding", "total", "resolved", "unresolved")
    } == {"entry": 2, "parking": 1, "finding": 0, "total": 3, "resolved": 2, "unresolved": 1}
    assert {k: rows[COMMUNITY_2][k] for k in ("entry", "parking", "finding", "resolved")} == {
        "entry": 0,
        "parking": 1,
        "finding": 1,
        "resolved": 0,
    }
    # most unresolved first
    assert [c["adcode"] for c in body["communities"]] == [COMMUNITY_2, COMMUNITY_1]
