"""Station records: read one or a page, create, change and close, each write audited."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point as ShapelyPoint
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo_api import audit
from geo_api.auth import Principal
from geo_api.errors import Conflict, InvalidInput, NotFound
from geo_api.geojson import Point
from geo_api.models import Station
from geo_api.stations.schemas import (
    StationCollection,
    StationCreate,
    StationFeature,
    StationFields,
    StationProperties,
    jsonable,
)
from geo_api.stations.validation import column_values, derived_columns, wgs84_position
from geo_api.vocab.names import name_key


def station_feature(station: Station) -> StationFeature:
    """Return ``station`` as a GeoJSON feature in WGS-84."""
    point = to_shape(station.geom)
    assert isinstance(point, ShapelyPoint)
    properties = StationProperties.model_validate(
        {name: getattr(station, name) for name in StationProperties.model_fields}
    )
    return StationFeature(
        id=station.id, geometry=Point(coordinates=(point.x, point.y)), properties=properties
    )


def get_station(session: Session, station_id: int) -> Station:
    """Return the station ``station_id``, or raise NotFound."""
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(f"no station {station_id}")
    return station


def list_stations(
    session: Session,
    bbox: tuple[float, float, float, float] | None,
    kind: str | None,
    amenities: tuple[str, ...],
    limit: int,
    offset: int,
) -> StationCollection:
    """Return a page of stations, by id, inside ``bbox`` (planar GiST index) and filters."""
    query = select(Station)
    if bbox is not None:
        query = query.where(Station.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    if kind is not None:
        query = query.where(Station.kind == kind)
    if amenities:
        query = query.where(Station.amenities.contains(list(amenities)))
    matched = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(Station.id).limit(limit).offset(offset)).all()
    features = [station_feature(s) for s in page]
    return StationCollection(
        number_matched=matched, number_returned=len(features), features=features
    )


def _locate(session: Session, fields: dict[str, Any], crs: str | None) -> dict[str, Any]:
    """Return the position columns and derived columns for ``lon``/``lat`` in ``fields``."""
    position = wgs84_position(fields["lon"], fields["lat"], crs)
    lon, lat = position.pop("lon"), position.pop("lat")
    position["geom"] = from_shape(ShapelyPoint(lon, lat), srid=4326)
    return position | derived_columns(session, lon, lat)


# The field a load speaks of for each column the API writes (etl.write.upsert.FIELD_OF).
EDITED_FIELD = {
    "name": "name", "kind": "kind", "address": "address", "phone": "phone",
    "amenities": "amenities", "amenities_unknown": "amenities", "hours_text": "hours",
    "hours": "hours", "hours_unparsed": "hours", "is_24h": "hours", "access": "access",
    "capacity": "capacity", "area_m2": "area_m2", "status": "status",
    "last_verified_at": "last_verified_at", "source_crs": "position", "source_x": "position",
    "source_y": "position",
}  # fmt: skip


def mark_edited(station: Station, columns: Iterable[str]) -> None:
    """Note the fields of ``columns`` as changed through the API now.

    A later load keeps them (``stations.edited_fields``) unless it is told to overwrite edits,
    and reports the conflict: a correction made here is not undone silently by a reload.
    """
    edited = {EDITED_FIELD[c] for c in columns if c in EDITED_FIELD}
    if edited:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        station.edited_fields = {
            **(station.edited_fields or {}),
            **dict.fromkeys(sorted(edited), now),
        }


def _flush(session: Session, station: Station) -> None:
    """Flush ``station``; a taken source/external_id is a Conflict, not a 500."""
    try:
        with session.begin_nested():
            session.add(station)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"a station with source {station.source!r} and external_id "
            f"{station.external_id!r} already exists"
        ) from None


def create_station(session: Session, body: StationCreate, principal: Principal) -> Station:
    """Validate ``body``, store the station and audit it."""
    fields = body.model_dump(exclude={"crs", "source", "external_id"}, exclude_none=True)
    values = column_values(fields) | _locate(session, fields, body.crs)
    principal.require_scope(values["community_adcode"] or values["district_adcode"])
    external_id = body.external_id or uuid.uuid4().hex
    station = Station(source=body.source, external_id=external_id, **values)
    station.name_key = name_key(station.name)
    mark_edited(station, values)
    _flush(session, station)
    detail = {k: v for k, v in values.items() if k != "geom"}
    audit.record(session, principal.actor, "create", "station", station.id, jsonable(detail))
    return station


def update_station(
    session: Session,
    station_id: int,
    body: StationFields,
    principal: Principal,
    action: str = "update",
) -> Station:
    """Change the fields given in ``body``; moving the station recomputes its derived columns."""
    station = get_station(session, station_id)
    principal.require_scope(station.community_adcode or station.district_adcode)
    fields = body.model_dump(exclude_unset=True)
    values = column_values(fields)
    if "lon" in fields or "lat" in fields or "crs" in fields:
        if fields.get("lon") is None or fields.get("lat") is None:
            raise InvalidInput("lon/lat: a move needs both lon and lat")
        values |= _locate(session, fields, fields.get("crs"))
        principal.require_scope(values["community_adcode"] or values["district_adcode"])
    before = {k: getattr(station, k) for k in values if k != "geom"}
    for column, value in values.items():
        setattr(station, column, value)
    station.name_key = name_key(station.name)
    changes = {k: {"from": before[k], "to": values[k]} for k in before if before[k] != values[k]}
    mark_edited(station, changes)
    _flush(session, station)
    audit.record(session, principal.actor, action, "station", station.id, jsonable(changes))
    return station


def close_station(session: Session, station_id: int, principal: Principal) -> Station:
    """Mark the station closed; stations are never deleted, their history matters."""
    return update_station(session, station_id, StationFields(status="closed"), principal, "close")
