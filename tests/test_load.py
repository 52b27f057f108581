"""The database side of a load: batches, rejects, the upsert, derived columns, all or nothing."""

from datetime import UTC, datetime
from pathlib import Path

import h3
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from etl.load import load_normalized
from etl.normalize.table import Rejection
from etl.write.bulk import BULK_MIN_ROWS
from geo_api.batches.reading import get_batch, list_rejects
from tests.loadutil import (
    area,
    count,
    frame,
    load,
    normalized,
    outlet,
    scalars,
)

DISTRICTS = {
    "510104": box(104.00, 30.50, 104.10, 30.70),
    "510105": box(104.10, 30.50, 104.20, 30.70),
}
COMMUNITIES = {
    "510104001001": box(104.02, 30.52, 104.08, 30.60),
    "510105001001": box(104.12, 30.60, 104.18, 30.68),
}


def random_outlets(n: int, seed: int = 7) -> list[dict]:
    rng = np.random.default_rng(seed)
    lons = rng.uniform(103.98, 104.22, n).round(6)
    lats = rng.uniform(30.48, 30.72, n).round(6)
    return [
        outlet(f"o{i}", float(x), float(y)) for i, (x, y) in enumerate(zip(lons, lats, strict=True))
    ]


def load_areas(db, **extra) -> None:
    rows = [area(code, "district", geom) for code, geom in DISTRICTS.items()]
    rows += [area(code, "community", geom, code[:6]) for code, geom in COMMUNITIES.items()]
    load(db, normalized("boundaries", frame(rows)))


def expected_adcode(areas: dict[str, Polygon], lon: float, lat: float) -> str | None:
    inside = sorted(code for code, geom in areas.items() if geom.intersects(Point(lon, lat)))
    return inside[0] if inside else None


def stored_outlets(db) -> dict[str, dict]:
    sql = text(
        "SELECT external_id, name, ST_X(geom) AS lon, ST_Y(geom) AS lat, district_adcode, "
        "community_adcode, h3_r9, updated_at, batch_id FROM outlets"
    )
    with db.connect() as connection:
        return {r.external_id: r._asdict() for r in connection.execute(sql)}


def test_same_rows_twice_change_nothing(db):
    rows = random_outlets(50)
    first = load(db, normalized("outlets", frame(rows)))
    before = stored_outlets(db)
    second = load(db, normalized("outlets", frame(rows)))
    assert (first.inserted, first.updated, first.unchanged) == (50, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 50)
    assert stored_outlets(db) == before
    assert count(db, "load_batches") == 2


def test_changed_rows_are_updated_and_only_they(db):
    rows = random_outlets(20)
    load(db, normalized("outlets", frame(rows)))
    before = stored_outlets(db)
    rows[3] = rows[3] | {"name": "renamed"}
    rows[5] = rows[5] | {"lon": rows[5]["lon"] + 0.001}
    result = load(db, normalized("outlets", frame(rows)))
    after = stored_outlets(db)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 18)
    assert after["o3"]["name"] == "renamed"
    assert after["o5"]["lon"] == pytest.approx(rows[5]["lon"], abs=1e-12)
    for key in ("o3", "o5"):
        assert after[key]["updated_at"] > before[key]["updated_at"]
        assert after[key]["batch_id"] == result.batch_id
    untouched = [k for k in after if k not in ("o3", "o5")]
    assert all(after[k] == before[k] for k in untouched)


def test_rejected_rows_are_kept_with_reasons_in_file_order(db):
    rejected = [
        Rejection(
            9,
            {"名称": "乙", "经度": "30.67", "纬度": "104.06"},
            "longitude and latitude look swapped (30.67, 104.06)",
        ),
        Rejection(4, {"名称": None, "经度": "104.1", "纬度": "30.6"}, "missing name"),
    ]
    result = load(db, normalized("outlets", frame(random_outlets(3)), rejected))
    assert result.rejected == 2 and result.inserted == 3
    with db.connect() as connection:
        rows = list_rejects(connection, result.batch_id)
        batch = get_batch(connection, result.batch_id)
    assert [r["row_number"] for r in rows] == [4, 9]
    assert rows[0] == {
        "row_number": 4,
        "kind": "rejected",
        "reason": "missing name",
        "reason_code": None,
        "params": {},
        "raw": rejected[1].raw,
    }
    assert rows[1]["raw"] == rejected[0].raw
    assert batch["status"] == "committed" and batch["rejected"] == 2 and batch["rows_read"] == 5


def test_derived_columns_match_shapely_and_h3(db):
    load_areas(db)
    rows = random_outlets(400)
    load(db, normalized("outlets", frame(rows)))
    stored = stored_outlets(db)
    for row in rows:
        got = stored[row["external_id"]]
        assert got["district_adcode"] == expected_adcode(DISTRICTS, row["lon"], row["lat"])
        assert got["community_adcode"] == expected_adcode(COMMUNITIES, row["lon"], row["lat"])
        assert got["h3_r9"] == h3.latlng_to_cell(row["lat"], row["lon"], 9)
    assert {s["community_adcode"] for s in stored.values()} == {None, *COMMUNITIES}


def test_changed_boundaries_refresh_the_adcodes_of_points(db):
    load_areas(db)
    rows = random_outlets(300)
    load(db, normalized("outlets", frame(rows)))
    moved = {**COMMUNITIES, "510104001001": box(104.05, 30.62, 104.09, 30.69)}
    changed = [area("510104001001", "community", moved["510104001001"], "510104")]
    result = load(db, normalized("boundaries", frame(changed)))
    assert (result.inserted, result.updated) == (0, 1)
    stored = stored_outlets(db)
    for row in rows:
        want = expected_adcode(moved, row["lon"], row["lat"])
        assert stored[row["external_id"]]["community_adcode"] == want


def test_invalid_polygon_is_repaired_reported_and_a_multipolygon(db):
    bowtie = Polygon([(104.0, 30.5), (104.1, 30.6), (104.1, 30.5), (104.0, 30.6), (104.0, 30.5)])
    assert not bowtie.is_valid
    rows = [area("510104", "district", bowtie), area("510105", "district", DISTRICTS["510105"])]
    result = load(db, normalized("boundaries", frame(rows)))
    assert (result.inserted, result.repaired, result.rejected) == (2, 1, 0)
    with db.connect() as connection:
        stored = dict(
            connection.execute(text("SELECT adcode, ST_AsBinary(geom) FROM admin_areas")).all()
        )
        assert get_batch(connection, result.batch_id)["repaired"] == 1
    repaired = shapely.from_wkb(bytes(stored["510104"]))
    assert repaired.geom_type == "MultiPolygon" and repaired.is_valid
    assert repaired.area == pytest.approx(shapely.make_valid(bowtie).area)
    assert shapely.from_wkb(bytes(stored["510105"])).geom_type == "MultiPolygon"
    again = load(db, normalized("boundaries", frame(rows)))
    assert (again.inserted, again.updated, again.unchanged, again.repaired) == (0, 0, 2, 1)


def test_boundary_with_unknown_parent_is_rejected_with_its_reason(db):
    rows = [
        area("510104", "district", DISTRICTS["510104"]),
        area("510104001", "street", COMMUNITIES["510104001001"], "510104"),
        area("510199001", "street", COMMUNITIES["510105001001"], "510199"),
    ]
    result = load(db, normalized("boundaries", frame(rows)))
    assert (result.inserted, result.rejected) == (2, 1)
    with db.connect() as connection:
        (reject,) = list_rejects(connection, result.batch_id)
    assert reject["row_number"] == 4 and "510199" in reject["reason"]
    assert reject["raw"]["adcode"] == "510199001" and reject["raw"]["geometry"].startswith(
        "POLYGON"
    )


def test_stations_keep_lists_and_hours_and_reload_unchanged(db):
    station = {
        "external_id": "s1",
        "name": "春熙路暖新驿站",
        "kind": "warm_station",
        "address": "锦江区, 春熙路 1 号",
        "phone": "028-1234",
        "amenities": ["water", "charging"],
        "amenities_unknown": ['按摩椅, "大"', "书架"],
        "hours_text": "周一至周五 9:00-17:00",
        "hours": [[540, 1020], [1980, 2460]],
        "hours_unparsed": False,
        "is_24h": False,
        "access": "staffed",
        "capacity": None,
        "area_m2": 35.5,
        "status": "open",
        "last_verified_at": None,
        "synthetic": False,
        "source_crs": "gcj02",
        "source_x": 104.0812,
        "source_y": 30.6551,
        "lon": 104.0787,
        "lat": 30.6575,
    }
    first = load(db, normalized("stations", frame([station]), flagged=1))
    second = load(db, normalized("stations", frame([station]), flagged=1))
    assert (first.inserted, first.flagged) == (1, 1)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 1)
    sql = "SELECT amenities, amenities_unknown, hours, capacity, area_m2, address, source_crs FROM stations"
    with db.connect() as connection:
        row = connection.execute(text(sql)).one()
    assert row == (
        ["water", "charging"],
        ['按摩椅, "大"', "书架"],
        [[540, 1020], [1980, 2460]],
        None,
        35.5,
        "锦江区, 春熙路 1 号",
        "gcj02",
    )


def test_liaisons_upsert_on_source_and_external_id(db):
    liaison = {
        "external_id": "L1",
        "name": "王警官",
        "phone": "13800005596",
        "role": "police",
        "organization": "春熙路派出所",
        "scope_adcode": "510104001",
        "active": True,
        "synthetic": True,
        # no base point: the scope's centre, when the scope is loaded
        "source_crs": None,
        "source_x": None,
        "source_y": None,
        "lon": None,
        "lat": None,
    }
    assert load(db, normalized("liaisons", frame([liaison]))).inserted == 1
    assert load(db, normalized("liaisons", frame([liaison]))).unchanged == 1
    result = load(db, normalized("liaisons", frame([liaison | {"phone": "13900001111"}])))
    assert (result.inserted, result.updated) == (0, 1)
    assert count(db, "liaisons") == 1


def test_a_failure_midway_leaves_nothing_behind(db):
    rows = random_outlets(10)
    rows[7] = rows[7] | {"kind": "spaceship"}  # past normalize, the database refuses it
    batch = normalized(
        "outlets", frame(rows), [Rejection(30, {"名称": "x"}, "missing coordinates")]
    )
    with pytest.raises(IntegrityError):
        load(db, batch)
    for table in ("outlets", "load_batches", "rejected_rows", "audit_log"):
        assert count(db, table) == 0, table


SCHEMA = (
    "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE tablename = 'outlets' "
    "UNION ALL SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = 'outlets'::regclass ORDER BY 1"
)


def assert_derived(db, rows: list[dict]) -> None:
    """The stored rows have the district and H3 cell of their point."""
    stored = stored_outlets(db)
    for row in rows:
        got = stored[row["external_id"]]
        assert got["district_adcode"] == expected_adcode(DISTRICTS, row["lon"], row["lat"])
        assert got["h3_r9"] == h3.latlng_to_cell(row["lat"], row["lon"], 9)


def test_the_first_big_batch_of_an_empty_table_rebuilds_its_indexes_and_stays_right(db):
    before = scalars(db, SCHEMA)
    load_areas(db)
    rows = random_outlets(BULK_MIN_ROWS + 10)
    first = load(db, normalized("outlets", frame(rows)))
    assert (first.inserted, first.updated, first.unchanged) == (len(rows), 0, 0)
    assert scalars(db, SCHEMA) == before
    assert_derived(db, rows[::500])
    duplicate = [rows[0] | {"external_id": "dup"}, rows[1] | {"external_id": "dup"}]
    with pytest.raises(IntegrityError):  # the rebuilt unique key still refuses duplicates
        load(db, normalized("outlets", frame(duplicate)))


def test_a_big_batch_into_a_table_with_rows_keeps_readers_answering_and_stays_right(db):
    before = scalars(db, SCHEMA)
    load_areas(db)
    kept = [r | {"external_id": f"kept{i}"} for i, r in enumerate(random_outlets(10, seed=3))]
    load(db, normalized("outlets", frame(kept)))
    # As big as the first batch of an empty table, which rebuilds the indexes.
    rows = random_outlets(BULK_MIN_ROWS + 10)
    with Session(db) as session, session.begin():
        first = load_normalized(
            session, normalized("outlets", frame(rows)), path=Path(__file__), crs="wgs84",
            source="test", options={}, started_at=datetime.now(UTC),
        )  # fmt: skip
        # Before the batch commits, a rider's query reads the table as it was, without waiting.
        with db.connect() as reader:
            reader.exec_driver_sql("SET lock_timeout = '2s'")
            nearest = (
                reader.execute(
                    text(
                        "SELECT external_id FROM outlets ORDER BY geom::geography <-> "
                        "ST_SetSRID(ST_MakePoint(104.1, 30.6), 4326)::geography LIMIT 3"
                    )
                )
                .scalars()
                .all()
            )
            assert len(nearest) == 3
            assert set(nearest) <= {r["external_id"] for r in kept}
            assert reader.execute(text("SELECT count(*) FROM outlets")).scalar_one() == len(kept)
    assert (first.inserted, first.updated, first.unchanged) == (len(rows), 0, 0)
    assert scalars(db, SCHEMA) == before
    assert_derived(db, rows[::500])
    rows[9] = rows[9] | {"riders": 77}
    again = load(db, normalized("outlets", frame(rows)))
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, len(rows) - 1)
