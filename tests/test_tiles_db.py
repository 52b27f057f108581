"""Tiles and items against PostGIS: plans on the GiST index, the cap, geometry, HTTP answers."""

import json
from dataclasses import replace

import mapbox_vector_tile
import pytest
from shapely.geometry import shape
from sqlalchemy import create_engine, text

from geo_api.database import sqlalchemy_url
from tests.coverage_city import CITY, build_city
from tests.factories import make_station
from tiles.changes import changes_since, snapshot_now
from tiles.grid import tile_of
from tiles.layers import LAYERS
from tiles.mvt import render_tile, tile_params, tile_sql

CHENGDU = (104.066, 30.657)
GIST = {
    "stations": "ix_stations_geom",
    "outlets": "ix_outlets_geom",
    "gaps": "ix_coverage_cells_demand_geom",
    "communities": "ix_admin_areas_geom",
    "streets": "ix_admin_areas_geom",
    "districts": "ix_admin_areas_geom",
}
TABLE = {
    "gaps": "coverage_cells",
    "communities": "admin_areas",
    "streets": "admin_areas",
    "districts": "admin_areas",
}


def nodes(plan: dict) -> list[dict]:
    return [plan, *(n for child in plan.get("Plans", []) for n in nodes(child))]


@pytest.mark.parametrize("layer_id", list(LAYERS))
@pytest.mark.parametrize("ordered", [False, True])
def test_tile_queries_filter_the_stored_geometry_through_its_gist_index(
    layers_database_url, layer_id, ordered
):
    layer = LAYERS[layer_id]
    engine = create_engine(sqlalchemy_url(layers_database_url))
    z = 14
    params = tile_params(
        layer, tuple(p.default for p in layer.parameters), z, *tile_of(*CHENGDU, z)
    )
    with engine.connect() as connection:
        plan = connection.execute(
            text("EXPLAIN (FORMAT JSON) " + tile_sql(layer, ordered)), params
        ).scalar_one()
    engine.dispose()
    found = nodes(plan[0]["Plan"])
    table = TABLE.get(layer_id, layer_id)
    on_index = [n for n in found if n.get("Index Name") == GIST[layer_id]]
    assert on_index, [n["Node Type"] for n in found]
    assert all("geom &&" in n["Index Cond"] for n in on_index)
    assert not any("st_transform" in json.dumps(n.get("Index Cond", "")).lower() for n in on_index)
    assert not [
        n for n in found if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == table
    ]


def add_outlet(session, lon, lat, riders, name):
    return session.execute(
        text(
            "INSERT INTO outlets (source, external_id, name, kind, riders, geom) VALUES "
            "('test', :name, :name, 'express', :riders, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) "
            "RETURNING id"
        ),
        {"name": name, "riders": riders, "lon": lon, "lat": lat},
    ).scalar_one()


def test_a_capped_tile_keeps_the_first_features_in_the_layers_order_and_says_so(session):
    lon, lat = CHENGDU
    ids = {
        add_outlet(session, lon + i * 1e-4, lat, riders, f"网点{i}"): riders
        for i, riders in enumerate([5, 50, 7, 300, 20, 1])
    }
    capped = replace(LAYERS["outlets"], feature_cap=3)
    z = 15
    x, y = tile_of(lon, lat, z)
    tile = render_tile(session, capped, (), z, x, y)
    assert tile.capped and tile.features == 3
    kept = {f["id"] for f in mapbox_vector_tile.decode(tile.data)["outlets"]["features"]}
    assert kept == set(sorted(ids, key=lambda i: -ids[i])[:3])  # the most riders
    whole = render_tile(session, LAYERS["outlets"], (), z, x, y)
    assert not whole.capped and whole.features == 6


def test_polygons_are_simplified_for_the_zoom_and_valid(layers_database_url):
    engine = create_engine(sqlalchemy_url(layers_database_url))
    z = 8
    x, y = tile_of(*CHENGDU, z)
    with engine.connect() as connection:
        simplified = render_tile(connection, LAYERS["districts"], (), z, x, y)  # type: ignore[arg-type]
        full = render_tile(connection, replace(LAYERS["districts"], simplify=False), (), z, x, y)  # type: ignore[arg-type]
    engine.dispose()

    def shapes(data):
        return [
            shape(f["geometry"]) for f in mapbox_vector_tile.decode(data)["districts"]["features"]
        ]

    simple, detailed = shapes(simplified.data), shapes(full.data)
    assert len(simple) == len(detailed) > 10
    assert all(s.is_valid and not s.is_empty for s in simple)
    vertices = sum(
        len(s.exterior.coords)
        if s.geom_type == "Polygon"
        else sum(len(p.exterior.coords) for p in s.geoms)
        for s in simple
    )
    detailed_vertices = sum(
        len(s.exterior.coords)
        if s.geom_type == "Polygon"
        else sum(len(p.exterior.coords) for p in s.geoms)
        for s in detailed
    )
    assert vertices < detailed_vertices * 0.8  # simplified for zoom 8...
    assert len(simplified.data) < len(full.data)
    assert sum(s.area for s in simple) == pytest.approx(sum(s.area for s in detailed), rel=0.01)


def test_tile_answers_over_http(client, session):
    lon, lat = CHENGDU
    make_station(session, lon, lat, name="测试驿站")
    z = 14
    x, y = tile_of(lon, lat, z)
    url = f"/tiles/stations/{z}/{x}/{y}.mvt"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["vary"] == "Accept-Encoding"
    assert first.headers["cache-control"] == "no-cache"
    assert (
        first.headers["warmmap-cache"] == "miss" and first.headers["warmmap-tile-features"] == "1"
    )
    assert "warmmap-tile-capped" not in first.headers
    decoded = mapbox_vector_tile.decode(first.content)["stations"]["features"]
    assert [f["properties"]["name"] for f in decoded] == ["测试驿站"]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.headers["warmmap-cache"] == "hit" and "content-encoding" not in plain.headers
    assert plain.headers["etag"] != first.headers["etag"]
    for etag in (first.headers["etag"], plain.headers["etag"]):
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
    empty = client.get(f"/tiles/stations/{z}/{x + 3}/{y}.mvt")
    assert empty.status_code == 204 and empty.content == b"" and empty.headers["etag"]
    for bad, status, detail in [
        ("/tiles/nowhere/1/0/0.mvt", 404, "no layer 'nowhere'"),
        ("/tiles/stations/2/0/0.mvt", 404, "zoom 4 to 16"),
        (f"/tiles/stations/{z}/{2**z}/0.mvt", 404, "does not exist"),
        (f"/tiles/gaps/{z}/{x}/{y}.mvt?threshold_m=0", 422, "threshold_m: must be between"),
        (f"/tiles/stations/{z}/{x}/{y}.mvt?res=9", 422, "res: layer stations takes no parameters"),
        (f"/tiles/gaps/{z}/{x}/{y}.mvt?res=nine", 422, "res"),
    ]:
        response = client.get(bad)
        assert response.status_code == status and detail in response.json()["detail"], bad


def test_tilejson_and_the_ogc_tileset_describe_the_same_layer(client, session):
    make_station(session, *CHENGDU)
    document = client.get("/tiles/gaps.json?threshold_m=500").json()
    assert document["tiles"][0].endswith("/tiles/gaps/{z}/{x}/{y}.mvt?threshold_m=500")
    assert document["vector_layers"][0]["feature_cap"] == 10_000
    tileset = client.get("/ogc/collections/stations/tiles/WebMercatorQuad").json()
    template = next(link for link in tileset["links"] if link["rel"] == "item")
    assert template["templated"] and "{tileMatrix}/{tileRow}/{tileCol}" in template["href"]
    z = 14
    x, y = tile_of(*CHENGDU, z)
    ogc = client.get(f"/ogc/collections/stations/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert ogc.content == client.get(f"/tiles/stations/{z}/{x}/{y}.mvt").content
    limits = {limit["tileMatrix"]: limit for limit in tileset["tileMatrixSetLimits"]}
    assert limits["14"]["minTileCol"] <= x <= limits["14"]["maxTileCol"]
    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert tms["id"] == tms["identifier"] == "WebMercatorQuad" and len(tms["tileMatrices"]) == 25


def test_items_pages_filters_and_single_features(client, session):
    lon, lat = CHENGDU
    ids = [make_station(session, lon + i * 0.001, lat, kind="warm_station" if i % 2 else "youth_station",
                        amenities=["charging"] if i < 5 else ["water"]).id for i in range(12)]  # fmt: skip
    page = client.get("/ogc/collections/stations/items", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"] == "application/geo+json"
    body = page.json()
    assert (
        body["numberReturned"] == 10 and body["numberMatched"] == 12 and body["numberMatchedExact"]
    )
    assert [f["id"] for f in body["features"]] == sorted(ids)[:10]
    following = next(link["href"] for link in body["links"] if link["rel"] == "next")
    rest = client.get(following).json()
    assert [f["id"] for f in rest["features"]] == sorted(ids)[10:]
    assert not [link for link in rest["links"] if link["rel"] == "next"]
    assert any(link["rel"] == "prev" for link in rest["links"])
    warm = client.get("/ogc/collections/stations/items?kind=warm_station&limit=100").json()
    assert warm["numberMatched"] == 6
    charging = client.get("/ogc/collections/stations/items?amenities=charging&limit=100").json()
    assert {f["id"] for f in charging["features"]} == set(sorted(ids)[:5])
    cql = client.get(
        "/ogc/collections/stations/items",
        params={
            "filter": "kind = 'youth_station' AND S_INTERSECTS(geometry, BBOX(104.0655,30.6,104.0705,30.7))"
        },
    ).json()
    expected = [i for n, i in enumerate(sorted(ids)) if n % 2 == 0 and lon + n * 0.001 <= 104.0705]
    assert sorted(f["id"] for f in cql["features"]) == expected
    one = client.get(f"/ogc/collections/stations/items/{ids[3]}")
    assert one.status_code == 200 and one.json()["id"] == ids[3]
    assert client.get("/ogc/collections/stations/items/999999999").status_code == 404
    assert client.get("/ogc/collections/stations/items/abc").status_code == 404
    bad = client.get("/ogc/collections/stations/items?limit=none")
    assert bad.status_code == 400 and bad.json() == {
        "detail": "limit: must be an integer, got 'none'"
    }


def test_number_matched_is_an_estimate_on_a_big_match_and_says_so(client, session):
    session.execute(
        text(
            "INSERT INTO outlets (source, external_id, name, kind, riders, geom) "
            "SELECT 'big', 'o' || g, 'o' || g, 'express', g % 30, "
            "ST_SetSRID(ST_MakePoint(103.5 + (g % 300) * 0.003, 30.2 + (g / 300) * 0.004), 4326) "
            "FROM generate_series(1, 60000) AS g"
        )
    )
    session.execute(text("ANALYZE outlets"))
    body = client.get("/ogc/collections/outlets/items?limit=5").json()
    assert body["numberMatchedExact"] is False
    assert 0.8 * 60000 < body["numberMatched"] < 1.2 * 60000
    assert any(link["rel"] == "next" for link in body["links"])
    small = client.get("/ogc/collections/outlets/items?limit=5&bbox=103.5,30.2,103.52,30.21").json()
    assert small["numberMatchedExact"] is True  # the planner expects few: counted exactly
    exact = session.execute(
        text(
            "SELECT count(*) FROM outlets WHERE ST_Intersects(geom, ST_MakeEnvelope(103.5,30.2,103.52,30.21,4326))"
        )
    ).scalar_one()
    assert small["numberMatched"] == exact


def test_changes_are_read_whatever_order_their_transactions_commit_in(layers_database_url):
    engine = create_engine(sqlalchemy_url(layers_database_url))
    insert = text(
        "INSERT INTO data_changes (layer, area, extent, rows) "
        "VALUES ('test_layer', :area, ST_MakeEnvelope(0, 0, 1, 1, 4326), 1) RETURNING id"
    )
    with engine.connect() as reader:
        reader = reader.execution_options(isolation_level="AUTOCOMMIT")
        from sqlalchemy.orm import Session

        with Session(bind=reader) as session:
            snapshot = snapshot_now(session)
            first, second = engine.connect(), engine.connect()
            early = first.execute(insert, {"area": "early"}).scalar_one()  # a lower id...
            late = second.execute(insert, {"area": "late"}).scalar_one()
            second.commit()  # ...committed later
            seen, snapshot = changes_since(session, snapshot)
            assert [c.id for c in seen if c.layer == "test_layer"] == [late]
            first.commit()
            seen, snapshot = changes_since(session, snapshot)
            assert [c.id for c in seen if c.layer == "test_layer"] == [early] and early < late
            seen, _ = changes_since(session, snapshot)
            assert not [c for c in seen if c.layer == "test_layer"]
            first.close()
            second.close()
        reader.execute(text("DELETE FROM data_changes WHERE layer = 'test_layer'"))
    engine.dispose()


def test_community_figures_in_items_and_tiles_are_those_of_coverage_communities(client, session):
    build_city(session)
    for threshold in (300, 1500):
        areas = client.get(
            "/coverage/communities", params={"city": CITY, "threshold_m": threshold}
        ).json()["areas"]
        expected = {a["adcode"]: (a["outlets"], a["riders"], a["covered_riders"]) for a in areas}
        page = client.get(
            "/ogc/collections/communities/items", params={"threshold_m": threshold, "limit": 1000}
        ).json()
        found = {
            f["id"]: (
                f["properties"]["outlets"],
                f["properties"]["riders"],
                f["properties"]["covered_riders"],
            )
            for f in page["features"]
        }
        assert found == expected and any(v[2] for v in found.values())
        z = 13
        x, y = tile_of(104.05, 30.64, z)
        tile = client.get(f"/tiles/communities/{z}/{x}/{y}.mvt", params={"threshold_m": threshold})
        decoded = mapbox_vector_tile.decode(tile.content)["communities"]["features"]
        in_tile = {f["properties"]["adcode"]: f["properties"]["covered_riders"] for f in decoded}
        assert in_tile and all(expected[code][2] == riders for code, riders in in_tile.items())
