"""Liveness of the service and its database."""

from fastapi import APIRouter

from geo_api.dependencies import EngineDep
from geo_api.health import Health, postgis_version
from geo_api.responses import error_responses
from geo_api.routes import DocumentedRoute

router = APIRouter(tags=["health"], route_class=DocumentedRoute)


@router.get("/healthz", response_model=Health, responses=error_responses(503))
def healthz(engine: EngineDep) -> Health:
    """Check the database with one round trip and report the PostGIS version."""
    return Health(status="ok", postgis=postgis_version(engine))
