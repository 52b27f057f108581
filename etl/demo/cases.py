"""The demo's riders' cases: a few hundred across Chengdu, in every state of the lifecycle.

Generated from the seed and filed through the same domain functions as ``POST /cases`` and
``POST /cases/{id}/transitions`` (routing, duplicate hints, events, points), dated back over the
last 60 days so that some open cases are overdue. Some are reported again near an earlier case
and merged into it. Installed once: a database that holds synthetic cases gets no more.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from geo_api import vocab
from geo_api.auth import Principal
from geo_api.cases.lifecycle import get_case, manager_move, reporter_move
from geo_api.cases.reporting import Reporter, report_case
from geo_api.cases.schemas import CaseCreate
from geo_api.models import Case

CITY = "510100"
CASES = 320
DUPLICATE_SHARE = 0.06
HISTORY_DAYS = 60
# How far along its lifecycle a case got, and how often.
FATES = {"reported": 0.12, "accepted": 0.08, "dispatched": 0.12, "resolved": 0.14,
         "verified": 0.16, "closed": 0.32, "rejected": 0.06}  # fmt: skip
OPEN = ("reported", "accepted", "dispatched")
PATH = ("accepted", "dispatched", "resolved", "verified", "closed")
CATEGORY_WEIGHTS = {"station_closed": 6, "station_misplaced": 3, "station_hours_wrong": 4,
                    "fire_hazard": 6, "blocked_passage": 10, "no_rider_entry": 16,
                    "no_parking": 14, "building_hard_to_find": 12, "road_hazard": 8,
                    "other": 5}  # fmt: skip
NOTES = {
    "no_rider_entry": "小区门岗不让外卖骑手进，要求登记（合成）",
    "no_parking": "楼下没有电动车临时停放点（合成）",
    "building_hard_to_find": "楼栋号看不清，找不到单元门（合成）",
    "blocked_passage": "消防通道被杂物堵住（合成）",
    "fire_hazard": "楼道里给电瓶车充电（合成）",
    "road_hazard": "路口井盖松动（合成）",
    "station_closed": "驿站白天锁门（合成）",
    "station_misplaced": "地图上的驿站位置不对（合成）",
    "station_hours_wrong": "驿站实际开放时间和标注不符（合成）",
    "other": "其他问题（合成）",
}
DEMO_MANAGER = Principal(0, "demo grid manager", "grid_manager", (CITY,))
PLACES = text("""
SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, NULL::bigint AS station_id FROM outlets
WHERE community_adcode LIKE '5101%' ORDER BY id
""")
STATIONS = text("""
SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, id AS station_id FROM stations
WHERE community_adcode LIKE '5101%' ORDER BY id
""")


@dataclass(frozen=True)
class DemoCases:
    """What the demo's cases came to: how many, per state, and one case to try its token on."""

    created: int
    by_status: dict[str, int]
    example_id: int | None = None
    example_token: str | None = None


def install_cases(engine: Engine, seed: int, salt: str) -> DemoCases:
    """File the demo's cases unless the database already holds synthetic ones.

    Parameters
    ----------
    engine
        The database with the demo's boundaries, stations and outlets loaded.
    seed
        The demo's seed: the same seed files the same cases (dated relative to now).
    salt
        The salt of client hashes (``settings.report_salt``).
    """
    with Session(engine) as session, session.begin():
        if session.scalar(select(func.count()).select_from(Case).where(Case.synthetic)):
            return DemoCases(0, _by_status(session))
        rng = np.random.default_rng([seed, 12])
        places = session.execute(PLACES).all()
        stations = session.execute(STATIONS).all()
        if not places or not stations:
            return DemoCases(0, {})
        example = _file_all(session, rng, places, stations, salt)
        return DemoCases(CASES, _by_status(session), *example)


def _file_all(session: Session, rng: np.random.Generator, places, stations, salt: str):
    now = datetime.now(UTC).replace(microsecond=0)
    categories = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()), dtype=float)
    example: tuple[int | None, str | None] = (None, None)
    filed: list[tuple[int, float, float, str, datetime]] = []
    for n in range(CASES):
        category = str(rng.choice(categories, p=weights / weights.sum()))
        if filed and rng.random() < DUPLICATE_SHARE:
            survivor = filed[int(rng.integers(len(filed)))]
            _merge_near(session, rng, survivor, n, salt, now)
            continue
        pool = stations if category.startswith("station_") else places
        lon, lat, station_id = pool[int(rng.integers(len(pool)))]
        lon, lat = _jitter(rng, lon, lat)
        fate = str(rng.choice(list(FATES), p=list(FATES.values())))
        # Open cases are recent (some past their time limit, most not); others span the history.
        hours_ago = rng.uniform(1, 240) if fate in OPEN else rng.uniform(2, HISTORY_DAYS * 24)
        at = now - timedelta(hours=float(hours_ago))
        body = CaseCreate(lon=lon, lat=lat, crs="wgs84", category=category,
                          description=NOTES[category], station_id=station_id)  # fmt: skip
        receipt = report_case(session, body, None, _reporter(n), salt, at=at, synthetic=True)
        _walk(session, rng, receipt.id, fate, at, now)
        filed.append((receipt.id, lon, lat, category, at))
        if example[0] is None and fate == "resolved":
            example = (receipt.id, receipt.token)
    return example


def _reporter(n: int) -> Reporter:
    # Synthetic clients; the demo's history is older than the hourly limit's window anyway.
    return Reporter(f"demo-rider-{n % 97}", 10**6, channel="demo")


def _jitter(rng: np.random.Generator, lon: float, lat: float) -> tuple[float, float]:
    """Move a point up to about 40 m, so cases do not sit exactly on outlets."""
    return float(lon + rng.uniform(-4e-4, 4e-4)), float(lat + rng.uniform(-3.5e-4, 3.5e-4))


def _walk(
    session: Session, rng: np.random.Generator, case_id: int, fate: str, at: datetime, now: datetime
) -> None:
    """Move a case along its lifecycle to ``fate``, each move some hours after the last."""
    steps = (
        ("rejected",)
        if fate == "rejected"
        else PATH[: PATH.index(fate) + 1]
        if fate in PATH
        else ()
    )
    when = at
    for step in steps:
        when = min(now, when + timedelta(hours=float(rng.exponential(14))))
        if step == "verified" and rng.random() < 0.5:
            reporter_move(session, get_case(session, case_id), "verified", "已处理，谢谢（合成）",
                          when, at=when)  # fmt: skip
        else:
            manager_move(session, case_id, step, None, None, DEMO_MANAGER, at=when)


def _merge_near(session, rng, survivor, n: int, salt: str, now: datetime) -> None:
    """Report again within 60 m of ``survivor`` and a few days after it, then merge."""
    survivor_id, lon, lat, category, at = survivor
    when = min(now, at + timedelta(hours=float(rng.uniform(1, 120))))
    lon, lat = float(lon + rng.uniform(-3e-4, 3e-4)), float(lat + rng.uniform(-3e-4, 3e-4))
    body = CaseCreate(lon=lon, lat=lat, crs="wgs84", category=category,
                      description=NOTES[category])  # fmt: skip
    receipt = report_case(session, body, None, _reporter(n), salt, at=when, synthetic=True)
    if survivor_id not in receipt.possible_duplicates or get_case(session, survivor_id).status in (
        "duplicate",
        "rejected",
    ):
        return  # not offered as a duplicate: it stays a case of its own
    manager_move(session, receipt.id, "duplicate", "同一问题（合成）", survivor_id, DEMO_MANAGER,
                 at=when + timedelta(hours=1))  # fmt: skip


def _by_status(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Case.status, func.count()).where(Case.synthetic).group_by(Case.status)
    ).all()
    counts = {status: int(count) for status, count in rows}
    return {status: counts.get(status, 0) for status in vocab.CASE_STATUSES}
