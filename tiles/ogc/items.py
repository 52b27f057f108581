"""OGC API items: a page of a layer's features as GeoJSON text, and single features.

One statement answers a page: the matched count (when it is exact) and the page's features,
each built as GeoJSON by PostgreSQL, so no row is parsed and serialised again in Python. The
spatial filter (``bbox``) goes on the stored column inside the layer's candidates (the GiST
index answers); property filters and CQL2 go on the candidate row, and PostgreSQL pushes them
down into the candidates' scan. Pages are in id order, so ``offset`` pages are stable.

``numberMatched`` is exact when the planner expects at most ``EXACT_COUNT_MAX`` matches (or the
table holds no more than that), and the planner's estimate otherwise, said by
``numberMatchedExact``: counting a million matches for every page is what users of other
servers complain about.
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tiles.ogc.cql import FilterSQL
from tiles.ogc.query import ItemsQuery
from tiles.params import bind
from tiles.registry import Layer

EXACT_COUNT_MAX = 50_000

PAGE_SQL = """
SELECT m.matched, {stale} AS stale, f.feature
FROM ({count}) AS m
LEFT JOIN LATERAL (
    SELECT {feature} AS feature
    FROM ({candidates}) AS c
    {enrichment}
    WHERE {conditions}
    ORDER BY {order}
    LIMIT :limit OFFSET :offset
) AS f ON true
"""
COUNT_SQL = "SELECT count(*) AS matched FROM ({candidates}) AS c {enrichment} WHERE {conditions}"
NO_COUNT_SQL = "SELECT CAST(NULL AS bigint) AS matched"
ESTIMATE_SQL = (
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM ({candidates}) AS c {enrichment} WHERE {conditions}"
)
ONE_SQL = """
SELECT {stale} AS stale, (
    SELECT {feature} FROM ({candidates}) AS c {enrichment} WHERE {conditions}
) AS feature
"""
ENVELOPE = "ST_MakeEnvelope(:{0}w, :{0}s, :{0}e, :{0}n, 4326)"


@dataclass(frozen=True)
class Statement:
    """The parts of an items query, and its bind parameters."""

    candidates: str
    conditions: str
    binds: dict[str, Any]
    needs_enrichment: bool


def feature_sql(layer: Layer) -> str:
    """Return the SQL building one GeoJSON Feature (as text) from a candidate row."""
    pairs = ", ".join(f"'{p.name}', {p.sql}" for p in layer.properties)
    return (
        f"json_build_object('type', 'Feature', 'id', {layer.id_sql}, "
        f"'geometry', ST_AsGeoJSON(c.geom, 7)::json, "
        f"'properties', json_build_object({pairs}))::text"
    )


def spatial_sql(layer: Layer, query: ItemsQuery, binds: dict[str, Any]) -> str:
    """Return the bbox condition on the stored geometry (two boxes across the antimeridian)."""
    if query.bbox is None:
        return "true"
    west, south, east, north = query.bbox
    boxes = [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]
    parts = []
    for i, (w, e) in enumerate(boxes):
        binds.update({f"b{i}w": w, f"b{i}s": south, f"b{i}e": e, f"b{i}n": north})
        parts.append(f"ST_Intersects({layer.geometry_sql}, {ENVELOPE.format(f'b{i}')})")
    return "(" + " OR ".join(parts) + ")"


def statement(layer: Layer, query: ItemsQuery) -> Statement:
    """Return the candidates, conditions and binds of ``query`` on ``layer``."""
    binds: dict[str, Any] = dict(bind(layer, query.values))
    candidates = layer.candidates.format(where=spatial_sql(layer, query, binds))
    conditions, enriched = ["true"], False
    for i, (prop, value) in enumerate(query.equals):
        binds[f"p{i}"] = value
        condition = prop.filter_sql or f"{prop.sql} = :value"
        conditions.append(condition.replace(":value", f":p{i}"))
        enriched = enriched or prop.enriched
    if query.filter is not None:
        translated = FilterSQL(layer)
        conditions.append(translated.condition(query.filter))
        binds.update(translated.binds)
        enriched = enriched or translated.uses_enrichment
    return Statement(candidates, " AND ".join(conditions), binds, enriched)


def stale_sql(layer: Layer) -> str:
    """Return the layer's staleness test (``false`` without a materialization)."""
    return layer.materialization.stale_sql if layer.materialization else "false"


def estimated_matches(session: Session, layer: Layer, found: Statement) -> int:
    """Return the planner's estimate of how many features match."""
    sql = ESTIMATE_SQL.format(
        candidates=found.candidates,
        enrichment=layer.enrichment if found.needs_enrichment else "",
        conditions=found.conditions,
    )
    plan = session.execute(text(sql), found.binds).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def page(
    session: Session, layer: Layer, query: ItemsQuery, table_rows: float
) -> tuple[list[str], int, bool, bool]:
    """Return a page of features (GeoJSON text), the match count, its exactness, staleness.

    Staleness: whether the layer's materialized figures were out of date.

    ``table_rows`` is the planner's size of the layer's table: when it is small the count is
    always exact, without asking the planner.
    """
    found = statement(layer, query)
    estimate = None
    if not 0 <= table_rows <= EXACT_COUNT_MAX:
        estimate = estimated_matches(session, layer, found)
    exact = estimate is None or estimate <= EXACT_COUNT_MAX
    count = COUNT_SQL if exact else NO_COUNT_SQL
    sql = PAGE_SQL.format(
        stale=stale_sql(layer),
        count=count.format(
            candidates=found.candidates,
            enrichment=layer.enrichment if found.needs_enrichment else "",
            conditions=found.conditions,
        ),
        feature=feature_sql(layer),
        candidates=found.candidates,
        enrichment=layer.enrichment,
        conditions=found.conditions,
        order=layer.id_order or layer.id_sql,
    )
    binds = {**found.binds, "limit": query.limit, "offset": query.offset}
    rows = session.execute(text(sql), binds).all()
    features = [row.feature for row in rows if row.feature is not None]
    matched = rows[0].matched if exact else estimate
    return features, int(matched or 0), exact, bool(rows[0].stale)


def one(
    session: Session, layer: Layer, query: ItemsQuery, id_binds: dict[str, Any]
) -> tuple[str | None, bool]:
    """Return the feature with the id in ``id_binds`` (GeoJSON text or None), and staleness."""
    found = statement(layer, query)
    sql = ONE_SQL.format(
        stale=stale_sql(layer),
        feature=feature_sql(layer),
        candidates=found.candidates,
        enrichment=layer.enrichment,
        conditions=f"{found.conditions} AND {layer.id_condition}",
    )
    row = session.execute(text(sql), {**found.binds, **id_binds}).one()
    return row.feature, bool(row.stale)
