"""The demo's liaisons and assignments: Chengdu's people with bases, a share left unassigned."""

import re

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from etl.demo.assign import assign_demo, liaison_counts
from etl.demo.install import DEFAULT_SEED, build
from geo_api import coords


def test_chengdu_has_its_liaisons_and_a_quarter_of_outlets_left_for_the_assigner(
    demo_engine: Engine,
):
    counts = liaison_counts(demo_engine)
    assert counts["community_liaisons"] == 2661 and counts["police_liaisons"] == 2 * 261
    assert counts["outlets"] == 1573
    for role in ("community", "police"):
        share = 1 - counts[f"with_{role}"] / counts["outlets"]
        assert 0.2 <= share <= 0.3, (role, share)
    with demo_engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT name, phone, synthetic, base_source, geom IS NOT NULL AS based FROM liaisons"
        )).all()  # fmt: skip
        methods = connection.execute(text(
            "SELECT DISTINCT method, assigned_by FROM outlet_liaisons"
        )).all()  # fmt: skip
        wrong_scope = connection.execute(text(
            "SELECT count(*) FROM outlet_liaisons ol JOIN liaisons l ON l.id = ol.liaison_id "
            "JOIN outlets o ON o.id = ol.outlet_id "
            "WHERE NOT o.community_adcode LIKE l.scope_adcode || '%'"
        )).scalar_one()  # fmt: skip
    assert all(r.synthetic and r.based for r in rows)
    assert all(re.fullmatch(r"13[89]0000\d{4}", r.phone) for r in rows)
    assert {r.base_source for r in rows} == {"given", "scope_centre"}
    share_defaulted = sum(r.base_source == "scope_centre" for r in rows) / len(rows)
    assert 0.05 < share_defaulted < 0.15
    assert methods == [("auto", "key:0:demo")]
    assert wrong_scope == 0


def test_bases_land_where_the_truth_is(demo_engine: Engine):
    truth = build(DEFAULT_SEED).liaisons
    given = truth[~truth["no_base"]].set_index("external_id")
    with demo_engine.connect() as connection:
        stored = pd.DataFrame(connection.execute(text(
            "SELECT external_id, ST_X(geom) lon, ST_Y(geom) lat FROM liaisons "
            "WHERE base_source = 'given'"
        )).mappings().all()).set_index("external_id").loc[given.index]  # fmt: skip
    distance_m = coords.geodesic_m(given["lon"], given["lat"], stored["lon"], stored["lat"])
    assert np.max(distance_m) < 1.0


def test_assigning_again_changes_nothing(demo_engine: Engine):
    with demo_engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM outlet_liaisons")).scalar_one()
    # The demo database is shared by the session: this must be a no-op, and it is the claim.
    result = assign_demo(demo_engine, DEFAULT_SEED)
    assert result.assigned == 0 and result.infeasible == []
    with demo_engine.connect() as connection:
        after = connection.execute(text("SELECT count(*) FROM outlet_liaisons")).scalar_one()
    assert after == before
