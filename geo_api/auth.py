"""API keys: creation, lookup, roles and scopes.

Keys are 256 random bits, so a plain SHA-256 is a sound way to store them (a slow password hash
guards low-entropy secrets; these are not). The key itself is shown once, at creation.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import func

from geo_api import vocab
from geo_api.areas import contains
from geo_api.errors import Forbidden, InvalidInput, Unauthenticated
from geo_api.models import ApiKey

KEY_PREFIX = "wm_"
TOUCH_EVERY = timedelta(minutes=1)  # how stale a key's last_used_at may get


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key's identity, role and scope."""

    key_id: int
    name: str
    role: str
    scope_adcodes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def actor(self) -> str:
        """Return the name the audit log records for this caller."""
        return f"key:{self.key_id}:{self.name}"

    def covers(self, adcode: str | None) -> bool:
        """Return whether ``adcode`` lies within this caller's scope.

        Containment follows the admin hierarchy (``geo_api.areas.contains``): a city's key
        covers its districts, a district's its streets, a street's its communities. Admins, and
        keys created without a scope, cover everything.
        """
        if self.role == "admin" or not self.scope_adcodes:
            return True
        return any(contains(scope, adcode) for scope in self.scope_adcodes)

    def require_scope(self, adcode: str | None) -> None:
        """Raise Forbidden unless ``adcode`` lies within this caller's scope."""
        if not self.covers(adcode):
            raise Forbidden(f"area {adcode} is outside this key's scope")


def hash_key(key: str) -> str:
    """Return the stored form of ``key``."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, role: str, scope_adcodes: list[str]) -> str:
    """Store a new key for ``role`` and return it; this is the only time it is seen."""
    if role not in vocab.API_ROLES:
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(vocab.API_ROLES)}")
    if role == "grid_manager" and not scope_adcodes:
        raise InvalidInput("a grid_manager key needs at least one --scope ADCODE")
    bad = [s for s in scope_adcodes if not s.isdigit()]
    if bad:
        raise InvalidInput(f"scope adcodes must be digits, got {', '.join(bad)}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            name=name,
            key_prefix=key[: len(KEY_PREFIX) + 6],
            key_hash=hash_key(key),
            role=role,
            scope_adcodes=scope_adcodes,
        )
    )
    session.flush()
    return key


def authenticate(session: Session, key: str | None) -> Principal:
    """Return the caller that ``key`` identifies.

    Raises
    ------
    Unauthenticated
        When no key is given, or it is unknown or revoked.
    """
    if not key:
        raise Unauthenticated("this needs an API key in the X-API-Key header")
    row = session.scalars(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        raise Unauthenticated("unknown or revoked API key")
    touch_key(session, row.id)
    return Principal(row.id, row.name, row.role, tuple(row.scope_adcodes))


def touch_key(session: Session, key_id: int) -> None:
    """Record the key's last use, to the minute, without ever waiting for its row.

    Every request with a key runs this in its own transaction. An UPDATE that waited for the
    row lock made all requests of one key (a grid manager's dashboard, an Open311 app posting
    for many riders) take turns for the whole of each other's transactions: under load the
    case queue took seconds while nearest took milliseconds. So the row is written at most
    once a minute, and skipped while another request holds it.
    """
    stale = (
        select(ApiKey.id)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < func.now() - TOUCH_EVERY),
        )
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    session.execute(update(ApiKey).where(ApiKey.id == stale).values(last_used_at=func.now()))


def require_role(principal: Principal, roles: tuple[str, ...]) -> Principal:
    """Return ``principal`` if its role is one of ``roles``, else raise Forbidden."""
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role} may not do this; it needs {' or '.join(roles)}")
    return principal
