"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from geo_api.database import create_db_engine, create_read_engine, session_factory
from geo_api.handlers import add_exception_handlers
from geo_api.nearest_shortcut import NearestShortcut
from geo_api.read_pool import ReadPool
from geo_api.reference import add_reference_pages, operation_id
from geo_api.routes import (
    assignments,
    batches,
    cases,
    coverage,
    health,
    liaisons,
    metrics,
    ogc,
    open311,
    outlets,
    plan,
    stations,
    tiles,
)
from geo_api.settings import Settings, get_settings
from geo_api.stations.nearest import PoolCandidates
from geo_api.web.stack import install as install_middleware
from geo_api.webmap.page import add_web_map
from tiles.layers import LAYERS
from tiles.service import MapLayers

DESCRIPTION = """
warmmap helps delivery riders, couriers and drivers find warm stations (暖新驿站), helps planners
see where stations are missing, and helps community grid managers give every delivery outlet a
liaison. Spatial answers are GeoJSON in WGS-84 unless `out_crs` asks for GCJ-02 or BD-09.

Reads for workers need no key. Writes, planning and batch reports need an API key in the
`X-API-Key` header (the Authorize button): each operation's security requirement lists the roles
it admits. Every error is `{"detail": "<one line>"}`, a 422 naming the parameter.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the warmmap API for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    engine = create_db_engine(settings, statement_timeout_ms=settings.statement_timeout_ms)
    read_engine = create_read_engine(settings)
    read_pool = ReadPool(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        read_engine.dispose()
        await read_pool.close()

    app = FastAPI(
        title="warmmap",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by add_reference_pages
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_engine = read_engine
    app.state.session_factory = session_factory(engine)
    app.state.station_candidates = PoolCandidates(read_pool)
    app.state.layers = MapLayers(LAYERS, settings)
    add_exception_handlers(app)
    # The nearest shortcut innermost: the body limit, deadline, headers, logs and metrics of
    # geo_api.web wrap its answers as they wrap the routes'.
    app.add_middleware(NearestShortcut)
    install_middleware(app, settings)
    add_reference_pages(app)
    add_web_map(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(batches.router)
    app.include_router(stations.router)
    app.include_router(coverage.router)
    app.include_router(plan.router)
    app.include_router(cases.router)
    app.include_router(open311.router)
    app.include_router(liaisons.router)
    app.include_router(outlets.router)
    app.include_router(assignments.router)
    app.include_router(tiles.router)
    app.include_router(ogc.router)
    return app
