"""The demo's assignments: most of Chengdu's streets assigned, a share left for the auto-assigner.

They are made by the same domain function as ``POST /assignments/auto`` (keep_existing, applied),
street by street, as an admin named ``demo``: the history says ``method = auto`` and the audit
log has a row per outlet. A seeded quarter of the streets is left alone, so a grid manager
opening the demo finds outlets without liaisons. Running it again changes nothing: every current
assignment is kept.
"""

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from etl.demo.areas import CITIES
from geo_api.assignments.auto import auto_assign
from geo_api.assignments.schemas import AutoRequest
from geo_api.auth import Principal

CITY = CITIES[0].adcode  # Chengdu
UNASSIGNED_SHARE = 0.25
MAX_PER_LIAISON = {"community": 20, "police": 40}
DEMO_ADMIN = Principal(key_id=0, name="demo", role="admin")
STREETS = text(
    "SELECT adcode FROM admin_areas WHERE level = 'street' AND left(adcode, 4) = :prefix "
    "ORDER BY adcode"
)


@dataclass
class DemoAssignments:
    """What the demo's assignment step did."""

    streets: int
    streets_left: int
    assigned: int
    infeasible: list[str]


def assign_demo(engine: Engine, seed: int) -> DemoAssignments:
    """Assign Chengdu's outlets but a seeded quarter of its streets, both roles, optimally."""
    rng = np.random.default_rng([seed, 300])
    with engine.connect() as connection:
        streets = list(connection.execute(STREETS, {"prefix": CITY[:4]}).scalars())
    chosen = [s for s, skip in zip(streets, rng.random(len(streets)) < UNASSIGNED_SHARE,
                                   strict=True) if not skip]  # fmt: skip
    assigned, infeasible = 0, []
    with Session(engine) as session, session.begin():
        for street in chosen:
            for role, capacity in MAX_PER_LIAISON.items():
                request = AutoRequest(scope_adcode=street, role=role, max_per_liaison=capacity,
                                      keep_existing=True, dry_run=False)  # fmt: skip
                result = auto_assign(session, request, DEMO_ADMIN)
                assigned += len(result.assignments)
                if not result.feasible:
                    infeasible.append(f"{street} {role}")
    return DemoAssignments(len(streets), len(streets) - len(chosen), assigned, infeasible)


LIAISON_COUNTS = text("""
    SELECT
      (SELECT count(*) FROM liaisons WHERE left(scope_adcode, 4) = :prefix AND role = 'community')
        AS community_liaisons,
      (SELECT count(*) FROM liaisons WHERE left(scope_adcode, 4) = :prefix AND role = 'police')
        AS police_liaisons,
      (SELECT count(*) FROM outlets WHERE left(district_adcode, 4) = :prefix) AS outlets,
      (SELECT count(DISTINCT ol.outlet_id) FROM outlet_liaisons ol JOIN outlets o
         ON o.id = ol.outlet_id
       WHERE ol.ended_at IS NULL AND ol.role = 'community' AND left(o.district_adcode, 4) = :prefix)
        AS with_community,
      (SELECT count(DISTINCT ol.outlet_id) FROM outlet_liaisons ol JOIN outlets o
         ON o.id = ol.outlet_id
       WHERE ol.ended_at IS NULL AND ol.role = 'police' AND left(o.district_adcode, 4) = :prefix)
        AS with_police
""")


def liaison_counts(engine: Engine) -> dict[str, int]:
    """Return Chengdu's liaisons by role and its outlets with a current liaison of each role."""
    with engine.connect() as connection:
        row = connection.execute(LIAISON_COUNTS, {"prefix": CITY[:4]}).mappings().one()
    return {k: int(v) for k, v in row.items()}
