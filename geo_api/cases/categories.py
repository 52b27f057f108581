"""What riders can report: each category's names in Chinese and English, and its points.

Who handles a category, and within how many hours, is data (``case_routes``), so a city can
change it per area without a release; the names and the points a verified case earns are code.
"""

from dataclasses import dataclass

from geo_api import vocab


@dataclass(frozen=True)
class Category:
    """A kind of problem a rider can report."""

    code: str
    name_zh: str
    name_en: str
    points: int


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("station_closed", "驿站关闭或上锁", "Station closed or locked", 10),
        Category("station_misplaced", "驿站位置不对", "Station in the wrong place", 10),
        Category("station_hours_wrong", "驿站开放时间不对", "Station hours wrong", 5),
        Category("fire_hazard", "消防隐患", "Fire hazard", 20),
        Category("blocked_passage", "通道堵塞", "Blocked passage", 10),
        Category("no_rider_entry", "小区不让骑手进", "No rider entry to a compound", 10),
        Category("no_parking", "无处停车", "Nowhere to park", 5),
        Category("building_hard_to_find", "楼栋难找", "Building hard to find", 5),
        Category("road_hazard", "道路隐患", "Road hazard", 15),
        Category("other", "其他", "Other", 5),
    )
}
assert tuple(CATEGORIES) == vocab.CASE_CATEGORIES

STATION_CATEGORIES = ("station_closed", "station_misplaced", "station_hours_wrong")
# The rider-friendly community's three complaints (Pudong's 友好社区): entry, parking, finding.
FRIENDLINESS = {
    "entry": "no_rider_entry",
    "parking": "no_parking",
    "finding": "building_hard_to_find",
}

# Workers' station reports (POST /stations/{id}/reports) and the categories they became.
REPORT_KIND_CATEGORY = {
    "closed": "station_closed",
    "wrong_location": "station_misplaced",
    "hours_wrong": "station_hours_wrong",
    "other": "other",
}
CATEGORY_REPORT_KIND = {c: k for k, c in REPORT_KIND_CATEGORY.items()}

ROLE_NAMES = {
    "community_liaison": ("社区联络员", "community liaison"),
    "police_liaison": ("派出所联络员", "police liaison"),
    "station_contact": ("驿站负责人", "the station's own contact"),
    "street_office": ("街道办", "street office"),
}
