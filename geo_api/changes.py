"""What changed since: the ``data_changes`` log kept by triggers (migration 0004)."""

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_api.areas import like_patterns

# Rows outside every known district are logged under '' and may matter to any area.
CHANGED_SINCE = """
SELECT EXISTS (
    SELECT 1 FROM data_changes
    WHERE changed_at > :since AND layer = ANY(:layers)
      AND (area = '' OR area LIKE ANY(:patterns))
)
"""


def changed_since(session: Session, layers: list[str], area: str, since: datetime) -> bool:
    """Return whether any of ``layers`` changed inside ``area`` after ``since``.

    Only the log's rows after ``since`` are read (an index on ``changed_at``), never the
    layers' own tables.
    """
    found = session.execute(
        text(CHANGED_SINCE),
        {"since": since, "layers": layers, "patterns": like_patterns([area])},
    ).scalar_one()
    return bool(found)
