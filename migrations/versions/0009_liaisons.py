"""Liaisons' base points and deactivation; why and by whom an assignment ended.

- ``liaisons.geom`` (with ``source_crs``, ``source_x``, ``source_y``): where the liaison works
  from; ``base_source`` says whether it was given or is the scope area's representative point.
- ``liaisons.deactivated_at``, kept by the ``warmmap_liaison_active`` trigger whenever ``active``
  changes, by the API or by a load alike. When a liaison turns inactive, the same trigger ends
  their current assignments (``ended_reason = 'liaison_deactivated'``): an inactive liaison is
  never anyone's current liaison, whichever path deactivated them.
- ``outlet_liaisons.ended_by`` and ``ended_reason``.

Liaisons get no ``data_changes`` triggers: no answer or map layer is built from them, and none
may ever be (their names and phones are personal data).

Revision ID: 0009_liaisons
Revises: 0008_cases
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0009_liaisons"
down_revision: str | None = "0008_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

END_REASONS = (
    "replaced",
    "unassigned",
    "auto_moved",
    "liaison_deactivated",
    "liaison_scope_changed",
    "stale",
)

ACTIVE_STAMP = """
CREATE FUNCTION warmmap_liaison_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.active IS DISTINCT FROM OLD.active THEN
        NEW.deactivated_at := CASE WHEN NEW.active THEN NULL ELSE now() END;
    END IF;
    RETURN NEW;
END $$
"""

END_ASSIGNMENTS = """
CREATE FUNCTION warmmap_liaison_deactivated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outlet_liaisons SET ended_at = now(), ended_reason = 'liaison_deactivated',
        ended_by = coalesce(ended_by, current_setting('warmmap.actor', true))
    WHERE liaison_id = NEW.id AND ended_at IS NULL;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.add_column("liaisons", sa.Column("deactivated_at", sa.DateTime(timezone=True)))
    op.add_column(
        "liaisons",
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
    )
    op.add_column("liaisons", sa.Column("base_source", sa.String(length=16)))
    op.add_column("liaisons", sa.Column("source_crs", sa.Text()))
    op.add_column("liaisons", sa.Column("source_x", sa.Double()))
    op.add_column("liaisons", sa.Column("source_y", sa.Double()))
    op.create_check_constraint(
        op.f("ck_liaisons_base_source"), "liaisons", "base_source IN ('given', 'scope_centre')"
    )
    op.create_check_constraint(
        op.f("ck_liaisons_deactivated_at"), "liaisons", "active OR deactivated_at IS NOT NULL"
    )
    op.create_geospatial_index(
        "ix_liaisons_geom", "liaisons", ["geom"], postgresql_using="gist", postgresql_ops={}
    )
    op.add_column("outlet_liaisons", sa.Column("ended_by", sa.Text()))
    op.add_column("outlet_liaisons", sa.Column("ended_reason", sa.String(length=32)))
    reasons = ", ".join(f"'{r}'" for r in END_REASONS)
    op.create_check_constraint(
        op.f("ck_outlet_liaisons_ended_reason"),
        "outlet_liaisons",
        f"ended_reason IS NULL OR ended_reason IN ({reasons})",
    )
    op.execute("UPDATE liaisons SET deactivated_at = updated_at WHERE NOT active")
    op.execute(ACTIVE_STAMP)
    op.execute(END_ASSIGNMENTS)
    op.execute(
        "CREATE TRIGGER liaisons_active_stamp BEFORE INSERT OR UPDATE OF active ON liaisons "
        "FOR EACH ROW EXECUTE FUNCTION warmmap_liaison_active()"
    )
    op.execute(
        "CREATE TRIGGER liaisons_deactivated AFTER INSERT OR UPDATE OF active ON liaisons "
        "FOR EACH ROW WHEN (NOT NEW.active) EXECUTE FUNCTION warmmap_liaison_deactivated()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS liaisons_deactivated ON liaisons")
    op.execute("DROP TRIGGER IF EXISTS liaisons_active_stamp ON liaisons")
    op.execute("DROP FUNCTION IF EXISTS warmmap_liaison_deactivated()")
    op.execute("DROP FUNCTION IF EXISTS warmmap_liaison_active()")
    op.drop_constraint(op.f("ck_outlet_liaisons_ended_reason"), "outlet_liaisons", type_="check")
    op.drop_column("outlet_liaisons", "ended_reason")
    op.drop_column("outlet_liaisons", "ended_by")
    op.drop_geospatial_index(
        "ix_liaisons_geom", table_name="liaisons", postgresql_using="gist", column_name="geom"
    )
    op.drop_constraint(op.f("ck_liaisons_deactivated_at"), "liaisons", type_="check")
    op.drop_constraint(op.f("ck_liaisons_base_source"), "liaisons", type_="check")
    for column in ("source_y", "source_x", "source_crs", "base_source", "geom", "deactivated_at"):
        op.drop_column("liaisons", column)
