"""Response shapes of the OGC API documents, for FastAPI's OpenAPI document.

The documents are built as dictionaries (``tiles.ogc.documents``, ``tiles.ogc.tilesets``);
these models name their required members and let the rest through.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Link(BaseModel):
    """A link of an OGC API document."""

    model_config = ConfigDict(extra="allow")

    rel: str
    href: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    """The landing page."""

    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    """The conformance classes the API implements."""

    conformsTo: list[str]


class Collection(BaseModel):
    """A collection: a layer as OGC API Features sees it."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    description: str
    links: list[Link]
    extent: dict[str, Any] | None = None
    itemType: str = "feature"
    crs: list[str] = Field(default_factory=list)


class Collections(BaseModel):
    """Every collection."""

    links: list[Link]
    collections: list[Collection]


class Document(BaseModel):
    """A JSON document of the standard (queryables, tilesets, tile matrix sets)."""

    model_config = ConfigDict(extra="allow")


class ItemsPage(BaseModel):
    """A page of a collection's features (GeoJSON), with paging links and counts."""

    model_config = ConfigDict(extra="allow")

    type: str = "FeatureCollection"
    numberMatched: int = Field(description="exact, or the planner's estimate: see the next")
    numberMatchedExact: bool
    numberReturned: int
    timeStamp: str
    links: list[Link]
    features: list[dict[str, Any]]


class ItemFeature(BaseModel):
    """One feature (GeoJSON) with its links."""

    model_config = ConfigDict(extra="allow")

    type: str = "Feature"
    id: int | str
    geometry: dict[str, Any]
    properties: dict[str, Any]
    links: list[Link]
