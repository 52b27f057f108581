"""1,000,000 existing cases over Chengdu's communities for the cases benchmark, in one INSERT.

The demo's boundaries and liaisons are loaded through the ETL (as the coverage benchmark does);
the cases are generated in SQL with ``generate_series``: each at a community's point on
surface moved up to about 500 m, of a random category and state, filed over the last year.
"""

import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg2

from bench.harness import bench_database
from etl.demo.defaults import DEFAULT_SEED
from etl.demo.install import install_demo

BENCH_DATABASE = "warmmap_bench_cases"
CITY = "510100"
CATEGORIES = ("station_closed", "station_misplaced", "station_hours_wrong", "fire_hazard",
              "blocked_passage", "no_rider_entry", "no_parking", "building_hard_to_find",
              "road_hazard", "other")  # fmt: skip

ANCHORS = """
CREATE TEMP TABLE anchors AS
SELECT row_number() OVER (ORDER BY adcode) AS n, adcode, left(adcode, 9) AS street,
       left(adcode, 6) AS district, ST_X(p) AS lon, ST_Y(p) AS lat
FROM (SELECT adcode, ST_PointOnSurface(geom) AS p FROM admin_areas
      WHERE level = 'community' AND adcode LIKE '5101%') AS c
"""
GENERATE = """
INSERT INTO cases (token_hash, reporter_hash, client_hash, channel, category, geom, source_x,
                   source_y, district_adcode, street_adcode, community_adcode, routed_adcode,
                   routed_role, status, due_at, resolved_at, created_at, updated_at, synthetic)
SELECT encode(sha256(('bench-token-' || g)::bytea), 'hex'),
       encode(sha256(('bench-token-' || g)::bytea), 'hex'),
       encode(sha256(('bench-client-' || (g %% 50000))::bytea), 'hex'),
       'api', (%(categories)s::text[])[1 + (g * 7919) %% 10],
       ST_SetSRID(ST_MakePoint(x, y), 4326), x, y,
       a.district, a.street, a.adcode, a.adcode, 'community_liaison',
       (ARRAY['reported', 'accepted', 'dispatched', 'resolved', 'verified', 'closed',
              'rejected'])[1 + (g * 104729) %% 7],
       t + interval '72 hours',
       CASE WHEN (g * 104729) %% 7 BETWEEN 3 AND 5 THEN t + interval '30 hours' END,
       t, t, true
FROM (
    SELECT g, 1 + (g * 2654435761) %% (SELECT count(*) FROM anchors) AS anchor,
           now() - random() * interval '365 days' AS t,
           (random() - 0.5) * 0.01 AS dx, (random() - 0.5) * 0.01 AS dy
    FROM generate_series(1::bigint, %(n)s) AS g
) AS s
JOIN anchors a ON a.n = s.anchor
CROSS JOIN LATERAL (SELECT a.lon + s.dx AS x, a.lat + s.dy AS y) AS p
"""


def prepare(n: int) -> dict[str, Any]:
    """Make sure the bench database holds the demo's areas and ``n`` generated cases."""
    url = bench_database(BENCH_DATABASE)
    connection = psycopg2.connect(url)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("SELECT 1 FROM admin_areas WHERE adcode = %s", (CITY,))
    if cursor.fetchone() is None:
        from sqlalchemy import create_engine

        from geo_api.database import sqlalchemy_url

        engine = create_engine(sqlalchemy_url(url))
        with tempfile.TemporaryDirectory() as folder:
            install_demo(engine, Path(folder), DEFAULT_SEED)
        engine.dispose()
    cursor.execute("SELECT count(*) FROM cases WHERE synthetic")
    (present,) = cursor.fetchone()
    seconds = None
    if present != n:
        started = time.perf_counter()
        cursor.execute("TRUNCATE cases CASCADE")
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(ANCHORS)
        cursor.execute(GENERATE, {"n": n, "categories": list(CATEGORIES)})
        cursor.execute("ANALYZE cases")
        seconds = round(time.perf_counter() - started, 1)
    cursor.execute("SELECT count(*) FROM cases")
    (total,) = cursor.fetchone()
    connection.close()
    return {"database": BENCH_DATABASE, "existing_cases": total, "generated_in_s": seconds}


def request_bodies(url: str, count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Return ``count`` reports at random places of Chengdu's communities (WGS-84)."""
    connection = psycopg2.connect(url)
    cursor = connection.cursor()
    cursor.execute(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_areas "
        "WHERE level = 'community' AND adcode LIKE '5101%' ORDER BY adcode) AS c"
    )
    anchors = cursor.fetchall()
    connection.close()
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        lon, lat = rng.choice(anchors)
        bodies.append({
            "lon": round(lon + rng.uniform(-0.003, 0.003), 6),
            "lat": round(lat + rng.uniform(-0.003, 0.003), 6),
            "crs": "wgs84",
            "category": rng.choice(CATEGORIES[3:]),
            "description": "bench",
        })  # fmt: skip
    return bodies


def bodies_file(bodies: list[dict[str, Any]]) -> str:
    """Write one JSON body a line (for wrk's Lua script) and return the file's path."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for body in bodies:
            out.write(json.dumps(body, ensure_ascii=False) + "\n")
    return out.name
