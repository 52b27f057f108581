"""Vector tiles and TileJSON for the map layers of ``tiles.layers``."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from geo_api.dependencies import MapLayersDep, ReadSessionDep, WriteSessionDep
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute
from tiles.answers import MVT_MEDIA_TYPE, Answer
from tiles.index import layer_index
from tiles.layers import LAYERS, PARAMETER_NAMES
from tiles.params import parse_parameters
from tiles.registry import find_layer
from tiles.schemas import LayerIndex, TileJSON
from tiles.tilejson import tilejson

router = APIRouter(tags=["map layers"], responses=error_responses(503), route_class=DocumentedRoute)

LayerId = Annotated[str, Path(description=", ".join(LAYERS))]
ThresholdM = Annotated[
    float | None, Query(description="gaps, communities: reach of an open station in metres")
]
Res = Annotated[int | None, Query(description="gaps: H3 resolution of the cells")]

TILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {MVT_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The tile, gzipped when the client accepts it.",
    },
    **error_responses(404, 422),
}
TILE_DESCRIPTION = """
A Mapbox vector tile (WebMercatorQuad, extent 4096, buffer 256, clipped) with the layer's
public properties. No feature in the tile: **204** without a body. Every tile has a strong
`ETag`; `If-None-Match` with it answers **304** while the tile is unchanged. Headers:
`Warmmap-Tile-Features` (how many), `Warmmap-Tile-Capped: true` when the layer's feature cap
dropped features (which ones: TileJSON's `feature_cap_order`), `Warmmap-Cache: hit|miss`.
"""


def given(threshold_m: float | None, res: int | None) -> dict[str, str]:
    """Return the layer parameters a request gave, as text for ``parse_parameters``."""
    raw = {"threshold_m": threshold_m, "res": res}
    return {name: str(value) for name, value in raw.items() if value is not None}


def base_url(request: Request) -> str:
    """Return the service's URL as the client reached it, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def tile_response(answer: Answer) -> Response:
    """Return ``answer`` as a response."""
    media_type = answer.media_type if answer.status == 200 else None
    return Response(answer.body, answer.status, answer.headers, media_type=media_type)


@router.get("/tiles", response_model=LayerIndex)
async def index(request: Request) -> LayerIndex:
    """List the map layers with their TileJSON, tile and OGC collection URLs."""
    return layer_index(base_url(request), LAYERS)


@router.get("/tiles/{layer}.json", response_model=TileJSON, responses=error_responses(404, 422))
def tilejson_document(
    layer: LayerId,
    request: Request,
    session: ReadSessionDep,
    layers: MapLayersDep,
    threshold_m: ThresholdM = None,
    res: Res = None,
) -> TileJSON:
    """TileJSON 3.0.0 of a layer: tile URL, bounds, zooms and fields."""
    found = find_layer(LAYERS, layer)
    values = parse_parameters(found, given(threshold_m, res), PARAMETER_NAMES)
    extent = layers.extent(session, found, values)
    return TileJSON.model_validate(tilejson(base_url(request), found, values, extent))


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.mvt",
    response_class=Response,
    response_model=None,
    responses=TILE_RESPONSES,
    description=TILE_DESCRIPTION,
)
def tile(
    layer: LayerId,
    z: Annotated[int, Path(ge=0, le=24)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
    request: Request,
    read: ReadSessionDep,
    write: WriteSessionDep,
    layers: MapLayersDep,
    threshold_m: ThresholdM = None,
    res: Res = None,
) -> Response:
    """Return a Mapbox vector tile of a layer (WebMercatorQuad, extent 4096, buffer 256)."""
    found = find_layer(LAYERS, layer)
    values = parse_parameters(found, given(threshold_m, res), PARAMETER_NAMES)
    headers = (request.headers.get("if-none-match"), request.headers.get("accept-encoding"))
    return tile_response(layers.tile(read, write, found, values, (z, x, y), headers))
