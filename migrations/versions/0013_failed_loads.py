"""Failed loads: ``load_batches.failure`` says why a batch ended ``failed``.

A load records its batch in a transaction of its own before the data's, so that a load that
fails (or is killed) leaves its batch behind, marked ``failed`` with the reason; its rows, in the
data's transaction, are rolled back whole.

Revision ID: 0013_failed_loads
Revises: 0011_etl_identity
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_failed_loads"
down_revision: str | None = "0011_etl_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("load_batches", sa.Column("failure", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("load_batches", "failure")
