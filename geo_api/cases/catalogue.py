"""The categories riders can report, with who handles each and its time limit in an area."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo_api.cases.categories import CATEGORIES
from geo_api.cases.routing import route_rule
from geo_api.cases.schemas import CategoryList, CategoryOut
from geo_api.errors import NotFound
from geo_api.models import AdminArea


def list_categories(session: Session, area: str | None) -> CategoryList:
    """Return every category with the route that applies in ``area`` (default: everywhere)."""
    if area is not None and session.get(AdminArea, area) is None:
        raise NotFound(f"no area {area}")
    data = []
    for code, category in CATEGORIES.items():
        role, hours = route_rule(session, code, area or "")
        data.append(
            CategoryOut(code=code, name_zh=category.name_zh, name_en=category.name_en,
                        role=role, hours=hours, points=category.points)
        )  # fmt: skip
    return CategoryList(area=area, data=data)


def area_name(session: Session, adcode: str) -> str | None:
    """Return the name of area ``adcode``, if loaded."""
    return session.scalar(select(AdminArea.name).where(AdminArea.adcode == adcode))
