"""The closed vocabularies of the data model (docs/data-model.md).

Each vocabulary is written once, as a ``Literal`` type: request and response models use the
type (so the OpenAPI document lists its values), and the tuple of its values is derived from
it for the database's check constraints, the ETL and the error messages. A new vocabulary is
one ``Literal`` and one ``values(...)`` line here.
"""

from typing import Any, Final, Literal, get_args


def values(literal: Any) -> tuple[str, ...]:
    """Return the values of a ``Literal`` type, in their order."""
    return tuple(get_args(literal))


AdminLevel = Literal["city", "district", "street", "community", "grid"]
# The levels coverage is summed up by (GET /coverage/communities?level=).
CoverageLevel = Literal["community", "street", "district"]
StationKind = Literal[
    "warm_station",
    "union_station",
    "party_service_center",
    "youth_station",
    "rider_center",
    "other",
]
Amenity = Literal[
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
]
StationAccess = Literal["staffed", "qr_code", "open"]
StationStatus = Literal["open", "closed", "suspended"]
OutletKind = Literal["express", "food_delivery", "ride_hailing", "freight", "other"]
LiaisonRole = Literal["community", "police"]
AssignmentMethod = Literal["manual", "auto"]
# Where a liaison's base point came from: given in the file or request, or the scope's centre.
LiaisonBaseSource = Literal["given", "scope_centre"]
# Why an assignment ended: replaced by hand, unassigned by hand, moved by the auto-assigner,
# the liaison deactivated or moved to a scope without the outlet, or found stale (the outlet left
# the liaison's scope) when the auto-assigner replaced it.
AssignmentEndReason = Literal[
    "replaced",
    "unassigned",
    "auto_moved",
    "liaison_deactivated",
    "liaison_scope_changed",
    "stale",
]
# Workers' station reports, kept as a view of cases of the station categories.
ReportKind = Literal["closed", "wrong_location", "hours_wrong", "other"]
ReportStatus = Literal["open", "resolved", "dismissed"]
# Riders' cases (随手拍): what they report, the lifecycle (GB/T 30428) and who handles them.
CaseCategory = Literal[
    "station_closed",
    "station_misplaced",
    "station_hours_wrong",
    "fire_hazard",
    "blocked_passage",
    "no_rider_entry",
    "no_parking",
    "building_hard_to_find",
    "road_hazard",
    "other",
]
CaseStatus = Literal[
    "reported",
    "accepted",
    "dispatched",
    "resolved",
    "verified",
    "closed",
    "rejected",
    "duplicate",
]
CaseRole = Literal["community_liaison", "police_liaison", "station_contact", "street_office"]
CaseChannel = Literal["api", "open311", "station_report", "demo"]
ApiRole = Literal["admin", "planner", "grid_manager"]
LoadKind = Literal["stations", "outlets", "boundaries", "liaisons"]
BatchStatus = Literal["running", "committed", "failed"]
# What became of a row a load did not store: rejected (bad data) or skipped (not data at all).
RowOutcome = Literal["rejected", "skipped"]

ADMIN_LEVELS: Final = values(AdminLevel)
COVERAGE_LEVELS: Final = values(CoverageLevel)
STATION_KINDS: Final = values(StationKind)
AMENITIES: Final = values(Amenity)
STATION_ACCESS: Final = values(StationAccess)
STATION_STATUSES: Final = values(StationStatus)
OUTLET_KINDS: Final = values(OutletKind)
LIAISON_ROLES: Final = values(LiaisonRole)
ASSIGNMENT_METHODS: Final = values(AssignmentMethod)
LIAISON_BASE_SOURCES: Final = values(LiaisonBaseSource)
ASSIGNMENT_END_REASONS: Final = values(AssignmentEndReason)
REPORT_KINDS: Final = values(ReportKind)
REPORT_STATUSES: Final = values(ReportStatus)
CASE_CATEGORIES: Final = values(CaseCategory)
CASE_STATUSES: Final = values(CaseStatus)
CASE_ROLES: Final = values(CaseRole)
CASE_CHANNELS: Final = values(CaseChannel)
API_ROLES: Final = values(ApiRole)
LOAD_KINDS: Final = values(LoadKind)
BATCH_STATUSES: Final = values(BatchStatus)
ROW_OUTCOMES: Final = values(RowOutcome)


def describe_words(chinese: dict[str, list[str]]) -> str:
    """Return ``value (词, 词), ...``: each value with the Chinese words that also name it."""
    return ", ".join(
        f"{value} ({', '.join(words)})" if words else value for value, words in chinese.items()
    )
