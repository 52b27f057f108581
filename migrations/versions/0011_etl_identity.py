"""The data officer's loads: flagged rows, skipped rows, batch reports, extra columns, API edits.

- ``flagged_rows``: values of loaded rows read with a guess, defaulted or not understood, and
  records a load reports (edits kept, near-duplicates, stations suspended by a replace).
- ``rejected_rows`` gains ``kind`` (rejected or skipped), ``reason_code`` and ``params``, so a
  reason renders in Chinese or English; ``load_batches`` gains ``skipped`` and ``report``.
- ``extra`` on every loaded table keeps the columns that feed no field; ``stations.edited_fields``
  remembers what the API changed, so a load does not silently undo it.
- ``outlets.riders`` may be NULL: a blank count is unknown, not zero.
- ``warmmap_name_key(name)``: a name as compared for near-duplicates (``geo_api.vocab.names``
  does the same in Python); ``stations.name_key`` and ``outlets.name_key`` keep it, filled here
  for the rows already stored.

Revision ID: 0011_etl_identity
Revises: 0010_layers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_etl_identity"
down_revision: str | None = "0010_layers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY = sa.text("'{}'::jsonb")
EXTRA_TABLES = ("admin_areas", "stations", "outlets", "liaisons")
NAMED_TABLES = ("stations", "outlets")

# NFKC folds full-width letters, digits and brackets; the other brackets Chinese text uses become
# round ones; case and white space do not count. Keep in step with geo_api.vocab.names.
NAME_KEY = """
CREATE OR REPLACE FUNCTION warmmap_name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT lower(regexp_replace(
        translate(normalize(name, NFKC), '[]{}【】〔〕〖〗「」『』〈〉《》・•‧∙',
                  '()()()()()()()()()····'),
        '[[:space:]]+', '', 'g'))
$$
"""


def upgrade() -> None:
    op.add_column(
        "load_batches", sa.Column("skipped", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "load_batches",
        sa.Column("report", postgresql.JSONB(), server_default=EMPTY, nullable=False),
    )
    op.add_column(
        "rejected_rows",
        sa.Column("kind", sa.String(16), server_default=sa.text("'rejected'"), nullable=False),
    )
    op.add_column("rejected_rows", sa.Column("reason_code", sa.Text(), nullable=True))
    op.add_column(
        "rejected_rows",
        sa.Column("params", postgresql.JSONB(), server_default=EMPTY, nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_rejected_rows_kind"), "rejected_rows", "kind IN ('rejected', 'skipped')"
    )
    op.create_table(
        "flagged_rows",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("value", postgresql.JSONB(), nullable=True),
        sa.Column("reason_code", sa.Text(), nullable=False),
        sa.Column("params", postgresql.JSONB(), server_default=EMPTY, nullable=False),
        sa.Column("raw", postgresql.JSONB(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_flagged_rows_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flagged_rows")),
    )
    op.create_index(
        "ix_flagged_rows_batch_id_row_number", "flagged_rows", ["batch_id", "row_number"]
    )
    for table in EXTRA_TABLES:
        op.add_column(
            table, sa.Column("extra", postgresql.JSONB(), server_default=EMPTY, nullable=False)
        )
    op.add_column(
        "stations",
        sa.Column("edited_fields", postgresql.JSONB(), server_default=EMPTY, nullable=False),
    )
    op.drop_constraint(op.f("ck_outlets_riders"), "outlets", type_="check")
    op.alter_column("outlets", "riders", nullable=True, server_default=None)
    op.create_check_constraint(
        op.f("ck_outlets_riders"), "outlets", "riders IS NULL OR riders >= 0"
    )
    op.execute(NAME_KEY)
    for table in NAMED_TABLES:
        op.add_column(table, sa.Column("name_key", sa.Text(), nullable=True))
        op.execute(f"UPDATE {table} SET name_key = warmmap_name_key(name)")


def downgrade() -> None:
    for table in NAMED_TABLES:
        op.drop_column(table, "name_key")
    op.execute("DROP FUNCTION IF EXISTS warmmap_name_key(text)")
    op.drop_constraint(op.f("ck_outlets_riders"), "outlets", type_="check")
    op.execute("UPDATE outlets SET riders = 0 WHERE riders IS NULL")
    op.alter_column("outlets", "riders", nullable=False, server_default=sa.text("0"))
    op.create_check_constraint(op.f("ck_outlets_riders"), "outlets", "riders >= 0")
    op.drop_column("stations", "edited_fields")
    for table in EXTRA_TABLES:
        op.drop_column(table, "extra")
    op.drop_index("ix_flagged_rows_batch_id_row_number", table_name="flagged_rows")
    op.drop_table("flagged_rows")
    op.drop_constraint(op.f("ck_rejected_rows_kind"), "rejected_rows", type_="check")
    op.drop_column("rejected_rows", "params")
    op.drop_column("rejected_rows", "reason_code")
    op.drop_column("rejected_rows", "kind")
    op.drop_column("load_batches", "report")
    op.drop_column("load_batches", "skipped")
