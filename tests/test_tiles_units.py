"""The pieces of the map layers that need no database: grid, parameters, answers, cache, CQL2."""

import gzip
from dataclasses import replace

import morecantile
import pytest

from geo_api.errors import BadRequest, InvalidInput, NotFound
from tiles.answers import accepts_gzip, compress, etag_of, matches, tile_answer
from tiles.cache import Entry, TileCache
from tiles.changes import Change
from tiles.grid import check_tile, tile_box, tile_of, tiles_covering, widen
from tiles.layers import LAYERS, PARAMETER_NAMES
from tiles.ogc.cql import FilterSQL, parse_filter
from tiles.ogc.query import parse_bbox, parse_items_query
from tiles.params import parse_parameters, query_string
from tiles.registry import Layer, Property, registry

WMQ = morecantile.tms.get("WebMercatorQuad")
CHENGDU = (104.066, 30.657)
PUDONG = (121.544, 31.221)


@pytest.mark.parametrize("z", [4, 10, 16])
def test_tile_arithmetic_agrees_with_morecantile(z):
    x, y = tile_of(*CHENGDU, z)
    found = WMQ.tile(*CHENGDU, z)
    assert (found.x, found.y) == (x, y)
    bounds = WMQ.bounds(morecantile.Tile(x, y, z))
    assert tile_box(z, x, y) == pytest.approx(
        (bounds.left, bounds.bottom, bounds.right, bounds.top), abs=1e-9
    )


def test_tiles_outside_the_matrix_or_the_zooms_are_not_found():
    stations = LAYERS["stations"]
    with pytest.raises(NotFound, match="zoom 4 to 16, not 3"):
        check_tile(stations, 3, 0, 0)
    with pytest.raises(NotFound, match="x and y run from 0 to 1023"):
        check_tile(stations, 10, 1024, 3)


def test_parameters_are_checked_defaulted_and_named():
    gaps = LAYERS["gaps"]
    assert parse_parameters(gaps, {}, PARAMETER_NAMES) == (1000.0, 9)
    assert parse_parameters(gaps, {"res": "8", "threshold_m": "500"}, PARAMETER_NAMES) == (500.0, 8)
    with pytest.raises(InvalidInput, match="res: must be an integer"):
        parse_parameters(gaps, {"res": "8.5"}, PARAMETER_NAMES)
    with pytest.raises(InvalidInput, match="threshold_m: must be between 1 and 100000"):
        parse_parameters(gaps, {"threshold_m": "-1"}, PARAMETER_NAMES)
    with pytest.raises(BadRequest, match="threshold_m: layer stations takes no parameters"):
        parse_parameters(LAYERS["stations"], {"threshold_m": "5"}, PARAMETER_NAMES, BadRequest)
    assert query_string(gaps, (1000.0, 9)) == ""
    assert query_string(gaps, (1500.5, 8)) == "?threshold_m=1500.5&res=8"


def test_registry_refuses_a_property_named_like_a_parameter_and_twice_the_same_layer():
    communities = LAYERS["communities"]
    clash = Property("threshold_m", "c.adcode", "string", "clash")
    with pytest.raises(ValueError, match="is a property and a parameter"):
        replace(communities, properties=(*communities.properties, clash))
    with pytest.raises(ValueError, match="declared twice"):
        registry(LAYERS["stations"], LAYERS["stations"])
    assert isinstance(communities, Layer)


def test_conditional_answers_gzip_and_empty_tiles():
    data = b"\x1a\x05tiles"
    entry = Entry(data, etag_of(data), features=3, capped=True)
    plain = tile_answer(entry, False, None, None, 0)
    assert (plain.status, plain.body, plain.headers["ETag"]) == (200, data, f'"{entry.etag}"')
    assert plain.headers["Warmmap-Tile-Capped"] == "true"
    assert plain.headers["Cache-Control"] == "no-cache"
    zipped = tile_answer(entry, True, None, compress(data), 60)
    assert gzip.decompress(zipped.body) == data
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"] == f'"{entry.etag}-gzip"' != plain.headers["ETag"]
    assert zipped.headers["Cache-Control"] == "public, max-age=60"
    assert zipped.headers["Warmmap-Cache"] == "hit"
    for tag in (plain.headers["ETag"], zipped.headers["ETag"], f"W/{plain.headers['ETag']}", "*"):
        assert tile_answer(entry, True, f'"other", {tag}', None, 0).status == 304
    assert tile_answer(entry, True, '"other"', None, 0).status == 200
    empty = tile_answer(Entry(b"", etag_of(b""), 0, False), False, None, None, 0)
    assert (empty.status, empty.body) == (204, b"")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8") and not accepts_gzip("gzip;q=0")
    assert not accepts_gzip(None) and matches('"a-gzip"', "a")
    assert compress(data) == compress(data)  # no timestamp: the same bytes every time


def cache_with(*keys):
    cache = TileCache(LAYERS, 10_000_000)
    for key in keys:
        assert cache.put(key, Entry(b"x", "e", 1, False), cache.generation)
    return cache


def point_change(layer, lon, lat):
    return Change(1, layer, "", (lon, lat, lon, lat))


def test_a_change_drops_only_the_tiles_it_touches_in_the_layers_that_depend_on_it():
    here = ("stations", (), 14, *tile_of(*CHENGDU, 14))
    there = ("stations", (), 14, *tile_of(*PUDONG, 14))
    area = ("communities", (1000.0,), 12, *tile_of(*CHENGDU, 12))
    outlets_here = ("outlets", (), 14, *tile_of(*CHENGDU, 14))
    cache = cache_with(here, there, area, outlets_here)
    assert cache.invalidate([point_change("stations", *CHENGDU)]) == 2
    assert cache.get(here) is None and cache.get(area) is None
    assert cache.get(there) is not None and cache.get(outlets_here) is not None
    # a change without an extent may be anywhere: every tile of the layers depending on it
    assert cache.invalidate([Change(2, "outlets", "", None)]) == 1
    assert cache.get(there) is not None


def test_a_station_change_reaches_communities_within_the_threshold():
    lon, lat = CHENGDU
    z = 14
    x, y = tile_of(lon, lat, z)
    west, _south, east, _north = tile_box(z, x, y)
    near = (east + (east - west) * 0.1, lat)  # just east of the tile and its buffer
    cache = cache_with(("communities", (1000.0,), z, x, y), ("communities", (10.0,), z, x, y))
    cache.invalidate([point_change("stations", *near)])
    assert cache.get(("communities", (1000.0,), z, x, y)) is None  # within 1,000 m
    assert cache.get(("communities", (10.0,), z, x, y)) is not None  # not within 10 m


def test_a_tile_rendered_while_its_change_was_read_is_not_kept():
    key = ("stations", (), 14, *tile_of(*CHENGDU, 14))
    cache = TileCache(LAYERS, 10_000_000)
    started = cache.generation
    cache.invalidate([point_change("stations", *CHENGDU)])  # seen while the tile rendered
    assert not cache.put(key, Entry(b"x", "e", 1, False), started)
    assert cache.put(key, Entry(b"x", "e", 1, False), cache.generation)
    elsewhere = ("stations", (), 14, *tile_of(*PUDONG, 14))
    started = cache.generation
    cache.invalidate([point_change("stations", *CHENGDU)])
    assert cache.put(elsewhere, Entry(b"x", "e", 1, False), started)


def test_the_cache_keeps_to_its_bytes_least_recently_used_first():
    cache = TileCache(LAYERS, 3 * (1000 + 300))
    keys = [("stations", (), 14, i, 0) for i in range(4)]
    for key in keys[:3]:
        cache.put(key, Entry(b"x" * 1000, "e", 1, False), cache.generation)
    cache.get(keys[0])
    cache.put(keys[3], Entry(b"x" * 1000, "e", 1, False), cache.generation)
    assert cache.get(keys[1]) is None and cache.get(keys[0]) is not None
    assert cache.bytes <= cache.max_bytes
    assert not TileCache(LAYERS, 0).put(keys[0], Entry(b"x", "e", 1, False), 0)


def test_widening_a_box_by_metres():
    _west, _south, east, north = widen((104.0, 30.0, 104.0, 30.0), 1000)
    assert 0.0089 < north - 30.0 < 0.0092 and 0.0103 < east - 104.0 < 0.0106
    assert (
        tiles_covering((103.9, 30.5, 104.2, 30.8), 10)[0]
        < tiles_covering((103.9, 30.5, 104.2, 30.8), 10)[2]
    )


def test_cql2_becomes_sql_with_bind_parameters_only():
    translated = FilterSQL(LAYERS["outlets"])
    sql = translated.condition(
        parse_filter("riders > 10 AND name LIKE '%站' OR kind IN ('express')", "cql2-text")
    )
    assert sql == "(((c.riders > :q0) AND (c.name LIKE :q1)) OR (c.kind IN (:q2)))"
    assert translated.binds == {"q0": 10, "q1": "%站", "q2": "express"}
    hostile = FilterSQL(LAYERS["outlets"])
    sql = hostile.condition(parse_filter("name = 'x; DROP TABLE outlets; --'", "cql2-text"))
    assert "DROP" not in sql and "DROP TABLE" in hostile.binds["q0"]
    with pytest.raises(BadRequest, match="'phone' is not a queryable of outlets"):
        FilterSQL(LAYERS["outlets"]).condition(parse_filter("phone = '1'", "cql2-text"))
    with pytest.raises(BadRequest, match="not valid cql2-text"):
        parse_filter("riders >", "cql2-text")
    spatial = FilterSQL(LAYERS["stations"])
    json_filter = (
        '{"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [104, 30, 105, 31]}]}'
    )
    assert spatial.condition(parse_filter(json_filter, "cql2-json")).startswith(
        "ST_Intersects(c.geom"
    )


def test_items_queries_are_checked_with_400():
    outlets = LAYERS["outlets"]
    query = parse_items_query(
        outlets, {"limit": "20000", "kind": "express", "riders": "5"}, PARAMETER_NAMES
    )
    assert query.limit == 10_000 and len(query.equals) == 2
    for bad, detail in [
        ({"limit": "0"}, "limit: must be at least 1"),
        ({"offset": "-1"}, "offset: must be at least 0"),
        ({"bbox": "1,2,3"}, "bbox: must be 4 or 6 numbers"),
        ({"bbox": "104,31,105,30"}, "south <= north"),
        ({"colour": "red"}, "colour: unknown parameter"),
        ({"riders": "many"}, "riders: must be a number"),
        ({"f": "html"}, "f: only json"),
        ({"bbox-crs": "EPSG:3857"}, "bbox-crs: only"),
        ({"filter-lang": "ecql"}, "filter-lang"),
    ]:
        with pytest.raises(BadRequest, match=detail):
            parse_items_query(outlets, bad, PARAMETER_NAMES)
    assert parse_bbox("170,-10,-170,10") == (170.0, -10.0, -170.0, 10.0)  # across the antimeridian
