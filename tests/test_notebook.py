from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from alembic import command
from nbclient import NotebookClient
from sqlalchemy import create_engine

from bench.demo_city import load_demo_city
from geo_api.cli.db import alembic_config
from geo_api.database import sqlalchemy_url
from tests.dbutil import create_database, drop_database

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "planner.ipynb"


@pytest.fixture(scope="module")
def chengdu_database() -> Iterator[str]:
    """A database of its own with Chengdu's demo areas, stations and outlets."""
    url = create_database("warmmap_test_notebook")
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(sqlalchemy_url(url))
    load_demo_city(engine, "510100")
    engine.dispose()
    yield url
    drop_database(url)


def test_planner_notebook_runs_top_to_bottom(chengdu_database, monkeypatch):
    monkeypatch.setenv("WARMMAP_DATABASE_URL", chengdu_database)
    monkeypatch.setenv("WARMMAP_NOTEBOOK_RES", "8")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3").execute(
        cwd=str(NOTEBOOK.parent.parent)
    )
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "gap cells" in text and "covered riders" in text
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert any(
        "folium" in o["data"]["text/html"] or "leaflet" in o["data"]["text/html"] for o in html
    )
