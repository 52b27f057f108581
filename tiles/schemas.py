"""Response shapes of the tile endpoints, for the OpenAPI document."""

from pydantic import BaseModel, ConfigDict, Field


class VectorLayer(BaseModel):
    """A TileJSON ``vector_layers`` entry, with warmmap's cap."""

    model_config = ConfigDict(extra="allow")

    id: str
    description: str
    minzoom: int
    maxzoom: int
    fields: dict[str, str] = Field(description="property name to String, Number or Boolean")
    geometry_type: str
    feature_cap: int = Field(description="at most this many features in one tile")
    feature_cap_order: str = Field(description="which features a capped tile keeps")


class TileJSON(BaseModel):
    """A TileJSON 3.0.0 document."""

    model_config = ConfigDict(extra="allow")

    tilejson: str = "3.0.0"
    name: str
    description: str
    version: str
    scheme: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float]
    center: list[float]
    vector_layers: list[VectorLayer]


class LayerParameterInfo(BaseModel):
    """A parameter a layer takes."""

    name: str
    type: str
    default: float
    minimum: float
    maximum: float
    description: str


class LayerInfo(BaseModel):
    """A layer in the index."""

    id: str
    title: str
    description: str
    geometry_type: str
    minzoom: int
    maxzoom: int
    tilejson: str
    tiles: str
    ogc_collection: str
    parameters: list[LayerParameterInfo]


class LayerIndex(BaseModel):
    """Every map layer."""

    layers: list[LayerInfo]
