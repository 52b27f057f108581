"""The demo's riders' cases: across Chengdu, every state, some overdue, some merged, once."""

from sqlalchemy import text

from etl.demo.cases import CASES, install_cases
from etl.demo.install import DEFAULT_SEED
from geo_api import vocab


def test_the_demo_has_cases_in_every_state(demo_engine):
    with demo_engine.connect() as connection:
        states = dict(
            connection.execute(
                text("SELECT status, count(*) FROM cases WHERE synthetic GROUP BY status")
            ).all()
        )
        overdue = connection.execute(
            text(
                "SELECT count(*) FROM cases WHERE synthetic AND status IN "
                "('reported', 'accepted', 'dispatched') AND due_at < now()"
            )
        ).scalar_one()
        merged = connection.execute(
            text(
                "SELECT count(*) FROM cases d JOIN cases s ON s.id = d.duplicate_of "
                "WHERE d.status = 'duplicate' AND s.category = d.category "
                "AND ST_DWithin(d.geom::geography, s.geom::geography, 100)"
            )
        ).scalar_one()
        outside = connection.execute(
            text("SELECT count(*) FROM cases WHERE synthetic AND left(routed_adcode, 4) <> '5101'")
        ).scalar_one()
        roles = {r for (r,) in connection.execute(text("SELECT DISTINCT routed_role FROM cases"))}
        events = connection.execute(
            text(
                "SELECT count(*) FROM cases c WHERE synthetic AND (SELECT count(*) FROM case_events e "
                "WHERE e.case_id = c.id) < 1"
            )
        ).scalar_one()
        points = connection.execute(text("SELECT count(*) FROM rider_points")).scalar_one()
    assert set(states) == set(vocab.CASE_STATUSES)
    assert sum(states.values()) == CASES
    assert 0 < overdue < states["reported"] + states["accepted"] + states["dispatched"]
    assert merged == states["duplicate"] > 0
    assert outside == 0  # every case routed inside Chengdu
    assert roles == set(vocab.CASE_ROLES)
    assert events == 0
    assert points == states["verified"] + states["closed"]


def test_installing_again_files_nothing(demo_engine):
    again = install_cases(demo_engine, DEFAULT_SEED, "demo-salt")
    assert again.created == 0 and sum(again.by_status.values()) == CASES
