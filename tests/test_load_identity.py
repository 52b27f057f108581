"""Identity that survives corrections: rows without ids, default sources, absent columns, edits
made through the API, near-duplicates and replacing a source's whole list."""

from pathlib import Path

import pytest
from pyproj import Geod
from sqlalchemy import text
from sqlalchemy.orm import Session

from etl.load import load_file
from geo_api.auth import Principal
from geo_api.batches.reading import get_batch, list_flagged
from geo_api.stations.records import update_station
from geo_api.stations.schemas import StationFields
from tests.loadutil import count

HEADER = "名称,地址,经度,纬度,服务设施"
ROWS = [
    "春熙路暖新驿站,成都市锦江区春熙路1号,104.0817,30.6574,充电、热水",
    "天府广场骑手之家,成都市青羊区人民南路一段,104.0657,30.6574,微波炉",
    "宽窄巷子工会驿站,青羊区宽巷子8号,104.0523,30.6632,饮水",
]
ADMIN = Principal(key_id=1, name="test", role="admin")


def sheet(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def stations(db) -> dict[str, dict]:
    sql = text(
        "SELECT name, source, external_id, status, amenities, address, source_x, source_y, "
        "edited_fields FROM stations"
    )
    with db.connect() as connection:
        return {r.name: dict(r._mapping) for r in connection.execute(sql)}


def flags(db, batch_id: int) -> list[dict]:
    with db.connect() as connection:
        return list_flagged(connection, batch_id)


def test_correcting_a_position_updates_the_station_instead_of_adding_one(db, tmp_path):
    path = sheet(tmp_path / "驿站.csv", ROWS)
    load_file(db, "stations", path, crs="wgs84")
    moved = [ROWS[0].replace("104.0817,30.6574", "104.0821,30.6579"), *ROWS[1:]]
    result = load_file(db, "stations", sheet(path, moved), crs="wgs84")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    assert count(db, "stations") == 3
    assert stations(db)["春熙路暖新驿站"]["source_x"] == 104.0821


def test_a_full_width_name_and_an_address_with_its_city_are_the_same_station(db, tmp_path):
    with db.begin() as connection:  # the names addresses are read with
        connection.execute(
            text(
                "INSERT INTO admin_areas (adcode, name, level, parent_adcode, geom, source) VALUES "
                "('510100', '成都市', 'city', NULL, "
                "ST_Multi(ST_MakeEnvelope(103, 30, 105, 31, 4326)), 't'), "
                "('510104', '锦江区', 'district', '510100', "
                "ST_Multi(ST_MakeEnvelope(104.07, 30.6, 104.1, 30.7, 4326)), 't')"
            )
        )
    path = sheet(
        tmp_path / "驿站.csv",
        ["春熙路暖新驿站（一号店）,成都市锦江区春熙路1号,104.0817,30.6574,充电"],
    )
    load_file(db, "stations", path, crs="wgs84")
    otherwise = [
        "春熙路暖新驿站(一号店) ,锦江区 春熙路1号,104.0817,30.6574,充电",
        "春熙路暖新驿站（二号店）,锦江区春熙路1号,104.0817,30.6574,充电",
    ]
    result = load_file(db, "stations", sheet(path, otherwise), crs="wgs84")
    assert (result.inserted, result.updated) == (1, 1)  # 二号店 is another station
    assert count(db, "stations") == 2
    assert stations(db)["春熙路暖新驿站(一号店)"]["address"] == "锦江区 春熙路1号"


def test_the_same_file_without_source_loads_into_the_same_source(db, tmp_path):
    first = load_file(
        db, "stations", sheet(tmp_path / "锦江区驿站_20240301.csv", ROWS), crs="wgs84"
    )
    renamed = sheet(tmp_path / "锦江区驿站_20240315_v2.csv", ROWS)
    second = load_file(db, "stations", renamed, crs="wgs84")
    assert first.source == second.source == "锦江区驿站"
    assert (second.inserted, second.updated) == (0, 0)
    assert count(db, "stations") == 3


def test_a_column_the_file_does_not_have_leaves_stored_values_alone(db, tmp_path):
    path = sheet(tmp_path / "驿站.csv", ROWS)
    load_file(db, "stations", path, crs="wgs84")
    without = [",".join(row.split(",")[:4]) for row in ROWS]
    result = load_file(db, "stations", sheet(path, without, "名称,地址,经度,纬度"), crs="wgs84")
    assert (result.inserted, result.updated) == (0, 0)
    assert stations(db)["春熙路暖新驿站"]["amenities"] == ["charging", "water"]
    # A blank cell of a column the file has does say "none".
    blanked = [ROWS[0].replace("充电、热水", ""), *ROWS[1:]]
    assert load_file(db, "stations", sheet(path, blanked), crs="wgs84").updated == 1
    assert stations(db)["春熙路暖新驿站"]["amenities"] == []


def test_an_edit_through_the_api_is_kept_and_reported_unless_overwritten(db, tmp_path):
    path = sheet(tmp_path / "驿站.csv", ROWS)
    load_file(db, "stations", path, crs="wgs84")
    with Session(db) as session, session.begin():
        station_id = session.execute(
            text("SELECT id FROM stations WHERE name = '天府广场骑手之家'")
        ).scalar_one()
        update_station(session, station_id, StationFields(amenities="微波炉、充电"), ADMIN)
    kept = load_file(db, "stations", path, crs="wgs84")
    assert (kept.updated, kept.unchanged) == (0, 3)
    assert stations(db)["天府广场骑手之家"]["amenities"] == ["charging", "microwave"]
    (conflict,) = flags(db, kept.batch_id)
    assert (conflict["row_number"], conflict["field"], conflict["reason_code"]) == (
        3,
        "amenities",
        "edit_kept",
    )
    assert (conflict["params"]["stored"], conflict["params"]["file"]) == (
        "charging、microwave",
        "microwave",
    )
    assert "--overwrite-edits" in conflict["reason"]
    with db.connect() as connection:
        notes = get_batch(connection, kept.batch_id)["report"]["notes"]
    assert {"code": "note_conflicts", "params": {"count": 1}} in notes
    overwritten = load_file(db, "stations", path, crs="wgs84", overwrite_edits=True)
    assert overwritten.updated == 1
    assert stations(db)["天府广场骑手之家"]["amenities"] == ["microwave"]
    assert stations(db)["天府广场骑手之家"]["edited_fields"] == {}
    assert [f["reason_code"] for f in flags(db, overwritten.batch_id)] == ["edit_overwritten"]


def test_an_edit_the_file_comes_to_agree_with_is_no_longer_held(db, tmp_path):
    path = sheet(tmp_path / "驿站.csv", ROWS)
    load_file(db, "stations", path, crs="wgs84")
    with Session(db) as session, session.begin():
        station_id = session.execute(
            text("SELECT id FROM stations WHERE name = '宽窄巷子工会驿站'")
        ).scalar_one()
        update_station(session, station_id, StationFields(amenities="饮水、充电"), ADMIN)
    agreeing = [*ROWS[:2], ROWS[2].replace(",饮水", ",饮水、充电")]
    result = load_file(db, "stations", sheet(path, agreeing), crs="wgs84")
    assert flags(db, result.batch_id) == []
    assert stations(db)["宽窄巷子工会驿站"]["edited_fields"] == {}
    later = load_file(db, "stations", sheet(path, ROWS), crs="wgs84")
    assert later.updated == 1  # no edit to keep any more: the file decides again
    assert stations(db)["宽窄巷子工会驿站"]["amenities"] == ["water"]


def test_near_duplicates_across_sources_are_reported_with_their_distance(db, tmp_path):
    load_file(db, "stations", sheet(tmp_path / "a.csv", ROWS), crs="wgs84", source="总工会")
    nearby = [
        "春熙路暖新驿站,春熙路1号附近,104.0818,30.6575,充电",  # about 14 m away
        "另一个驿站,成都市锦江区春熙路9号,104.0817,30.6574,充电",
    ]
    result = load_file(
        db, "stations", sheet(tmp_path / "b.csv", nearby), crs="wgs84", source="团区委"
    )
    (near,) = flags(db, result.batch_id)
    assert (near["row_number"], near["reason_code"]) == (2, "near_duplicate")
    assert near["params"]["other_source"] == "总工会"
    _, _, expected = Geod(ellps="WGS84").inv(104.0817, 30.6574, 104.0818, 30.6575)
    assert near["params"]["distance_m"] == pytest.approx(expected, abs=0.1)


def test_replace_suspends_the_stations_missing_from_the_file_and_lists_them(db, tmp_path):
    path = sheet(tmp_path / "驿站.csv", ROWS)
    load_file(db, "stations", path, crs="wgs84")
    broken = [ROWS[0], "天府广场骑手之家,成都市青羊区人民南路一段,待核实,30.6574,微波炉"]
    result = load_file(db, "stations", sheet(path, broken), crs="wgs84", mode="replace")
    assert (result.suspended, result.rejected) == (1, 1)
    status = {name: s["status"] for name, s in stations(db).items()}
    # 宽窄巷子 is gone from the file: suspended; 天府广场's row was rejected: left as it was.
    assert status == {
        "春熙路暖新驿站": "open",
        "天府广场骑手之家": "open",
        "宽窄巷子工会驿站": "suspended",
    }
    (listed,) = [f for f in flags(db, result.batch_id) if f["reason_code"] == "suspended_missing"]
    assert listed["row_number"] is None and listed["params"]["name"] == "宽窄巷子工会驿站"
    back = load_file(db, "stations", sheet(path, ROWS), crs="wgs84", mode="replace")
    assert back.updated == 1 and stations(db)["宽窄巷子工会驿站"]["status"] == "open"


def test_replace_is_for_stations(db, tmp_path):
    from geo_api.errors import InvalidInput

    path = sheet(tmp_path / "o.csv", ["网点,104.06,30.66"], "名称,经度,纬度")
    with pytest.raises(InvalidInput, match="--mode replace is for stations"):
        load_file(db, "outlets", path, crs="wgs84", mode="replace")


@pytest.mark.parametrize("probe", [True, False])
def test_near_duplicates_are_found_alike_by_probing_and_by_joining_names(db, tmp_path, probe):
    """Both ways of looking (a KNN probe per row, or one join by name) find the same pairs."""
    from etl.write import checks

    rows = [f"驿站{i % 7},地址{i},{104 + (i % 50) * 0.0002:.6f},{30.6 + (i // 50) * 0.0003:.6f},"
            for i in range(300)]  # fmt: skip
    original = checks.flag_near_duplicates

    def forced(*args, **kwargs):
        return original(*args, **{**kwargs, "probe": probe})

    checks.flag_near_duplicates = forced
    try:
        result = load_file(db, "stations", sheet(tmp_path / "many.csv", rows), crs="wgs84")
    finally:
        checks.flag_near_duplicates = original
    found = {
        (f["row_number"], f["params"]["other_external_id"]) for f in flags(db, result.batch_id)
    }
    geod = Geod(ellps="WGS84")
    points = {i + 2: (104 + (i % 50) * 0.0002, 30.6 + (i // 50) * 0.0003) for i in range(300)}
    with db.connect() as connection:
        addresses = dict(
            connection.execute(text("SELECT external_id, address FROM stations")).all()
        )
    row_of = {external: int(address[2:]) + 2 for external, address in addresses.items()}
    by_row = {r: f"驿站{(r - 2) % 7}" for r in points}
    expected = set()
    for row, (x, y) in points.items():
        near = sorted(
            (geod.inv(x, y, *points[other])[2], other)
            for other in points
            if other != row
            and by_row[other] == by_row[row]
            and geod.inv(x, y, *points[other])[2] <= 50
        )[:3]
        expected |= {(row, other) for _, other in near}
    assert len(expected) > 50 and len(row_of) == 300
    assert {(row, row_of[other]) for row, other in found} == expected
