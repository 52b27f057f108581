"""The reporter's token: 256 random bits shown once; only its SHA-256 is stored.

A token reads its own case and every case it was merged into (the survivor of a merge, and
the survivor's survivor). Comparisons of stored hashes are in constant time.
"""

import hashlib
import hmac
import secrets

from sqlalchemy import text
from sqlalchemy.orm import Session

TOKEN_PREFIX = "wc_"

# The case and every case merged into it, at any depth: their reporters follow it.
FOLLOWERS = text("""
WITH RECURSIVE followers AS (
    SELECT id, token_hash FROM cases WHERE id = :case_id
    UNION
    SELECT c.id, c.token_hash FROM cases c JOIN followers f ON c.duplicate_of = f.id
)
SELECT id, token_hash FROM followers
""")


def new_token() -> str:
    """Return a fresh token for a reporter."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the stored form of ``token``."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_case(session: Session, case_id: int, token: str | None) -> int | None:
    """Return which case's reporter ``token`` belongs to, if it may follow ``case_id``, else None.

    The answer is ``case_id`` for the case's own reporter, or the id of a case merged into it.
    """
    if not token:
        return None
    presented = hash_token(token)
    found = None
    for row in session.execute(FOLLOWERS, {"case_id": case_id}):
        # Every candidate is compared, so the time taken does not tell which one matched.
        if row.token_hash and hmac.compare_digest(row.token_hash, presented):
            found = int(row.id)
    return found
