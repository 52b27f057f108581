"""Who may see a liaison's name and phone, how the rest see them, and the audit of each reveal.

A liaison's name and phone are revealed only to ``admin`` keys and to ``grid_manager`` keys whose
scope covers the liaison's scope (``geo_api.areas.contains``: a street's manager covers the
street's community liaisons; a community's manager does not cover the street's police liaisons,
whose scope is wider than theirs). Everyone else sees them masked: the phone as ``138****5596``
(first three and last four digits), the name as its first character and a star for each other
one (``张*``; ``欧***`` for 欧阳娜娜), and their external id is null (a file's own id can be a
badge or staff number). Every answer that reveals a liaison writes one ``audit_log`` row per
liaison revealed (action ``reveal``), in the answer's own transaction.
"""

from collections.abc import Iterable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from geo_api.areas import contains
from geo_api.auth import Principal
from geo_api.models import AuditLog

_KEEP_HEAD = 3
_KEEP_TAIL = 4


def may_reveal(principal: Principal | None, scope_adcode: str | None) -> bool:
    """Return whether ``principal`` may see the name and phone of a liaison of ``scope_adcode``."""
    if principal is None:
        return False
    if principal.role == "admin":
        return True
    if principal.role != "grid_manager" or not principal.scope_adcodes:
        return False
    return any(contains(scope, scope_adcode) for scope in principal.scope_adcodes)


def mask_phone(phone: str | None) -> str | None:
    """Return ``phone`` with all but its first three and last four characters starred.

    >>> mask_phone("13800005596")
    '138****5596'
    >>> mask_phone("028-86001234")
    '028*****1234'
    >>> mask_phone("110")
    '***'
    """
    if phone is None:
        return None
    phone = phone.strip()
    if len(phone) <= _KEEP_HEAD + _KEEP_TAIL:
        return "*" * len(phone)
    hidden = len(phone) - _KEEP_HEAD - _KEEP_TAIL
    return phone[:_KEEP_HEAD] + "*" * hidden + phone[-_KEEP_TAIL:]


def mask_name(name: str) -> str:
    """Return ``name`` with its first character kept and every other one starred.

    >>> mask_name("张伟"), mask_name("欧阳娜娜"), mask_name("Li")
    ('张*', '欧***', 'L*')
    """
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def record_reveals(
    session: Session, principal: Principal, liaison_ids: Iterable[int], via: str
) -> int:
    """Write one ``reveal`` audit row per liaison shown unmasked; return how many."""
    ids = sorted(set(liaison_ids))
    if ids:
        rows = [
            {
                "actor": principal.actor,
                "action": "reveal",
                "entity": "liaison",
                "entity_id": str(i),
                "detail": {"via": via},
            }
            for i in ids
        ]
        session.execute(insert(AuditLog), rows)
    return len(ids)
