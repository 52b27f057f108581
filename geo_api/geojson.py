"""GeoJSON (RFC 7946) models shared by every spatial answer: points, polygons, features.

Coordinates are WGS-84 longitude, latitude unless an answer's ``coordinate_system`` says
otherwise (``out_crs=gcj02|bd09`` for Chinese base maps).
"""

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

Position = tuple[float, float]


class Point(BaseModel):
    """A GeoJSON point: longitude, latitude."""

    type: Literal["Point"] = "Point"
    coordinates: Position = Field(examples=[(104.0657, 30.6595)])


class Polygon(BaseModel):
    """A GeoJSON polygon: an outer ring, then its holes, each closed."""

    type: Literal["Polygon"] = "Polygon"
    coordinates: list[list[Position]] = Field(
        examples=[[[(104.06, 30.65), (104.07, 30.65), (104.07, 30.66), (104.06, 30.65)]]]
    )


class MultiPolygon(BaseModel):
    """A GeoJSON multipolygon: polygons, each an outer ring and its holes."""

    type: Literal["MultiPolygon"] = "MultiPolygon"
    coordinates: list[list[list[Position]]]


GeometryT = TypeVar("GeometryT", bound=BaseModel)
PropertiesT = TypeVar("PropertiesT", bound=BaseModel)
FeatureT = TypeVar("FeatureT", bound=BaseModel)


class Feature(BaseModel, Generic[GeometryT, PropertiesT]):
    """A GeoJSON feature; its ``id`` is the entity's own (a station's id, an H3 cell)."""

    type: Literal["Feature"] = "Feature"
    id: int | str
    geometry: GeometryT
    properties: PropertiesT


class FeatureCollection(BaseModel, Generic[FeatureT]):
    """A GeoJSON feature collection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[FeatureT] = Field(default_factory=list)
