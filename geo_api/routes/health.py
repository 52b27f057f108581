"""Liveness of the service and its database."""

from fastapi import APIRouter
from pydantic import BaseModel

from geo_api.dependencies import EngineDep
from geo_api.health import postgis_version

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str
    postgis: str


@router.get("/healthz", response_model=Health, responses={503: {"description": "database down"}})
def healthz(engine: EngineDep) -> Health:
    """Check the database with one round trip and report the PostGIS version."""
    return Health(status="ok", postgis=postgis_version(engine))
