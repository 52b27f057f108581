"""One entry for every move of a case: a manager with a key, or the reporter with the token."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from geo_api.auth import Principal
from geo_api.cases.lifecycle import get_case, manager_move, reporter_move
from geo_api.cases.reads import case_detail
from geo_api.cases.schemas import CaseDetail, TransitionCreate
from geo_api.cases.tokens import token_case
from geo_api.errors import Forbidden, InvalidInput, Unauthenticated


def transition(
    session: Session, case_id: int, body: TransitionCreate, principal: Principal | None
) -> CaseDetail:
    """Move case ``case_id`` as ``body`` asks and return it as the mover sees it."""
    if principal is not None:
        manager_move(session, case_id, body.to, body.note, body.duplicate_of, principal)
        return case_detail(session, case_id, principal, None)
    if not body.token:
        raise Unauthenticated("this needs an API key (X-API-Key) or the reporter's token")
    if body.duplicate_of is not None:
        raise InvalidInput("duplicate_of: only a grid manager merges cases")
    case = get_case(session, case_id, lock=True)
    if token_case(session, case.id, body.token) is None:
        raise Forbidden(f"this token does not follow case {case_id}")
    reporter_move(session, case, body.to, body.note, datetime.now(UTC))
    return case_detail(session, case_id, None, body.token)
