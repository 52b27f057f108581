"""The hostile corpus: each file gets a clear refusal or a correct load, never a crash.

A refusal is one line that says what is wrong (and, for a limit, the variable that raises it)
and leaves no row behind; a load commits its batch whole, its refused rows kept with reasons.
The small files are in fixtures/hostile; the large ones are made by tests/hostile.py. (The
decompression-bomb photo is test_case_photos.py's: POST /cases answers 422 before decoding.)
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from etl.load import load_file
from geo_api.errors import InvalidInput
from geo_api.settings import get_settings
from tests import hostile
from tests.loadutil import count, scalars


@dataclass(frozen=True)
class Refused:
    """The load ends with one line holding ``says``, and writes nothing."""

    says: str


@dataclass(frozen=True)
class Loaded:
    """The load commits: ``inserted`` rows, and rejected rows with these reasons, in order."""

    inserted: int
    reasons: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


CSV = {"crs": "wgs84"}
CORPUS = [
    # What a file is before what it says.
    ("outlets", hostile.link_to_passwd, CSV, Refused("is a symbolic link")),
    ("outlets", hostile.fifo, CSV, Refused("is a FIFO (named pipe), not a file")),
    ("outlets", hostile.device, CSV, Refused("is a character device, not a file")),
    # Sizes, checked before parsing.
    ("outlets", hostile.zip_bomb, CSV, Refused("unpacks to 64.0 MB, over the limit of 16 MB")),
    ("stations", hostile.xlsx_bomb, CSV, Refused("raise WARMMAP_LOAD_MAX_UNPACKED_MB")),
    ("outlets", hostile.traversal_zip, CSV, Refused("which points outside the archive")),
    ("outlets", hostile.long_line, CSV, Refused("raise WARMMAP_LOAD_MAX_LINE_KB")),
    ("outlets", hostile.million_columns, CSV, Refused("has 1000004 columns, over the limit")),
    ("outlets", hostile.long_cell, CSV, Refused("raise WARMMAP_LOAD_MAX_CELL_CHARS")),
    (
        "boundaries",
        hostile.many_vertices,
        {"crs": "wgs84", "level": "district"},
        Refused("feature 1 of many_vertices.geojson has 500001 vertices"),
    ),
    # Ambiguity said, not guessed.
    ("outlets", hostile.two_layers, CSV, Refused("has 2 layers (顺丰, 京东): choose one with")),
    ("outlets", hostile.committed("duplicate_headers.csv"), CSV, Refused("appears more than once")),
    (
        "outlets",
        hostile.committed("mixed_encodings.csv"),
        CSV,
        Refused("line 1 is UTF-8 but line 3 is not"),
    ),
    (
        "outlets",
        hostile.committed("gb18030.csv"),
        {"crs": "wgs84", "encoding": "utf-8"},
        Refused("the file is not utf-8"),
    ),
    ("outlets", hostile.committed("empty.csv"), CSV, Refused("the file is empty")),
    # Values: loaded as given, or their rows refused with a reason.
    ("outlets", hostile.committed("headers_only.csv"), CSV, Loaded(0)),
    ("stations", hostile.committed("formula_cells.csv"), CSV, Loaded(3)),
    ("stations", hostile.committed("sql_and_control.csv"), CSV, Loaded(2)),
    (
        "outlets",
        hostile.committed("nan_inf_huge.csv"),
        CSV,
        Loaded(
            1,
            [
                "number_too_large",
                "number_too_large",
                "not_whole_number",
                "not_whole_number",
                "not_whole_number",
                "not_whole_number",
                "non_numeric_coordinates",
            ],
        ),
    ),
    ("outlets", hostile.committed("nul_bytes.csv"), CSV, Loaded(1, ["nul_character"])),
    (
        "stations",
        hostile.committed("bidi_names.csv"),
        CSV,
        Loaded(2, ["invisible_character"] * 3, ["mixed_scripts"]),
    ),
    ("stations", hostile.long_name, CSV, Loaded(1, ["too_long"])),
    ("outlets", hostile.excel_ids, CSV, Loaded(2, ["id_not_exact"])),
]


@pytest.fixture
def small_unpack_limit(monkeypatch):
    monkeypatch.setenv("WARMMAP_LOAD_MAX_UNPACKED_MB", str(hostile.BOMB_MB // 4))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("kind", "make", "options", "expected"),
    CORPUS,
    ids=[f"{kind}-{make.__name__}" for kind, make, _, _ in CORPUS],
)
@pytest.mark.usefixtures("small_unpack_limit")
def test_a_hostile_file_is_refused_clearly_or_loaded_whole(
    db, tmp_path, kind, make, options, expected
):
    path: Path = make(tmp_path)
    table = "admin_areas" if kind == "boundaries" else kind
    if isinstance(expected, Refused):
        with pytest.raises(InvalidInput) as refused:
            load_file(db, kind, path, **options)
        assert "\n" not in refused.value.detail
        assert expected.says in refused.value.detail
        assert count(db, table) == 0
        assert count(db, "load_batches") == 0
        return
    result = load_file(db, kind, path, **options)
    assert result.inserted == expected.inserted == count(db, table)
    assert scalars(db, "SELECT status FROM load_batches") == ["committed"]
    reasons = scalars(db, "SELECT reason_code FROM rejected_rows ORDER BY row_number")
    assert reasons == expected.reasons
    flags = scalars(db, "SELECT DISTINCT reason_code FROM flagged_rows WHERE field = 'name'")
    assert flags == expected.flags


def test_sql_and_control_characters_are_stored_exactly_as_given(db):
    load_file(db, "stations", hostile.FIXTURES / "sql_and_control.csv", crs="wgs84")
    with db.connect() as connection:
        rows = connection.execute(
            text("SELECT external_id, name, address, phone, hours_text FROM stations ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [
        (
            "x'); DROP TABLE stations; --",
            "驿站'; DELETE FROM outlets; --",
            "人民路\x01\x1b[31m红\x7f号\u2028楼",
            "1' OR '1'='1",
            "%s %(x)s {0} $1 \\N \\.",
        ),
        (
            'Robert"); --',
            "<script>alert(1)</script>驿站",
            "路\t甲\x0b乙\x0c丙",
            "\x08\x07",
            "周一至周日 0:00-24:00",
        ),
    ]


def test_formula_cells_are_stored_as_text_and_ids_from_excel_as_typed(db, tmp_path):
    load_file(db, "stations", hostile.FIXTURES / "formula_cells.csv", crs="wgs84")
    load_file(db, "outlets", hostile.excel_ids(tmp_path), crs="wgs84")
    names = scalars(db, "SELECT name FROM stations ORDER BY external_id")
    assert names == ['=HYPERLINK("http://evil.example","点我")', "@SUM(A1:A9)", "+驿站"]
    ids = scalars(db, "SELECT external_id FROM outlets ORDER BY name")
    assert sorted(ids) == ["12345678901234567890", "510104001"]
