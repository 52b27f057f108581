"""The Dask batch writes what the single-node refresh writes, city by city."""

import pytest
from alembic import command
from distributed import Client, LocalCluster
from shapely.geometry import box
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from geo_api.coverage.batch import city_frame, prepare_batch, run_batch
from geo_api.coverage.refresh import refresh_city
from geo_api.database import sqlalchemy_url
from geo_api.errors import NotFound
from geo_api.migrate import alembic_config
from tests.coverage_city import CITY, build_city, make_area, make_outlet, make_station
from tests.dbutil import create_database, drop_database

# A second city east of the small city: edge cells find their nearest across the border.
EAST_CITY = "519800"
CELLS = """
SELECT city_adcode, h3, ST_AsEWKB(geom) AS geom, outlets, riders, nearest_station_id,
       nearest_station_m
FROM coverage_cells WHERE res = 8 ORDER BY city_adcode, h3
"""


@pytest.fixture(scope="module")
def two_cities():
    url = create_database("warmmap_test_batch")
    engine = create_engine(sqlalchemy_url(url))
    try:
        command.upgrade(alembic_config(url), "head")
        with Session(engine) as session, session.begin():
            build_city(session, seed=3, n_stations=6, n_outlets=60)
            make_area(session, EAST_CITY, "city", box(104.10, 30.58, 104.18, 30.70), None)
            make_station(session, 104.17, 30.69)
            for i in range(12):
                make_outlet(session, 104.11 + 0.005 * i, 30.6 + 0.006 * i, i)
        yield url, engine
    finally:
        engine.dispose()
        drop_database(url)


def test_a_batch_on_two_workers_writes_what_single_refreshes_write(two_cities):
    url, engine = two_cities
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        with Session(engine) as session:
            batch = prepare_batch(session, [CITY, EAST_CITY], 8)
        result = run_batch(client, url, batch)
    assert result.workers == 2 and sorted(result.cities["city"]) == [EAST_CITY, CITY]
    with engine.connect() as connection:
        batch_rows = connection.execute(text(CELLS)).all()
        audited = connection.execute(
            text("SELECT entity_id FROM audit_log WHERE actor = 'batch' ORDER BY entity_id")
        ).scalars()
        assert list(audited) == [EAST_CITY, CITY]
    assert result.cells == len(batch_rows) > 100
    with Session(engine) as session, session.begin():
        for city in (CITY, EAST_CITY):
            refresh_city(session, city, 8)
        single_rows = session.execute(text(CELLS)).all()
        session.rollback()
    assert batch_rows == single_rows
    assert len({row.nearest_station_id for row in batch_rows} - {None}) > 3


def test_a_batch_of_an_unknown_city_names_it_before_it_starts(two_cities):
    _, engine = two_cities
    with Session(engine) as session, pytest.raises(NotFound, match="999999"):
        city_frame(session, [CITY, "999999"])
