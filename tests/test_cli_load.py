"""``warmmap load`` and ``warmmap rejects`` as a user runs them (a load killed: test_faults_load)."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.loadutil import count, scalars

FIXTURES = Path(__file__).parent / "fixtures" / "load"
INDEXES = "SELECT indexname FROM pg_indexes WHERE tablename = 'outlets'"


def warmmap(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    locale = {"LC_ALL": "C.UTF-8"}  # reasons in English, whatever the machine's locale
    env = os.environ | {"WARMMAP_DATABASE_URL": url} | locale | (env or {})
    command = [sys.executable, "-m", "warmmap_cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_load_prints_the_batch_and_rejects_lists_its_rows(db_url_engine):
    url, engine = db_url_engine
    done = warmmap(url, "load", "stations", str(FIXTURES / "stations_gcj02.csv"), "--crs", "gcj02")
    assert done.returncode == 0, done.stderr
    (batch_id,) = scalars(engine, "SELECT max(id) FROM load_batches")
    lines = done.stdout.splitlines()
    assert lines[0] == f"batch {batch_id}: 3 inserted, 0 updated, 4 rejected, 2 flagged, 0 skipped"
    # Then the report: where the source came from, which column fed which field, what is absent.
    assert lines[1] == "  source 'stations_gcj02' (the file's name)"
    assert lines[2].startswith("  columns used: 编号 → external_id, 名称 → name")
    assert lines[-1].startswith(f"  see the rows: warmmap rejects {batch_id}, warmmap flagged")
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    listed = warmmap(url, "rejects", str(batch_id))
    assert listed.returncode == 0, listed.stderr
    table = list(csv.reader(io.StringIO(listed.stdout), delimiter="\t"))
    assert table[0] == ["row", "outcome", "reason", "row as given"]
    assert [row[0] for row in table[1:]] == ["4", "5", "6", "7"]
    assert "swapped" in table[1][2]
    assert json.loads(table[1][3])["名称"] == "坐标颠倒的驿站"
    again = warmmap(url, "load", "stations", str(FIXTURES / "stations_gcj02.csv"), "--crs", "gcj02")
    assert again.stdout.splitlines()[0].endswith(
        ": 0 inserted, 0 updated, 4 rejected, 2 flagged, 0 skipped"
    )


def test_map_names_columns_the_aliases_do_not_know(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = tmp_path / "outlets.csv"
    path.write_text("代号,网点,东经,北纬\nA1,顺丰春熙,104.05,30.55\n", encoding="utf-8")
    args = ["load", "outlets", str(path), "--crs", "wgs84", "--source", "sf"]
    mapped = ["--map", "external_id=代号", "--map", "name=网点", "--map", "lon=东经"]
    mapped += ["--map", "lat=北纬"]
    done = warmmap(url, *args, *mapped)
    assert done.returncode == 0, done.stderr
    assert ": 1 inserted, 0 updated, 0 rejected" in done.stdout.splitlines()[0]
    with engine.connect() as connection:
        row = connection.execute(text("SELECT source, external_id, name FROM outlets")).one()
    assert tuple(row) == ("sf", "A1", "顺丰春熙")


def test_times_without_an_offset_are_in_the_configured_time_zone(db_url_engine, tmp_path):
    # A station sheet from Kashgar's street office, its times written in Xinjiang time (UTC+6).
    url, engine = db_url_engine
    path = tmp_path / "stations.csv"
    path.write_text("名称,经度,纬度,核验时间\n喀什暖新驿站,75.99,39.47,2025-01-03 10:00\n")
    env = {"WARMMAP_TIMEZONE": "Asia/Urumqi"}
    done = warmmap(url, "load", "stations", str(path), "--crs", "wgs84", env=env)
    assert done.returncode == 0, done.stderr
    with engine.connect() as connection:
        verified = connection.execute(
            text(
                "SELECT to_char(last_verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM stations"
            )
        ).scalar_one()
    assert verified == "2025-01-03 04:00"


def test_an_unknown_time_zone_is_one_line(db_url_engine, tmp_path):
    url, engine = db_url_engine
    path = FIXTURES / "stations_gcj02.csv"
    done = warmmap(
        url,
        "load",
        "stations",
        str(path),
        "--crs",
        "gcj02",
        env={"WARMMAP_TIMEZONE": "Mars/Olympus"},
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: WARMMAP_TIMEZONE: unknown time zone 'Mars/Olympus': "
        "use an IANA name, e.g. Asia/Shanghai\n"
    )
    assert count(engine, "load_batches") == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "outlets", "nowhere.csv", "--crs", "wgs84"], "no such file"),
        (["load", "outlets", "outlets.xlsx", "--crs", "gauss"], "gauss"),
        (["load", "outlets", "outlets.xlsx", "--crs", "wgs84", "--map", "lon"], "FIELD=COLUMN"),
        (["load", "outlets", "liaisons_bom.csv", "--crs", "wgs84"], "lon"),
        (["load", "boundaries", "districts.geojson", "--crs", "wgs84", "--level", "moon"], "moon"),
        (["load", "rivers", "outlets.xlsx", "--crs", "wgs84"], "unknown kind"),
        (["rejects", "999999"], "no batch 999999"),
    ],
)
def test_unprocessable_input_exits_2_with_one_line(db_url_engine, args, message):
    url, engine = db_url_engine
    args = [str(FIXTURES / a) if a.endswith((".csv", ".xlsx", ".geojson")) else a for a in args]
    done = warmmap(url, *args)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert done.stdout == ""
    assert count(engine, "load_batches") == 0


def test_load_reports_in_chinese_and_takes_sheet_and_header_row(db_url_engine):
    url, _ = db_url_engine
    sheet = Path(__file__).parent / "fixtures" / "sheets" / "锦江区驿站统计表_20240315_v2.xlsx"
    args = ["load", "stations", str(sheet), "--sheet", "驿站统计", "--header-row", "4"]
    done = warmmap(url, *args, "--lang", "zh")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(
        "新增 7，更新 0，拒绝 0，标记 1，跳过 5"
    )  # no districts: no position check
    assert "  数据来源「锦江区总工会」（表格的填报单位）" in lines
    assert "  读取工作表「驿站统计」，表头在第 4 行" in lines
    wrong = warmmap(url, *args[:3], "--header-row", "2")  # the 填报单位 line is no header
    assert wrong.returncode == 2 and "required column 'name' is missing" in wrong.stderr
    assert "(header row" not in wrong.stderr and wrong.stderr.count("\n") == 1
