"""Calls of the map layers' operations for ``tests/test_answers_documented.py``.

Each is (method, path, a call that succeeds, calls that fail), on the test city's stations.
"""

from collections.abc import Callable
from typing import Any

from tiles.grid import tile_of

LON, LAT = 104.05, 30.64  # the documented answers' station
Z = 14
X, Y = tile_of(LON, LAT, Z)
WMQ = "WebMercatorQuad"
Call = Callable[[Any], Any]

LAYER_CALLS: list[tuple[str, str, Call, list[Call]]] = [
    ("GET", "/tiles", lambda w: w.client.get("/tiles"), []),
    (
        "GET",
        "/tiles/{layer}.json",
        lambda w: w.client.get("/tiles/gaps.json", params={"threshold_m": 500}),
        [lambda w: w.client.get("/tiles/nowhere.json"),
         lambda w: w.client.get("/tiles/gaps.json", params={"res": 40})],
    ),
    (
        "GET",
        "/tiles/{layer}/{z}/{x}/{y}.mvt",
        lambda w: w.client.get(f"/tiles/stations/{Z}/{X}/{Y}.mvt"),
        [lambda w: w.client.get("/tiles/stations/2/0/0.mvt"),
         lambda w: w.client.get(f"/tiles/communities/{Z}/{X}/{Y}.mvt", params={"threshold_m": -5})],
    ),
    ("GET", "/ogc", lambda w: w.client.get("/ogc"), [lambda w: w.client.get("/ogc?f=html")]),
    ("GET", "/ogc/conformance", lambda w: w.client.get("/ogc/conformance"), []),
    ("GET", "/ogc/api", lambda w: w.client.get("/ogc/api"), []),
    ("GET", "/ogc/collections", lambda w: w.client.get("/ogc/collections"), []),
    (
        "GET",
        "/ogc/collections/{collectionId}",
        lambda w: w.client.get("/ogc/collections/stations"),
        [lambda w: w.client.get("/ogc/collections/liaisons")],
    ),
    (
        "GET",
        "/ogc/collections/{collectionId}/queryables",
        lambda w: w.client.get("/ogc/collections/communities/queryables"),
        [lambda w: w.client.get("/ogc/collections/nowhere/queryables")],
    ),
    (
        "GET",
        "/ogc/collections/{collectionId}/items",
        lambda w: w.client.get("/ogc/collections/stations/items", params={"limit": 2}),
        [lambda w: w.client.get("/ogc/collections/stations/items", params={"limit": "x"}),
         lambda w: w.client.get("/ogc/collections/nowhere/items")],
    ),
    (
        "GET",
        "/ogc/collections/{collectionId}/items/{featureId}",
        lambda w: w.client.get(f"/ogc/collections/stations/items/{w.station_id}"),
        [lambda w: w.client.get("/ogc/collections/stations/items/987654321")],
    ),
    (
        "GET",
        "/ogc/collections/{collectionId}/tiles",
        lambda w: w.client.get("/ogc/collections/outlets/tiles"),
        [lambda w: w.client.get("/ogc/collections/nowhere/tiles")],
    ),
    (
        "GET",
        "/ogc/collections/{collectionId}/tiles/{tileMatrixSetId}",
        lambda w: w.client.get(f"/ogc/collections/stations/tiles/{WMQ}"),
        [lambda w: w.client.get("/ogc/collections/stations/tiles/WorldCRS84Quad")],
    ),
    (
        "GET",
        "/ogc/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        lambda w: w.client.get(f"/ogc/collections/stations/tiles/{WMQ}/{Z}/{Y}/{X}"),
        [lambda w: w.client.get(f"/ogc/collections/stations/tiles/{WMQ}/x/{Y}/{X}"),
         lambda w: w.client.get(f"/ogc/collections/gaps/tiles/{WMQ}/{Z}/{Y}/{X}?res=2")],
    ),
    ("GET", "/ogc/tileMatrixSets", lambda w: w.client.get("/ogc/tileMatrixSets"), []),
    (
        "GET",
        "/ogc/tileMatrixSets/{tileMatrixSetId}",
        lambda w: w.client.get(f"/ogc/tileMatrixSets/{WMQ}"),
        [lambda w: w.client.get("/ogc/tileMatrixSets/LINZAntarticaMapTilegrid")],
    ),
]  # fmt: skip
