"""The whole answer of ``GET /stations/nearest``: stations, why it is empty or far, as JSON."""

from geo_api.stations.geojson import Asked, nearby_collection
from geo_api.stations.nearest import CandidateReader, NearestQuery, search_nearest
from geo_api.stations.notes import answer_notes


async def nearest_answer(reader: CandidateReader, query: NearestQuery, asked: Asked) -> bytes:
    """Return the nearest stations matching ``query`` with their notes, as GeoJSON bytes."""
    stations = await search_nearest(reader, query)
    notes = await answer_notes(reader, query, stations, asked.local)
    return nearby_collection(stations, asked, notes)
