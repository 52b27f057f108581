"""Station fields checked as the ETL checks them: vocabularies, amenities, hours, coordinates."""

from typing import Any

import h3
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import area_lookup
from geo_api.coords import normalize_crs, point_in_china
from geo_api.errors import InvalidInput
from geo_api.models import POINT_RES
from geo_api.vocab.amenities import parse_amenities
from geo_api.vocab.hours import parse_hours
from geo_api.vocab.kinds import lookup

VOCABULARY_OF = {"kind": "station_kind", "status": "status", "access": "access"}
POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
DERIVED_SQL = text(
    f"SELECT {area_lookup('district', POINT)} AS district_adcode, "
    f"{area_lookup('community', POINT)} AS community_adcode"
)


def vocabulary_value(field: str, value: str) -> str:
    """Return the vocabulary value of ``value`` (English or Chinese), else a 422."""
    found = lookup(VOCABULARY_OF[field], value)
    if found is None:
        raise InvalidInput(f"{field}: unknown value {value!r}")
    return found


def wgs84_position(x: float, y: float, crs: str | None) -> dict[str, Any]:
    """Return the WGS-84 position and the original coordinates, checked to lie in China."""
    try:
        source_crs = normalize_crs(crs or "wgs84")
    except InvalidInput as exc:
        raise InvalidInput(f"crs: {exc.detail}") from None
    lon, lat = point_in_china(x, y, source_crs)
    return {"lon": lon, "lat": lat, "source_crs": source_crs, "source_x": x, "source_y": y}


def derived_columns(session: Session, lon: float, lat: float) -> dict[str, Any]:
    """Return the district and community containing the point, and its H3 cell."""
    row = session.execute(DERIVED_SQL, {"lon": lon, "lat": lat}).one()
    return {
        "district_adcode": row.district_adcode,
        "community_adcode": row.community_adcode,
        "h3_r9": h3.latlng_to_cell(lat, lon, POINT_RES),
    }


def _hours_columns(hours_text: str | None) -> dict[str, Any]:
    # Text that is not understood is kept and flagged, as the ETL does: it is still worth showing.
    parsed = parse_hours(hours_text)
    return {
        "hours_text": hours_text.strip() if hours_text and hours_text.strip() else None,
        "hours": parsed.intervals,
        "is_24h": parsed.is_24h,
        "hours_unparsed": not parsed.parsed,
    }


def column_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Return the stored columns for the given fields (those not given are left out)."""
    values: dict[str, Any] = {}
    for field, value in fields.items():
        if field == "name":
            if value is None or not value.strip():
                raise InvalidInput("name: a station needs a name")
            values["name"] = value.strip()
        elif field in VOCABULARY_OF:
            if value is None and field != "access":
                raise InvalidInput(f"{field}: may not be null")
            values[field] = None if value is None else vocabulary_value(field, value)
        elif field == "amenities":
            values["amenities"], values["amenities_unknown"] = parse_amenities(value)
        elif field == "hours_text":
            values.update(_hours_columns(value))
        elif field not in ("lon", "lat", "crs"):
            values[field] = value
    return values
