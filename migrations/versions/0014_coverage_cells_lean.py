"""Coverage cells keep only the indexes their readers use.

- ``ix_coverage_cells_geom`` (GiST on every cell) is dropped: no query reads it. The gaps layer
  and its items read the cells with riders through ``ix_coverage_cells_demand_geom``; the gaps,
  the staleness check and a refresh's DELETE go by city and resolution through the primary key.
  Each refresh paid for it: one GiST insertion per cell, a third of the refresh's work in
  PostgreSQL.

Revision ID: 0014_coverage_cells_lean
Revises: 0013_failed_loads
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_coverage_cells_lean"
down_revision: str | None = "0013_failed_loads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_coverage_cells_geom", table_name="coverage_cells", postgresql_using="gist")


def downgrade() -> None:
    op.create_index(
        "ix_coverage_cells_geom", "coverage_cells", ["geom"], unique=False, postgresql_using="gist"
    )
