"""At most N cases per client per hour, exact under concurrency.

A client is a salted hash (of its address, or of the API key an app posts with); nothing else of
it is stored. The check takes a transaction-scoped advisory lock on the client's hash before
counting its cases of the last hour, so two requests of one client are counted one after the
other: the second waits until the first commits (and is counted) or rolls back (and is not).
Rejected requests roll back, so they do not count. Other clients never wait on each other.
"""

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.errors import RateLimited

LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:client_hash, 12))")
RECENT = text("""
SELECT count(*) FROM cases
WHERE client_hash = :client_hash AND created_at > clock_timestamp() - interval '1 hour'
""")


def client_hash(client: str, salt: str) -> str:
    """Return the stored form of a client (an address, or ``key:<id>``)."""
    return hashlib.sha256(f"{salt}:{client}".encode()).hexdigest()


def take(session: Session, hashed_client: str, per_hour: int) -> None:
    """Count one case for the client, or raise RateLimited when it already has ``per_hour``."""
    session.execute(LOCK, {"client_hash": hashed_client})
    recent = session.execute(RECENT, {"client_hash": hashed_client}).scalar_one()
    if recent >= per_hour:
        raise RateLimited(f"at most {per_hour} reports per hour from one client; try later")
