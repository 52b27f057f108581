"""Map layers: gaps read through a partial index, communities' coverage kept per threshold.

- ``ix_coverage_cells_demand_geom``: GiST on the cells with riders only, which the gaps layer
  reads (a few per cent of all cells).
- ``data_changes.xid``: the writing transaction's id, so that a reader holding a snapshot can
  find every change committed after it whatever the commit order (ids are taken at insert,
  commits come later in any order).
- ``community_coverage`` and ``community_coverage_state``: the communities layer's figures per
  threshold, and the snapshot they are up to date with.

Revision ID: 0010_layers
Revises: 0009_liaisons
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_layers"
down_revision: str | None = "0009_liaisons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_coverage_cells_demand_geom",
        "coverage_cells",
        ["geom"],
        postgresql_using="gist",
        postgresql_where=sa.text("riders > 0"),
    )
    op.add_column(
        "data_changes",
        sa.Column(
            "xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id())::text::bigint"),
            nullable=False,
        ),
    )
    op.create_index(op.f("ix_data_changes_xid"), "data_changes", ["xid"])
    op.create_table(
        "community_coverage",
        sa.Column("threshold_m", sa.Double(), nullable=False),
        sa.Column("adcode", sa.String(length=32), nullable=False),
        sa.Column("outlets", sa.Integer(), nullable=False),
        sa.Column("covered_outlets", sa.Integer(), nullable=False),
        sa.Column("riders", sa.Integer(), nullable=False),
        sa.Column("covered_riders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adcode"],
            ["admin_areas.adcode"],
            name=op.f("fk_community_coverage_adcode_admin_areas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("threshold_m", "adcode", name=op.f("pk_community_coverage")),
    )
    op.create_table(
        "community_coverage_state",
        sa.Column("threshold_m", sa.Double(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("threshold_m", name=op.f("pk_community_coverage_state")),
    )


def downgrade() -> None:
    op.drop_table("community_coverage_state")
    op.drop_table("community_coverage")
    op.drop_index(op.f("ix_data_changes_xid"), table_name="data_changes")
    op.drop_column("data_changes", "xid")
    op.drop_index(
        "ix_coverage_cells_demand_geom",
        table_name="coverage_cells",
        postgresql_using="gist",
        postgresql_where=sa.text("riders > 0"),
    )
