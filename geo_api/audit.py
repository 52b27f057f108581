"""The audit log: every write, and every reveal of personal information, lands here."""

from typing import Any

from sqlalchemy.orm import Session

from geo_api.models import AuditLog


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry in the caller's transaction, so it commits or rolls back with it."""
    session.add(
        AuditLog(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail or {},
        )
    )
