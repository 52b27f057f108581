"""Point layers: warm stations and delivery outlets.

Neither carries anything personal: a station's phone and an outlet's liaisons stay out (the
liaison tables are not joined at all); the web map asks ``/stations/{id}`` for the details.
"""

from geo_api import vocab
from tiles.registry import Layer, Property

STATIONS = Layer(
    id="stations",
    title="Warm stations",
    description=(
        "Warm stations (暖新驿站) and other places where riders, couriers and drivers rest, "
        "drink and charge, in every status."
    ),
    geometry_type="Point",
    table="stations",
    candidates="""
        SELECT s.id, s.name, s.kind, s.status, s.address, s.amenities, s.hours_text, s.is_24h,
               s.access, s.capacity, s.district_adcode, s.community_adcode, s.synthetic, s.geom
        FROM stations AS s
        WHERE {where}
    """,
    geometry_sql="s.geom",
    id_sql="c.id",
    id_type="integer",
    mvt_id_sql="c.id",
    properties=(
        Property("name", "c.name", "string", "name"),
        Property("kind", "c.kind", "string", "kind of station", enum=vocab.STATION_KINDS),
        Property("status", "c.status", "string", "status", enum=vocab.STATION_STATUSES),
        Property("address", "c.address", "string", "address"),
        Property(
            "amenities",
            "c.amenities",
            "array",
            "services offered; in tiles joined with commas",
            enum=vocab.AMENITIES,
            tile_sql="array_to_string(c.amenities, ',')",
            filter_sql="CAST(:value AS text) = ANY(c.amenities)",
        ),
        Property("hours_text", "c.hours_text", "string", "opening hours as published"),
        Property("is_24h", "c.is_24h", "boolean", "open around the clock"),
        Property("access", "c.access", "string", "how to get in", enum=vocab.STATION_ACCESS),
        Property("capacity", "c.capacity", "integer", "people it can hold"),
        Property("district_adcode", "c.district_adcode", "string", "district's area code"),
        Property("community_adcode", "c.community_adcode", "string", "community's area code"),
        Property("synthetic", "c.synthetic", "boolean", "generated, not real"),
    ),
    # Open stations are kept first when a tile holds more than the cap, then the oldest ids.
    order_sql="(c.status = 'open') DESC, c.id",
    cap_note="open stations first, then by id",
    minzoom=4,
    maxzoom=16,
    depends_on={"stations": None},
)

OUTLETS = Layer(
    id="outlets",
    title="Delivery outlets",
    description="Delivery outlets (网点站点) with the number of riders based at each.",
    geometry_type="Point",
    table="outlets",
    candidates="""
        SELECT o.id, o.name, o.brand, o.kind, o.riders, o.address, o.district_adcode,
               o.community_adcode, o.synthetic, o.geom
        FROM outlets AS o
        WHERE {where}
    """,
    geometry_sql="o.geom",
    id_sql="c.id",
    id_type="integer",
    mvt_id_sql="c.id",
    properties=(
        Property("name", "c.name", "string", "name"),
        Property("brand", "c.brand", "string", "brand"),
        Property("kind", "c.kind", "string", "kind of outlet", enum=vocab.OUTLET_KINDS),
        Property("riders", "c.riders", "integer", "riders based there"),
        Property("address", "c.address", "string", "address"),
        Property("district_adcode", "c.district_adcode", "string", "district's area code"),
        Property("community_adcode", "c.community_adcode", "string", "community's area code"),
        Property("synthetic", "c.synthetic", "boolean", "generated, not real"),
    ),
    # The outlets with the most riders are kept first when a tile holds more than the cap.
    order_sql="c.riders DESC NULLS LAST, c.id",  # unknown riders (NULL) last, not first
    cap_note="most riders first, then by id",
    minzoom=6,
    maxzoom=16,
    depends_on={"outlets": None},
)
