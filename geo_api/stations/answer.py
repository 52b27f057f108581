"""The whole answer of ``GET /stations/nearest``: stations, why it is empty or far, as JSON."""

from sqlalchemy.orm import Session

from geo_api.stations.geojson import Asked, nearby_collection
from geo_api.stations.nearest import NearestQuery, nearest_stations
from geo_api.stations.notes import answer_notes


def nearest_answer(session: Session, query: NearestQuery, asked: Asked) -> bytes:
    """Return the nearest stations matching ``query`` with their notes, as GeoJSON bytes."""
    stations = nearest_stations(session, query)
    notes = answer_notes(session, query, stations, asked.local)
    return nearby_collection(stations, asked, notes)
