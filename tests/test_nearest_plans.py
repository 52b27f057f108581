"""The nearest query stays on an index whatever the filters: EXPLAIN on a few thousand stations."""

import json

import pytest
from sqlalchemy import text

from geo_api.stations.nearest import NearestQuery, nearest_params, nearest_sql

# 6,000 stations around Chengdu, amenities and kinds varied, one kind rare.
FILL = """
INSERT INTO stations (source, external_id, name, kind, amenities, is_24h, status, geom)
SELECT 'plan', i::text, 'station ' || i,
       CASE WHEN i % 500 = 0 THEN 'rider_center' ELSE 'warm_station' END,
       CASE WHEN i % 3 = 0 THEN ARRAY['charging', 'water'] ELSE ARRAY['rest'] END
           || CASE WHEN i % 700 = 0 THEN ARRAY['legal_aid', 'canteen'] ELSE ARRAY[]::text[] END,
       i % 4 = 0, 'open',
       ST_SetSRID(ST_MakePoint(103.9 + (i % 97) * 0.004, 30.5 + (i / 97) * 0.004), 4326)
FROM generate_series(1, 6000) AS i
"""


def plan_nodes(plan: dict) -> list[str]:
    return [plan["Node Type"]] + [n for child in plan.get("Plans", []) for n in plan_nodes(child)]


@pytest.mark.parametrize(
    "query",
    [
        NearestQuery(lon=104.0, lat=30.6, k=5),
        NearestQuery(lon=104.0, lat=30.6, k=5, amenities=("charging",)),
        NearestQuery(lon=104.0, lat=30.6, k=5, open_only=True, minute_of_week=22 * 60),
        NearestQuery(lon=104.0, lat=30.6, k=5, amenities=("legal_aid", "canteen")),
        NearestQuery(lon=104.0, lat=30.6, k=5, max_distance_m=300),
        NearestQuery(lon=120.0, lat=30.6, k=5, max_distance_m=300),
        NearestQuery(lon=104.0, lat=30.6, k=5, kind="rider_center"),
        NearestQuery(lon=110.0, lat=40.0, k=5, kind="rider_center", amenities=("charging",)),
    ],
)
def test_no_filter_makes_the_query_scan_the_table(connection, query):
    connection.execute(text(FILL))
    connection.execute(text("ANALYZE stations"))
    explained = connection.execute(
        text("EXPLAIN (FORMAT JSON) " + nearest_sql(query)), nearest_params(query, query.k + 16)
    ).scalar_one()
    plan = explained if isinstance(explained, list) else json.loads(explained)
    nodes = plan_nodes(plan[0]["Plan"])
    assert "Seq Scan" not in nodes, nodes
