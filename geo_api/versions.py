"""Entity tags of stations, liaisons and cases, and ``If-Match`` on their writes.

Two planners editing one station must not lose an edit silently. A GET answers an ``ETag`` that
names the row's version; a PATCH or transition that sends ``If-Match`` with it is applied only
if the row is still that version, else refused with 412. Writes without ``If-Match`` still
apply, as before (last write wins).

The version is the row's physical version in PostgreSQL: ``xmin`` (the transaction that wrote
it) and ``ctid`` (where it lies). Every UPDATE writes a new row version with a new ``ctid``,
even within one transaction, so any change of the row, by the API or a load, changes the tag,
and no column or trigger has to keep a counter. (A ``VACUUM FULL`` moves rows and so changes
tags too: a writer then reads again, which is safe.) The tag is a hash, so it tells nothing.
"""

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.errors import PreconditionFailed

# The entities with tags, and their tables (fixed names, never from a request).
TABLES = {"station": "stations", "liaison": "liaisons", "case": "cases"}


def entity_tag(session: Session, entity: str, entity_id: int, *, lock: bool = False) -> str | None:
    """Return the ``ETag`` of one row (a quoted string), or None when there is no such row.

    With ``lock`` the row is locked until the transaction ends (``FOR UPDATE``), so that the
    write that follows the check applies to the version checked.
    """
    session.flush()
    table = TABLES[entity]
    suffix = " FOR UPDATE" if lock else ""
    row = session.execute(
        text(f"SELECT xmin::text, ctid::text FROM {table} WHERE id = :id{suffix}"),
        {"id": entity_id},
    ).first()
    if row is None:
        return None
    digest = hashlib.sha256(f"{table}:{entity_id}:{row[0]}:{row[1]}".encode()).hexdigest()
    return f'"{digest[:27]}"'


def matches(if_match: str, tag: str) -> bool:
    """Return whether an ``If-Match`` header admits ``tag`` (``*``, or one of its tags)."""
    given = [part.strip() for part in if_match.split(",")]
    return "*" in given or any(part.removeprefix("W/") == tag for part in given)


def check_if_match(session: Session, entity: str, entity_id: int, if_match: str | None) -> None:
    """Lock the row and raise PreconditionFailed unless ``if_match`` names its version.

    Without ``if_match`` nothing is checked. A missing row is left to the write to report (404).
    """
    if if_match is None:
        return
    tag = entity_tag(session, entity, entity_id, lock=True)
    if tag is not None and not matches(if_match, tag):
        raise PreconditionFailed(
            f"the {entity} changed since it was read (If-Match); read it again and retry"
        )
