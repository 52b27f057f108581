"""Against running servers: no personal data in any layer; edits reach tiles, and only theirs.

Two uvicorn processes serve the same database, as two workers would: each has its own tile
cache, and what each drops comes from the ``data_changes`` log, never from the other.
"""

import json

import httpx2 as httpx
import mapbox_vector_tile
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from geo_api.auth import create_key
from geo_api.database import sqlalchemy_url
from tests.layers_fixtures import start_server, stop_server
from tiles.grid import tile_of
from tiles.layers import LAYERS

CHENGDU_CENTRE = (104.066, 30.657)
PUDONG_CENTRE = (121.544, 31.221)


def strings(value: object) -> list[str]:
    """Every string inside a decoded tile, a JSON document or a value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in strings(item)]
    return [str(value)] if isinstance(value, int | float) else []


def inside(texts: list[str], words: set[str]) -> set[str]:
    """The words that occur anywhere inside any of ``texts`` (every substring of their lengths)."""
    lengths = {len(w) for w in words}
    found = set()
    for t in set(texts):
        for n in lengths:
            found |= {t[i : i + n] for i in range(len(t) - n + 1)} & words
    return found


def leaks(texts: list[str], liaisons: tuple[set[str], set[str]]) -> set[str]:
    """The liaisons' phones found inside any text, and their names found as a text or inside
    one. A name of two characters is looked for as a whole value only: inside other text it
    would match place names ("锦江" in "锦江区") without being anyone's."""
    names, phones = liaisons
    long_names = {n for n in names if len(n) >= 3}
    return inside(texts, phones | long_names) | (set(texts) & names)


def test_no_layer_tile_item_or_queryable_carries_a_liaison(layers_server, liaison_words):
    names, phones = liaison_words
    phone, name = next(iter(phones)), next(iter(names))
    assert leaks([f"tel {phone}", name], liaison_words) == {phone, name}  # it finds leaks
    seen_tiles = seen_items = 0
    for layer in LAYERS.values():
        texts: list[str] = []
        for centre in (CHENGDU_CENTRE, PUDONG_CENTRE):
            for z in range(max(layer.minzoom, 10), min(layer.maxzoom, 16) + 1, 2):
                x, y = tile_of(*centre, z)
                response = httpx.get(f"{layers_server}/tiles/{layer.id}/{z}/{x}/{y}.mvt")
                if response.status_code == 200:
                    decoded = mapbox_vector_tile.decode(response.content)
                    seen_tiles += sum(len(v["features"]) for v in decoded.values())
                    texts += strings(
                        {k: [f["properties"] for f in v["features"]] for k, v in decoded.items()}
                    )
        page = httpx.get(f"{layers_server}/ogc/collections/{layer.id}/items?limit=10000").json()
        seen_items += len(page["features"])
        texts += strings(page)
        for path in ("", "/queryables", "/tiles/WebMercatorQuad"):
            texts += strings(httpx.get(f"{layers_server}/ogc/collections/{layer.id}{path}").json())
        texts += strings(httpx.get(f"{layers_server}/tiles/{layer.id}.json").json())
        assert not leaks(texts, liaison_words), layer.id
    # the scan looked at thousands of features, in Chengdu where the liaisons are
    assert seen_tiles > 1000 and seen_items > 5000


@pytest.fixture
def planner_key(layers_database_url):
    engine = create_engine(sqlalchemy_url(layers_database_url))
    with Session(engine) as session:
        key = create_key(session, "layers test", "planner", [])
        session.commit()
    engine.dispose()
    return key


@pytest.fixture
def second_server(layers_database_url):
    process, base = start_server(layers_database_url)
    yield base
    stop_server(process)


def tile(base: str, layer: str, z: int, x: int, y: int, **params) -> httpx.Response:
    response = httpx.get(f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt", params=params)
    assert response.status_code == 200, response.text
    return response


def names(response: httpx.Response, layer: str) -> dict[int, str]:
    decoded = mapbox_vector_tile.decode(response.content)[layer]["features"]
    return {f["id"]: f["properties"]["name"] for f in decoded}


def test_a_station_edit_changes_its_tiles_in_every_worker_and_no_other_city(
    layers_server, second_server, layers_database_url, planner_key
):
    engine = create_engine(sqlalchemy_url(layers_database_url))
    with engine.connect() as connection:
        # an open station in Chengdu that alone reaches some outlet: closing it changes coverage
        station_id, lon, lat = connection.execute(
            text(
                """
                SELECT s.id, ST_X(s.geom), ST_Y(s.geom) FROM stations s
                WHERE s.status = 'open' AND s.district_adcode LIKE '5101%' AND EXISTS (
                    SELECT 1 FROM outlets o
                    WHERE ST_DWithin(o.geom::geography, s.geom::geography, 1000)
                      AND NOT EXISTS (
                          SELECT 1 FROM stations t WHERE t.id <> s.id AND t.status = 'open'
                            AND ST_DWithin(o.geom::geography, t.geom::geography, 1000)))
                ORDER BY s.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1
                """
            ),
            {"lon": CHENGDU_CENTRE[0], "lat": CHENGDU_CENTRE[1]},
        ).one()
    engine.dispose()
    here = (14, *tile_of(lon, lat, 14))
    pudong = (14, *tile_of(*PUDONG_CENTRE, 14))
    communities_here = (12, *tile_of(lon, lat, 12))
    communities_pudong = (12, *tile_of(*PUDONG_CENTRE, 12))

    before = {base: tile(base, "stations", *here) for base in (layers_server, second_server)}
    other = {base: tile(base, "stations", *pudong) for base in (layers_server, second_server)}
    coverage = tile(layers_server, "communities", *communities_here)
    coverage_pudong = tile(layers_server, "communities", *communities_pudong)
    for base in (layers_server, second_server):  # now cached in both
        assert tile(base, "stations", *pudong).headers["warmmap-cache"] == "hit"
        assert tile(base, "stations", *here).headers["warmmap-cache"] == "hit"
    assert tile(layers_server, "communities", *communities_pudong).headers["warmmap-cache"] == "hit"

    headers = {"X-API-Key": planner_key}
    edited = httpx.patch(
        f"{layers_server}/stations/{station_id}", json={"name": "改名的驿站"}, headers=headers
    )
    assert edited.status_code == 200, edited.text

    for base in (layers_server, second_server):
        after = tile(base, "stations", *here)
        assert after.headers["warmmap-cache"] == "miss"
        assert after.headers["etag"] != before[base].headers["etag"]
        assert names(after, "stations")[station_id] == "改名的驿站"
        assert (
            httpx.get(
                f"{base}/tiles/stations/{here[0]}/{here[1]}/{here[2]}.mvt",
                headers={"If-None-Match": before[base].headers["etag"]},
            ).status_code
            == 200
        )
        assert (
            httpx.get(
                f"{base}/tiles/stations/{here[0]}/{here[1]}/{here[2]}.mvt",
                headers={"If-None-Match": after.headers["etag"]},
            ).status_code
            == 304
        )
        same = tile(base, "stations", *pudong)
        assert same.headers["etag"] == other[base].headers["etag"]
        assert same.headers["warmmap-cache"] == "hit"

    # Closing the station changes the coverage of the communities around it, not Pudong's.
    closed = httpx.delete(f"{layers_server}/stations/{station_id}", headers=headers)
    assert closed.status_code == 200, closed.text
    changed = tile(second_server, "communities", *communities_here)
    assert changed.headers["etag"] != coverage.headers["etag"]
    kept = tile(layers_server, "communities", *communities_pudong)
    assert kept.headers["etag"] == coverage_pudong.headers["etag"]
    assert kept.headers["warmmap-cache"] == "hit"
    # and the figures are those of the database after the change
    page = httpx.get(
        f"{second_server}/ogc/collections/communities/items",
        params={"limit": 10000, "bbox": f"{lon - 0.02},{lat - 0.02},{lon + 0.02},{lat + 0.02}"},
    ).json()
    engine = create_engine(sqlalchemy_url(layers_database_url))
    with engine.connect() as connection:
        expected = dict(
            connection.execute(
                text(
                    """
                    SELECT a.adcode, coalesce(sum(o.riders) FILTER (WHERE EXISTS (
                        SELECT 1 FROM stations s WHERE s.status = 'open'
                          AND ST_DWithin(s.geom::geography, o.geom::geography, 1000))), 0)
                    FROM admin_areas a LEFT JOIN outlets o ON ST_Covers(a.geom, o.geom)
                    WHERE a.adcode = ANY(:codes) GROUP BY a.adcode
                    """
                ),
                {"codes": [f["id"] for f in page["features"]]},
            ).all()
        )
        connection.execute(
            text("UPDATE stations SET status = 'open' WHERE id = :id"), {"id": station_id}
        )
        connection.commit()
    engine.dispose()
    assert (
        page["features"]
        and {f["id"]: f["properties"]["covered_riders"] for f in page["features"]} == expected
    )
    assert json.dumps(page)  # a plain JSON document
