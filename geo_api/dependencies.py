"""Request dependencies as ``Annotated`` aliases, so a signature reads as what a route needs."""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_api import vocab
from geo_api.auth import Principal, authenticate, require_role
from geo_api.database import allow_long_statements, iter_session
from geo_api.settings import Settings
from geo_api.stations.nearest import CandidateReader
from tiles.service import MapLayers

# The OpenAPI security scheme (Swagger UI's Authorize button). auto_error=False: a missing key is
# answered by ``authenticate`` with warmmap's own one-line 401, not FastAPI's 403.
API_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKey",
    auto_error=False,
    description=(
        "An API key made by `warmmap keys create --role ROLE [--scope ADCODE ...]`. Roles: "
        + ", ".join(vocab.API_ROLES)
        + ". An operation's security requirement lists the roles it admits; a key with scopes "
        "acts only inside its areas (a city's key covers its districts, streets and communities)."
    ),
)


# Where geo_api.web.keyfirst leaves the caller it authenticated before the body was read.
PRINCIPAL_SCOPE_KEY = "warmmap.principal"


def get_settings_dep(request: Request) -> Settings:
    """Return the settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """Return the app's engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """Yield a session for one request: committed if the route succeeds, else rolled back."""
    yield from iter_session(request.app.state.session_factory)


def get_long_session(
    session: Annotated[Session, Depends(get_session)], request: Request
) -> Session:
    """Return the request's session, its statements allowed the long timeout.

    For plans, refreshes and auto-assignments, whose work is bounded by their own limits.
    """
    allow_long_statements(session, request.app.state.settings.long_statement_timeout_ms)
    return session


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session on the read-only autocommit engine (``database.create_read_engine``).

    Async, so it costs no hop through the thread pool.
    """
    with Session(request.app.state.read_engine) as session:
        yield session


async def get_station_candidates(request: Request) -> CandidateReader:
    """Return where nearest-station candidates are read: the app's asyncpg pool."""
    reader: CandidateReader = request.app.state.station_candidates
    return reader


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session for a read path that may need to write; the route commits it.

    Async and lazy (no connection until used), so a route that rarely writes pays nothing.
    """
    with request.app.state.session_factory() as session:
        yield session


async def get_map_layers(request: Request) -> MapLayers:
    """Return the app's map layers: the registry, the tile cache, the change reader."""
    layers: MapLayers = request.app.state.layers
    return layers


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
# scope="function": the session commits before the answer is sent, so a client that reads
# right after a write sees it, and a failed commit is answered as an error, never after a 2xx
# (FastAPI's default for dependencies with yield is to end them after the response is sent).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
LongSessionDep = Annotated[Session, Depends(get_long_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
StationCandidatesDep = Annotated[CandidateReader, Depends(get_station_candidates)]
MapLayersDep = Annotated[MapLayers, Depends(get_map_layers)]


def get_principal(
    request: Request, session: SessionDep, api_key: Annotated[str | None, Security(API_KEY)]
) -> Principal:
    """Return the caller identified by the ``X-API-Key`` header (401 without one).

    A write's caller was authenticated before its body was read (``geo_api.web.keyfirst``),
    and is taken from the request's scope.
    """
    known: Principal | None = request.scope.get(PRINCIPAL_SCOPE_KEY)
    return known if known is not None else authenticate(session, api_key)


def get_optional_principal(
    session: SessionDep, api_key: Annotated[str | None, Security(API_KEY)]
) -> Principal | None:
    """Return the caller of the ``X-API-Key`` header, or None without one (a public caller)."""
    return authenticate(session, api_key) if api_key else None


def role_dependency(*roles: vocab.ApiRole) -> Callable[[Principal], Principal]:
    """Return a dependency that admits only callers with one of ``roles`` (403 otherwise).

    The roles become the scopes of the operation's security requirement, which is how OpenAPI
    3.1 names the roles an API-key operation needs.
    """

    def dependency(
        principal: Annotated[Principal, Security(get_principal, scopes=list(roles))],
    ) -> Principal:
        return require_role(principal, roles)

    return dependency


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]
PlannerDep = Annotated[Principal, Depends(role_dependency("planner", "admin"))]
GridManagerDep = Annotated[Principal, Depends(role_dependency("grid_manager", "planner", "admin"))]
# Who looks after liaisons and assignments: grid managers in their scope, and admins.
LiaisonManagerDep = Annotated[Principal, Depends(role_dependency("grid_manager", "admin"))]
