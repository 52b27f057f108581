"""Request dependencies as ``Annotated`` aliases, so a signature reads as what a route needs."""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_api.auth import Principal, authenticate, require_role
from geo_api.database import iter_session
from geo_api.settings import Settings


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


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session on the read-only autocommit engine (``database.create_read_engine``).

    Async, so it costs no hop through the thread pool.
    """
    with Session(request.app.state.read_engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def get_principal(
    session: SessionDep,
    x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None,
) -> Principal:
    """Return the caller identified by the ``X-API-Key`` header (401 without one)."""
    return authenticate(session, x_api_key)


def role_dependency(*roles: str) -> Callable[[Principal], Principal]:
    """Return a dependency that admits only callers with one of ``roles`` (403 otherwise)."""

    def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        return require_role(principal, roles)

    return dependency


PrincipalDep = Annotated[Principal, Depends(get_principal)]
AdminDep = Annotated[Principal, Depends(role_dependency("admin"))]
PlannerDep = Annotated[Principal, Depends(role_dependency("planner", "admin"))]
GridManagerDep = Annotated[Principal, Depends(role_dependency("grid_manager", "planner", "admin"))]
