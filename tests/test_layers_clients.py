"""Real clients against a running server: decoded tiles, TileJSON, OWSLib, GDAL (OAPIF, OGCAPI).

The server is ``uvicorn`` on the demo loaded through the ETL (``tests/layers_fixtures.py``);
every answer is checked against the database.
"""

import json
import subprocess
from pathlib import Path

import httpx2 as httpx
import mapbox_vector_tile
import pyogrio
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from owslib.ogcapi.features import Features
from shapely.geometry import box, shape
from sqlalchemy import create_engine, text

from geo_api.database import sqlalchemy_url
from tiles.grid import tile_of
from tiles.layers import LAYERS

SCHEMA = Path(__file__).parent / "fixtures" / "layers" / "tilejson-3.0.0.schema.json"
CENTRE = (104.066, 30.657)  # Tianfu Square, Chengdu
ZOOMS = (10, 12, 14, 16)

# Features of a layer whose geometry meets tile z/x/y itself (not only its buffer), by SQL of
# its own: the stored geometry against the tile envelope transformed to 4326.
IN_TILE = {
    "stations": "SELECT count(*) FROM stations s WHERE {meets}",
    "outlets": "SELECT count(*) FROM outlets s WHERE {meets}",
    "gaps": "SELECT count(*) FROM coverage_cells s WHERE s.res = 9 AND s.riders > 0"
    " AND (s.nearest_station_m IS NULL OR s.nearest_station_m > 1000) AND {meets}",
    "communities": "SELECT count(*) FROM admin_areas s WHERE s.level = 'community' AND {meets}",
    "streets": "SELECT count(*) FROM admin_areas s WHERE s.level = 'street' AND {meets}",
    "districts": "SELECT count(*) FROM admin_areas s WHERE s.level = 'district' AND {meets}",
}
MEETS = "ST_Intersects(s.geom, ST_Transform(ST_TileEnvelope(:z, :x, :y), 4326))"


@pytest.fixture(scope="module")
def db(layers_database_url):
    engine = create_engine(sqlalchemy_url(layers_database_url))
    yield engine
    engine.dispose()


def scalar(db, sql, **params):
    with db.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data)


def meets(feature: dict, low: float, high: float) -> bool:
    """Whether a decoded feature's geometry meets the square [low, high] of tile units."""
    return shape(feature["geometry"]).intersects(box(low, low, high, high))


def get_tile(base: str, layer: str, z: int, x: int, y: int) -> tuple[int, dict]:
    response = httpx.get(
        f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code in (200, 204), response.text
    if response.status_code == 204:
        return 204, {}
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert response.headers["content-encoding"] == "gzip"
    return 200, decode(response.content)  # httpx has already undone the gzip


@pytest.mark.parametrize("layer", list(IN_TILE))
def test_decoded_tiles_hold_what_sql_finds_at_several_zooms(layers_server, db, layer):
    found_any = 0
    for z in ZOOMS:
        if not LAYERS[layer].minzoom <= z <= LAYERS[layer].maxzoom:
            continue
        x, y = tile_of(*CENTRE, z)
        _, layers = get_tile(layers_server, layer, z, x, y)
        features = layers.get(layer, {"features": []})["features"]
        expected = scalar(db, IN_TILE[layer].format(meets=MEETS), z=z, x=x, y=y)
        # Coordinates are snapped to whole units: a feature within one unit of the tile's
        # edge may fall on either side of it.
        inside = sum(meets(f, 1, 4095) for f in features)
        around = sum(meets(f, -1, 4097) for f in features)
        assert inside <= expected <= around, (layer, z, inside, expected, around)
        assert around - inside <= max(2, expected // 50), (layer, z)
        if LAYERS[layer].geometry_type == "Point":  # and every point of the buffer is there
            buffered = IN_TILE[layer].format(
                meets=MEETS.replace("(:z, :x, :y)", "(:z, :x, :y, margin => 0.0625)")
            )
            assert len(features) == scalar(db, buffered, z=z, x=x, y=y)
        names = {name for f in features for name in f["properties"]}
        assert names <= set(LAYERS[layer].property_index), names
        found_any += expected
    assert found_any > 0, f"no {layer} near the centre of Chengdu: the check proves nothing"


def test_tile_properties_are_the_rows(layers_server, db):
    z = 15
    x, y = tile_of(*CENTRE, z)
    _, layers = get_tile(layers_server, "outlets", z, x, y)
    features = layers["outlets"]["features"]
    assert features
    with db.connect() as connection:
        rows = {
            r.id: r
            for r in connection.execute(
                text("SELECT id, name, riders, kind FROM outlets WHERE id = ANY(:ids)"),
                {"ids": [f["id"] for f in features]},
            )
        }
    for feature in features:
        row = rows[feature["id"]]
        assert feature["properties"]["name"] == row.name
        assert feature["properties"]["riders"] == row.riders
        assert feature["properties"]["kind"] == row.kind


def test_tilejson_validates_and_its_urls_answer(layers_server):
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    for layer in LAYERS.values():
        document = httpx.get(f"{layers_server}/tiles/{layer.id}.json").json()
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, [e.message for e in errors]
        assert set(document["vector_layers"][0]["fields"]) == set(layer.property_index)
        z = max(layer.minzoom, 12)
        x, y = tile_of(*CENTRE, z)
        url = (
            document["tiles"][0]
            .replace("{z}", str(z))
            .replace("{x}", str(x))
            .replace("{y}", str(y))
        )
        assert httpx.get(url).status_code in (200, 204)


def test_openapi_definition_is_valid_openapi_30(layers_server):
    landing = httpx.get(f"{layers_server}/ogc").json()
    desc = next(link for link in landing["links"] if link["rel"] == "service-desc")
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    response = httpx.get(desc["href"])
    assert response.headers["content-type"] == desc["type"]
    document = response.json()
    assert document["openapi"].startswith("3.0")
    validate_openapi(document)


COUNTS = {
    "stations": "SELECT count(*) FROM stations",
    "outlets": "SELECT count(*) FROM outlets",
    "gaps": "SELECT count(*) FROM coverage_cells WHERE res = 9 AND riders > 0"
    " AND (nearest_station_m IS NULL OR nearest_station_m > 1000)",
    "communities": "SELECT count(*) FROM admin_areas WHERE level = 'community'",
    "streets": "SELECT count(*) FROM admin_areas WHERE level = 'street'",
    "districts": "SELECT count(*) FROM admin_areas WHERE level = 'district'",
}


def test_owslib_reads_every_collection(layers_server, db):
    api = Features(f"{layers_server}/ogc")
    assert {c["id"] for c in api.collections()["collections"]} == set(LAYERS)
    for layer_id, sql in COUNTS.items():
        expected = scalar(db, sql)
        assert expected > 0
        page = api.collection_items(layer_id, limit=10_000)
        assert page["numberMatched"] == expected and page["numberMatchedExact"] is True
        assert page["numberReturned"] == len(page["features"]) == min(expected, 10_000)
        assert set(api.collection_queryables(layer_id)["properties"]) == {
            "geometry",
            *LAYERS[layer_id].property_index,
        }
    stations = api.collection_items("stations", limit=50, kind="rider_center")
    with db.connect() as connection:
        rows = {
            r.id: r for r in connection.execute(text("SELECT id, name, kind, status FROM stations"))
        }
    assert stations["features"]
    for feature in stations["features"]:
        row = rows[feature["id"]]
        assert feature["properties"]["kind"] == "rider_center" == row.kind
        assert feature["properties"]["name"] == row.name


def ogr2ogr_geojson(layers_server: str, layer: str, *where: str) -> dict:
    done = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{layers_server}/ogc", layer,
         "-oo", "PAGE_SIZE=1000", "-preserve_fid", *where],
        capture_output=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_gdal_oapif_reads_collections_that_agree_with_the_database(layers_server, db):
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{layers_server}/ogc", "outlets"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert info.returncode == 0, info.stderr
    assert f"Feature Count: {scalar(db, COUNTS['outlets'])}" in info.stdout
    outlets = ogr2ogr_geojson(layers_server, "outlets")["features"]
    with db.connect() as connection:
        rows = {
            r.id: r
            for r in connection.execute(
                text(
                    "SELECT id, name, riders, brand, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM outlets"
                )
            )
        }
    assert len(outlets) == len(rows)
    by_id = {f["id"]: f for f in outlets}
    assert set(by_id) == set(rows)
    for outlet_id, feature in by_id.items():
        row = rows[outlet_id]
        assert feature["properties"]["name"] == row.name
        assert feature["properties"]["riders"] == row.riders
        lon, lat = feature["geometry"]["coordinates"]
        assert abs(lon - row.lon) < 1e-6 and abs(lat - row.lat) < 1e-6


def test_gdal_oapif_communities_carry_the_coverage_figures(layers_server, db):
    communities = ogr2ogr_geojson(layers_server, "communities")["features"]
    with db.connect() as connection:
        rows = connection.execute(
            text(
                """
                SELECT a.adcode, count(o.id) AS outlets, coalesce(sum(o.riders), 0) AS riders,
                       coalesce(sum(o.riders) FILTER (WHERE EXISTS (
                           SELECT 1 FROM stations s WHERE s.status = 'open'
                             AND ST_DWithin(s.geom::geography, o.geom::geography, 1000))), 0)
                         AS covered_riders
                FROM admin_areas a LEFT JOIN outlets o ON ST_Covers(a.geom, o.geom)
                WHERE a.level = 'community' GROUP BY a.adcode
                """
            )
        ).all()
    expected = {r.adcode: r for r in rows}
    assert len(communities) == len(expected)
    for feature in communities:
        p = feature["properties"]
        row = expected[p["adcode"]]
        assert (p["outlets"], p["riders"], p["covered_riders"]) == (
            row.outlets,
            row.riders,
            row.covered_riders,
        )


def test_paging_through_next_links_returns_every_feature_once(layers_server, db):
    seen: list[int] = []
    url = f"{layers_server}/ogc/collections/outlets/items?limit=137&bbox=103.5,30.2,104.6,31.2"
    pages = 0
    while url:
        page = httpx.get(url).json()
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        pages += 1
    expected = scalar(
        db,
        "SELECT count(*) FROM outlets WHERE ST_Intersects(geom, ST_MakeEnvelope(103.5, 30.2, 104.6, 31.2, 4326))",
    )
    assert len(seen) == len(set(seen)) == expected > 137
    assert pages == -(-expected // 137)


def test_gdal_ogcapi_driver_reads_the_vector_tiles(layers_server, db):
    # Debian 12's GDAL 3.6 is built without the OGCAPI driver's vector tiles; pyogrio ships a
    # GDAL that has them. GDAL takes the collection's CRS84 extent for tile matrix units when
    # it reads vector tiles, so the extent is given in EPSG:3857 (open options MINX...).
    url = f"OGCAPI:{layers_server}/ogc/collections/stations"
    west, south, east, north = 11_580_000.0, 3_586_000.0, 11_590_000.0, 3_596_000.0
    extent = {"MINX": str(west), "MINY": str(south), "MAXX": str(east), "MAXY": str(north)}
    frame = pyogrio.read_dataframe(url, layer="Zoom level 14", **extent)
    read = set(frame["mvt_id"].astype(int))
    with db.connect() as connection:
        inside = set(
            connection.execute(
                text(
                    "SELECT id FROM stations WHERE ST_Intersects(ST_Transform(geom, 3857), "
                    "ST_MakeEnvelope(:w, :s, :e, :n, 3857))"
                ),
                {"w": west, "s": south, "e": east, "n": north},
            ).scalars()
        )
    assert inside and inside <= read
