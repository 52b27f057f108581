"""warmmap_open_at(): whether a station is open at a minute of the week, in SQL; kind indexed.

The nearest-station query filters on it, so that ``k`` matching stations come back rather than
``k`` stations of which some are then dropped in Python.

Revision ID: 0003_nearest
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_nearest"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# hours: [[start, end], ...] minutes from Monday 00:00 local time, end exclusive, intervals past
# midnight split at the day boundary; NULL when unknown. IMMUTABLE and a single SELECT, so the
# planner inlines it into the query that calls it.
OPEN_AT = """
CREATE OR REPLACE FUNCTION warmmap_open_at(hours jsonb, is_24h boolean, minute_of_week integer)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN is_24h THEN true
        WHEN hours IS NULL OR jsonb_typeof(hours) <> 'array' THEN NULL
        ELSE EXISTS (
            SELECT 1 FROM jsonb_array_elements(hours) AS interval_
            WHERE (interval_->>0)::integer <= minute_of_week
              AND minute_of_week < (interval_->>1)::integer
        )
    END
$$
"""


def upgrade() -> None:
    op.execute(OPEN_AT)
    # Without it a filter on a rare kind (a few hundred stations nationwide) scans the table.
    op.create_index(op.f("ix_stations_kind"), "stations", ["kind"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stations_kind"), table_name="stations")
    op.execute("DROP FUNCTION IF EXISTS warmmap_open_at(jsonb, boolean, integer)")
