from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "planner.ipynb"


def test_planner_notebook_runs_top_to_bottom(demo_database_url, monkeypatch):
    # The demo loaded through the ETL like anyone's files (tests/demo_fixtures.py); the notebook
    # adds coverage cells to it, which no other test of that database reads.
    monkeypatch.setenv("WARMMAP_DATABASE_URL", demo_database_url)
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
