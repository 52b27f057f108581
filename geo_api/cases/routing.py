"""Routing: which area holds a point, who handles a category there, and by when.

The community whose boundary holds the point is the unit (then the street, the district, the
city, for points outside every community); ``case_routes`` names the role that handles the
category there, the most specific area's route winning; the handler is an active liaison of
that role whose scope holds the community (the community's own before the street's), or the
station's own contact. When nobody of that role is found, the street office (the street, else
the district) takes the case: nothing is ever unrouted. A point on the shared edge of two
areas lies in both; the smaller adcode wins, as everywhere in warmmap.
"""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import contains
from geo_api.errors import InvalidInput, NotFound

LEVELS = ("community", "street", "district", "city")

# Every area of a routing level that holds the point, smallest level first; GiST-bound.
LOCATE = text("""
SELECT a.adcode, a.name, a.level
FROM admin_areas a
WHERE a.level IN ('community', 'street', 'district', 'city')
  AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
ORDER BY array_position(ARRAY['community', 'street', 'district', 'city']::text[], a.level::text),
         a.adcode
""")
ROUTE = text("""
SELECT role, hours FROM case_routes
WHERE category = :category AND area_adcode = ANY(:ancestors)
ORDER BY length(area_adcode) DESC LIMIT 1
""")
LIAISON = text("""
SELECT id, scope_adcode FROM liaisons
WHERE role = :role AND active AND scope_adcode = ANY(:ancestors)
ORDER BY length(scope_adcode) DESC, id LIMIT 1
""")
STATION = text("""
SELECT id, name, community_adcode, district_adcode, ST_X(geom) AS lon, ST_Y(geom) AS lat
FROM stations WHERE id = :id
""")
LIAISON_ROLES = {"community_liaison": "community", "police_liaison": "police"}


@dataclass(frozen=True)
class Area:
    """An admin area by code, name and level."""

    adcode: str
    name: str
    level: str


@dataclass(frozen=True)
class Place:
    """The areas that hold a point, one per level (None where no area of that level does)."""

    community: Area | None
    street: Area | None
    district: Area | None
    city: Area | None

    @property
    def smallest(self) -> Area | None:
        """Return the smallest area holding the point."""
        return self.community or self.street or self.district or self.city

    @property
    def office(self) -> Area | None:
        """Return the street office's area: the street, else the district, else the city."""
        return self.street or self.district or self.city


@dataclass(frozen=True)
class Routing:
    """Where a case goes: the responsible area, the role there, the handler and the limit."""

    place: Place
    adcode: str
    name: str | None
    role: str
    hours: int
    liaison_id: int | None = None
    station_id: int | None = None


def ancestors(adcode: str) -> list[str]:
    """Return ``adcode`` and every area code above it, smallest first, then '' (everywhere).

    >>> ancestors("510104001002")
    ['510104001002', '510104001', '510104', '510100', '510000', '']
    """
    codes = [adcode] + [adcode[:n] for n in (12, 9, 6) if n < len(adcode)]
    district = adcode[:6]
    if len(district) == 6:
        codes += [district[:4] + "00", district[:2] + "0000"]
    return [*dict.fromkeys(c for c in codes if c), ""]


def locate(session: Session, lon: float, lat: float) -> Place:
    """Return the areas that hold the WGS-84 point, one per level, consistent with each other."""
    found = [Area(*row) for row in session.execute(LOCATE, {"lon": lon, "lat": lat})]
    chosen: dict[str, Area] = {}
    for level in LEVELS:
        inside = [a for a in found if a.level == level]
        smaller = next((chosen[lv] for lv in LEVELS if lv in chosen), None)
        # Prefer the area that holds the smaller one already chosen (its parent by code).
        nested = [a for a in inside if smaller is None or contains(a.adcode, smaller.adcode)]
        if nested or inside:
            chosen[level] = (nested or inside)[0]
    return Place(*(chosen.get(level) for level in LEVELS))


def route_rule(session: Session, category: str, adcode: str) -> tuple[str, int]:
    """Return the role and hours of the most specific route for ``category`` at ``adcode``."""
    row = session.execute(
        ROUTE, {"category": category, "ancestors": ancestors(adcode)}
    ).one_or_none()
    if row is None:
        raise InvalidInput(f"category: no route for {category!r}; case_routes needs a default")
    return str(row.role), int(row.hours)


def station_place(session: Session, station_id: int) -> tuple[float, float, str | None]:
    """Return a station's WGS-84 position and its recorded area, or raise NotFound."""
    row = session.execute(STATION, {"id": station_id}).one_or_none()
    if row is None:
        raise NotFound(f"no station {station_id}")
    return float(row.lon), float(row.lat), row.community_adcode or row.district_adcode


def route(
    session: Session,
    category: str,
    lon: float,
    lat: float,
    station_id: int | None = None,
    station_area: str | None = None,
) -> Routing:
    """Route a case of ``category`` at the WGS-84 point (see the module's docstring).

    Raises
    ------
    InvalidInput
        When the point lies outside every loaded area and no station anchors the case.
    """
    place = locate(session, lon, lat)
    unit = place.smallest
    if unit is None and station_id is None:
        raise InvalidInput(
            "lon/lat: the point lies outside every loaded area (community, street, district or "
            "city), so no one could handle the case there"
        )
    adcode = unit.adcode if unit else station_area or ""
    role, hours = route_rule(session, category, adcode)
    name = unit.name if unit else None
    if role == "station_contact" and station_id is not None:
        return Routing(place, adcode, name, role, hours, station_id=station_id)
    if role in LIAISON_ROLES and unit is not None:
        params = {"role": LIAISON_ROLES[role], "ancestors": ancestors(unit.adcode)[:-1]}
        liaison = session.execute(LIAISON, params).one_or_none()
        if liaison is not None:
            scope = str(liaison.scope_adcode)
            area_name = next((a.name for a in _areas(place) if a.adcode == scope), name)
            return Routing(place, scope, area_name, role, hours, liaison_id=int(liaison.id))
    office = place.office
    if office is None:  # only a station anchors it: the station's recorded area
        return Routing(place, adcode, name, "street_office", hours, station_id=station_id)
    return Routing(place, office.adcode, office.name, "street_office", hours, station_id=station_id)


def _areas(place: Place) -> list[Area]:
    return [a for a in (place.community, place.street, place.district, place.city) if a]
