"""Request bodies and answers of the coverage routes: refresh, gaps and communities."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from geo_api.areas import Adcode
from geo_api.coverage import DEFAULT_RES, MAX_RES, MIN_RES
from geo_api.geojson import Feature, Polygon
from geo_api.notes import Note
from geo_api.places import Place
from geo_api.vocab import CoverageLevel

CITY_DESCRIPTION = "The city's (or district's) adcode."
RES_DESCRIPTION = (
    f"H3 resolution, {MIN_RES} to {MAX_RES}; {DEFAULT_RES}, the default, is about 0.1 km² a cell."
)
THRESHOLD_DESCRIPTION = "Reach of a station in metres (on the WGS-84 spheroid)."


class RefreshRequest(BaseModel):
    """Which city's cells to recompute, at which H3 resolution."""

    city: Adcode = Field(description=CITY_DESCRIPTION)
    res: int = Field(DEFAULT_RES, ge=MIN_RES, le=MAX_RES, description=RES_DESCRIPTION)


class Refresh(BaseModel):
    """What a refresh wrote: the city's cells at ``res``, in one transaction."""

    city: str
    res: int
    cells: int = Field(description="Cells written: every cell overlapping the city's areas.")
    cells_with_riders: int
    seconds: float = Field(description="Time the refresh took.")


class GapCell(BaseModel):
    """A cell with riders and no open station within the threshold."""

    h3: str = Field(description="The H3 cell, also the feature's id.")
    outlets: int
    riders: int
    nearest_station_id: int | None = Field(description="null when no station is open at all")
    nearest_station_m: float | None = Field(
        description="Metres from the cell's centre to its nearest open station, on the spheroid."
    )


class GapProperties(Place, GapCell):
    """A gap cell, and the district, street and community holding its centre."""


class GapFeature(Feature[Polygon, GapProperties]):
    """A gap cell: its hexagon, and the cell's H3 index as id."""


class Uncovered(BaseModel):
    """The city's uncovered demand counted both ways: by cell centre and by outlet."""

    cells: int = Field(description="Every gap cell (min_riders applied, not limit).")
    riders: int = Field(description="The riders of those cells.")
    riders_by_outlet: int = Field(
        description="Riders at outlets with no open station within threshold_m, measured from "
        "each outlet (as /coverage/communities and /plan count them), now."
    )
    outlets_by_outlet: int = Field(description="Those outlets.")


class GapCollection(BaseModel):
    """A city's gap cells as GeoJSON, most riders first, with when they were computed."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    city: str
    res: int
    threshold_m: float
    refreshed_at: datetime = Field(description="When the cells were last computed.")
    stale: bool = Field(
        description="true when a station or outlet of the city changed after refreshed_at: "
        "POST /coverage/refresh brings the cells up to date."
    )
    measured_from: Literal["cell_centre"] = Field(
        description="A cell is a gap when its centre has no open station within threshold_m."
    )
    uncovered: Uncovered
    notes: list[Note] = Field(
        description="measured_from_cell_centres (always), limited (the limit cut the list), "
        "no_gaps or no_riders (why there are none)."
    )
    features: list[GapFeature]


class AreaCoverage(BaseModel):
    """One area: its outlets and riders, and how many are within reach of an open station."""

    adcode: str
    name: str
    outlets: int
    covered_outlets: int
    riders: int
    covered_riders: int
    covered_share: float | None = Field(
        description="covered_riders / riders, rounded to 4 places; null for an area without riders"
    )


class CityTotals(BaseModel):
    """The whole city's outlets and riders, and how many are within reach, per outlet."""

    outlets: int
    covered_outlets: int
    riders: int
    covered_riders: int
    uncovered_riders: int = Field(description="The same figure as the gaps' riders_by_outlet.")
    covered_share: float | None = Field(description="null for a city without riders")


class CommunityCoverage(BaseModel):
    """The areas of one level in a city, worst covered first (areas without riders last)."""

    city: str
    level: CoverageLevel
    threshold_m: float
    measured_from: Literal["outlet"] = Field(
        description="An outlet is covered when an open station lies within threshold_m of it."
    )
    totals: CityTotals
    notes: list[Note] = Field(description="measured_from_outlets: how this differs from gaps.")
    areas: list[AreaCoverage]
