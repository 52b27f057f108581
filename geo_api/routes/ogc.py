"""OGC API - Features and Tiles over the map layers, under ``/ogc``.

JSON by default whatever the Accept header says; invalid query parameters answer 400, as the
standards ask (warmmap's own endpoints answer 422).
"""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from geo_api.dependencies import MapLayersDep, ReadSessionDep, WriteSessionDep
from geo_api.errors import BadRequest, NotFound
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from geo_api.routes.tiles import TILE_DESCRIPTION, TILE_RESPONSES, base_url, tile_response
from tiles.layers import LAYERS, PARAMETER_NAMES
from tiles.ogc import documents, features, tilesets
from tiles.ogc.links import GEOJSON, JSON, OPENAPI, SCHEMA, WEB_MERCATOR_QUAD, PageLinks, link
from tiles.ogc.openapi import openapi
from tiles.ogc.query import check_format, parse_items_query
from tiles.ogc.schemas import (
    Collection,
    Collections,
    Conformance,
    Document,
    ItemFeature,
    ItemsPage,
    LandingPage,
)
from tiles.params import parse_parameters
from tiles.registry import Layer, find_layer

router = APIRouter(
    prefix="/ogc", tags=["OGC API"], responses=error_responses(503), route_class=DocumentedRoute
)

CollectionId = Annotated[str, Path(description=", ".join(LAYERS))]
Errors = error_responses(400)
PathErrors = error_responses(400, 404, 422)
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON: {}}, "description": "GeoJSON"},
    **error_responses(400, 404, 422),
}


def json_response(body: object, media_type: str = JSON) -> Response:
    """Return ``body`` serialised, typed ``media_type``."""
    return Response(orjson.dumps(body), media_type=media_type)


def query_of(request: Request) -> dict[str, str]:
    """Return the query string as a mapping, after checking ``f``."""
    query = dict(request.query_params)
    check_format(query.get("f"))
    return query


def layer_of(collection_id: str) -> Layer:
    """Return the layer of a collection id (404 listing the collections)."""
    return find_layer(LAYERS, collection_id)


def check_tms(tile_matrix_set_id: str) -> None:
    """Refuse a tile matrix set other than WebMercatorQuad."""
    if tile_matrix_set_id != WEB_MERCATOR_QUAD:
        raise NotFound(f"tile matrix set {tile_matrix_set_id!r}: only {WEB_MERCATOR_QUAD}")


@router.get("", response_model=LandingPage, responses=Errors)
async def landing(request: Request) -> Response:
    """Return the landing page of the OGC API."""
    query_of(request)
    return json_response(documents.landing(base_url(request)))


@router.get("/conformance", response_model=Conformance, responses=Errors)
async def conformance(request: Request) -> Response:
    """List the conformance classes implemented."""
    query_of(request)
    return json_response(documents.conformance())


@router.get("/api", response_model=Document, responses={200: {"content": {OPENAPI: {}}}})
async def api_definition(request: Request) -> Response:
    """Return the OpenAPI 3.0 definition of the OGC API."""
    return json_response(openapi(base_url(request), LAYERS), OPENAPI)


@router.get("/collections", response_model=Collections, responses=Errors)
def collections(request: Request, session: ReadSessionDep, layers: MapLayersDep) -> Response:
    """Every collection, with its spatial extent."""
    query_of(request)
    base = base_url(request)
    found = [
        documents.collection(base, layer, layers.extent(session, layer, defaults(layer)))
        for layer in LAYERS.values()
    ]
    links = [link("self", f"{base}/ogc/collections", JSON, "the collections")]
    return json_response({"links": links, "collections": found})


def defaults(layer: Layer) -> tuple[float, ...]:
    """Return the default values of a layer's parameters."""
    return tuple(p.default for p in layer.parameters)


@router.get("/collections/{collectionId}", response_model=Collection, responses=PathErrors)
def collection(
    collection_id: Annotated[str, Path(alias="collectionId")],
    request: Request,
    session: ReadSessionDep,
    layers: MapLayersDep,
) -> Response:
    """One collection, with its spatial extent."""
    layer = layer_of(collection_id)
    query_of(request)
    extent = layers.extent(session, layer, defaults(layer))
    return json_response(documents.collection(base_url(request), layer, extent))


@router.get(
    "/collections/{collectionId}/queryables",
    response_model=Document,
    responses={200: {"content": {SCHEMA: {}}}, **PathErrors},
)
async def queryables(
    collection_id: Annotated[str, Path(alias="collectionId")], request: Request
) -> Response:
    """List the properties a collection's items can be filtered on (JSON Schema)."""
    layer = layer_of(collection_id)
    query_of(request)
    return json_response(documents.queryables(base_url(request), layer), SCHEMA)


@router.get(
    "/collections/{collectionId}/items", response_model=ItemsPage, responses=GEOJSON_RESPONSE
)
def items(
    collection_id: Annotated[str, Path(alias="collectionId")],
    request: Request,
    read: ReadSessionDep,
    write: WriteSessionDep,
    layers: MapLayersDep,
    limit: Annotated[str | None, Query(description="default 10, at most 10,000")] = None,
    offset: Annotated[str | None, Query(description="features to skip")] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north (CRS84)")] = None,
    filter: Annotated[str | None, Query(description="CQL2 text or JSON")] = None,
) -> Response:
    """Return a page of a collection's features: bbox, property filters, CQL2, paging."""
    layer = layer_of(collection_id)
    query = parse_items_query(layer, dict(request.query_params), PARAMETER_NAMES)
    page_url = str(request.url.replace(query=""))
    where = PageLinks(base_url(request), page_url, tuple(request.query_params.multi_items()))
    body = features.items_page(read, write, layers, layer, query, where)
    return Response(body, media_type=GEOJSON)


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    response_model=ItemFeature,
    responses=GEOJSON_RESPONSE,
)
def item(
    collection_id: Annotated[str, Path(alias="collectionId")],
    feature_id: Annotated[str, Path(alias="featureId")],
    request: Request,
    read: ReadSessionDep,
    write: WriteSessionDep,
) -> Response:
    """One feature of a collection by its id."""
    layer = layer_of(collection_id)
    query = parse_items_query(layer, query_of(request), PARAMETER_NAMES)
    body = features.item(read, write, layer, feature_id, query, base_url(request))
    return Response(body, media_type=GEOJSON)


@router.get("/collections/{collectionId}/tiles", response_model=Document, responses=PathErrors)
async def collection_tilesets(
    collection_id: Annotated[str, Path(alias="collectionId")], request: Request
) -> Response:
    """List the vector tilesets of a collection (WebMercatorQuad)."""
    layer = layer_of(collection_id)
    query_of(request)
    return json_response(tilesets.tilesets(base_url(request), layer))


@router.get(
    "/collections/{collectionId}/tiles/{tileMatrixSetId}",
    response_model=Document,
    responses=PathErrors,
)
def collection_tileset(
    collection_id: Annotated[str, Path(alias="collectionId")],
    tile_matrix_set_id: Annotated[str, Path(alias="tileMatrixSetId")],
    request: Request,
    session: ReadSessionDep,
    layers: MapLayersDep,
) -> Response:
    """Describe a collection's tileset: zooms, limits, layers, the tile URL template."""
    layer = layer_of(collection_id)
    check_tms(tile_matrix_set_id)
    query_of(request)
    extent = layers.extent(session, layer, defaults(layer))
    return json_response(tilesets.tileset(base_url(request), layer, extent))


@router.get(
    "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
    response_class=Response,
    response_model=None,
    responses={**TILE_RESPONSES, **error_responses(400, 404, 422)},
    description=TILE_DESCRIPTION,
)
def collection_tile(
    collection_id: Annotated[str, Path(alias="collectionId")],
    tile_matrix_set_id: Annotated[str, Path(alias="tileMatrixSetId")],
    tile_matrix: Annotated[str, Path(alias="tileMatrix")],
    tile_row: Annotated[int, Path(alias="tileRow", ge=0)],
    tile_col: Annotated[int, Path(alias="tileCol", ge=0)],
    request: Request,
    read: ReadSessionDep,
    write: WriteSessionDep,
    layers: MapLayersDep,
) -> Response:
    """Return a vector tile of a collection, as ``/tiles/{layer}/{z}/{x}/{y}.mvt``."""
    layer = layer_of(collection_id)
    check_tms(tile_matrix_set_id)
    if not tile_matrix.isdigit():
        raise NotFound(f"tile matrix {tile_matrix!r} is not a zoom level of {WEB_MERCATOR_QUAD}")
    query = query_of(request)
    values = parse_parameters(layer, query, PARAMETER_NAMES, BadRequest)
    headers = (request.headers.get("if-none-match"), request.headers.get("accept-encoding"))
    tile = (int(tile_matrix), tile_col, tile_row)
    return tile_response(layers.tile(read, write, layer, values, tile, headers))


@router.get("/tileMatrixSets", response_model=Document, responses=Errors)
async def tile_matrix_sets(request: Request) -> Response:
    """List the tile matrix sets tiles are served in: WebMercatorQuad."""
    query_of(request)
    return json_response(tilesets.tile_matrix_sets(base_url(request)))


@router.get("/tileMatrixSets/{tileMatrixSetId}", response_model=Document, responses=PathErrors)
async def tile_matrix_set(
    tile_matrix_set_id: Annotated[str, Path(alias="tileMatrixSetId")], request: Request
) -> Response:
    """Return the definition of a tile matrix set (OGC TMS 2.0)."""
    check_tms(tile_matrix_set_id)
    query_of(request)
    return json_response(tilesets.tile_matrix_set())
