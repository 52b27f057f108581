"""The closed vocabularies of the data model (DESIGN.md §2).

The database enforces them with check constraints; the ETL and the API validate against them.
"""

ADMIN_LEVELS = ("city", "district", "street", "community", "grid")
STATION_KINDS = (
    "warm_station",
    "union_station",
    "party_service_center",
    "youth_station",
    "rider_center",
    "other",
)
AMENITIES = (
    "rest",
    "water",
    "charging",
    "toilet",
    "microwave",
    "first_aid",
    "air_conditioning",
    "wifi",
    "umbrella",
    "parking",
    "legal_aid",
    "canteen",
)
STATION_ACCESS = ("staffed", "qr_code", "open")
STATION_STATUSES = ("open", "closed", "suspended")
OUTLET_KINDS = ("express", "food_delivery", "ride_hailing", "freight", "other")
LIAISON_ROLES = ("community", "police")
ASSIGNMENT_METHODS = ("manual", "auto")
REPORT_KINDS = ("closed", "wrong_location", "hours_wrong", "other")
REPORT_STATUSES = ("open", "resolved", "dismissed")
API_ROLES = ("admin", "planner", "grid_manager")
LOAD_KINDS = ("stations", "outlets", "boundaries", "liaisons")
BATCH_STATUSES = ("running", "committed", "failed")
