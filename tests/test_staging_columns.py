"""The staging columns come from the models: types, defaults, and nothing a file does not give."""

import pandas as pd
import pytest
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from etl.write.staging import COLUMNS, LOADED, NOT_FROM_FILES, copy_stream, staging_columns
from geo_api.models import Station


def test_a_table_gives_its_file_columns_with_types_and_defaults():
    table = Table(
        "shelters",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("source", Text),
        Column("name", Text),
        Column("kind", String(32), server_default=text("'tent'")),
        Column("beds", Integer, server_default=text("0")),
        Column("heated", Boolean),
        Column("tags", ARRAY(Text), server_default=text("'{}'::text[]")),
        Column("extra", JSONB),
        Column("checked_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True)),
    )
    staged = [(c.name, c.pg_type, c.default_sql) for c in staging_columns(table)]
    assert staged == [
        ("name", "text", None),
        ("kind", "text", "'tent'"),
        ("beds", "integer", "0"),
        ("heated", "boolean", None),
        ("tags", "text[]", "'{}'::text[]"),
        ("extra", "jsonb", None),
        ("checked_at", "timestamp with time zone", None),
    ]


def test_stations_stage_every_column_of_the_model_a_file_can_give():
    model_columns = {c.name for c in Station.__table__.columns} - NOT_FROM_FILES
    assert {c.name for c in LOADED["stations"]} == model_columns
    assert [c.name for c in COLUMNS["stations"]][-2:] == ["lon", "lat"]


def test_a_column_the_normalizer_does_not_produce_stops_the_batch():
    records = pd.DataFrame(
        {c.name: [None] for c in COLUMNS["outlets"] if c.name not in ("brand", "h3_r9")}
        | {"lon": [104.0], "lat": [30.6], "row_number": [2]}
    )
    with pytest.raises(ValueError, match="outlets: the normalized records lack brand"):
        copy_stream("outlets", records)
