"""Parameters many routes share, bounded so that no number reaches the database unchecked.

PostgreSQL's ``bigint`` ends at 2**63 - 1: a larger id or offset would fail in the database
(a 500) instead of being refused as a parameter (a 422).
"""

from typing import Annotated

from fastapi import Header, Path, Query

MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip, at most 1,000,000,000.")
]


def id_of(what: str) -> object:
    """Return the ``Path`` of an entity's id (at most PostgreSQL's bigint)."""
    return Path(le=MAX_ID, description=f"The {what}'s id.")


StationId = Annotated[int, id_of("station")]
ReportId = Annotated[int, id_of("report")]
LiaisonId = Annotated[int, id_of("liaison")]
OutletId = Annotated[int, id_of("outlet")]
CaseId = Annotated[int, id_of("case")]
PhotoId = Annotated[int, id_of("photo")]
BatchId = Annotated[int, Path(ge=1, le=MAX_ID, description="The batch's id.")]

IfMatch = Annotated[
    str | None,
    Header(
        description="The ETag of the entity as last read: the write applies only if it is "
        "still that version (else 412). Without it, the write applies to whatever is stored."
    ),
]
