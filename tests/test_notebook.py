"""The planner notebook, run with the command the README documents, on the demo database; its
maps draw in a real Chromium with the network cut."""

import html
import os
import re
import shlex
import subprocess
from pathlib import Path

import nbformat

from tests.browser import screenshot

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "planner.ipynb"
DOCUMENTED = (
    "jupyter nbconvert --to notebook --execute notebooks/planner.ipynb --output-dir build/notebooks"
)
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"


def test_the_readme_and_make_notebook_run_the_same_command():
    assert DOCUMENTED in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "$(BIN)/" + DOCUMENTED in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_planner_notebook_runs_top_to_bottom_with_the_documented_command(
    demo_database_url, tmp_path, page
):
    # The demo loaded through the ETL like anyone's files (tests/demo_fixtures.py); the notebook
    # adds coverage cells to it (Chengdu at res 8, as tests/test_export_map.py does).
    command = shlex.split(DOCUMENTED)
    command[0] = str(JUPYTER)
    command[-1] = str(tmp_path)
    env = {
        **os.environ,
        "WARMMAP_DATABASE_URL": demo_database_url,
        "WARMMAP_NOTEBOOK_RES": "8",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    notebook = nbformat.read(tmp_path / "planner.ipynb", as_version=4)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "gap cells" in text and "covered riders" in text and "measured from" in text
    frames = [
        html.unescape(match)
        for o in outputs
        for match in re.findall(r'srcdoc="([^"]*)"', o.get("data", {}).get("text/html", ""))
    ]
    assert len(frames) == 2  # the report map and the before/after map
    for number, frame in enumerate(frames, start=1):
        assert not re.search(r"<script[^>]+src=|<link[^>]+href=", frame)
        page_file = tmp_path / f"map{number}.html"
        page_file.write_text(frame, encoding="utf-8")
        page.page.goto(page_file.as_uri())
        page.page.wait_for_selector(".leaflet-overlay-pane path")
        assert page.page.locator(".leaflet-overlay-pane path").count() > 1000
        assert page.page.locator(".wm-label").count() == 20  # Chengdu's districts
        assert page.page.get_by_test_id("legend").is_visible()
        screenshot(page.page, f"notebook-planner-map{number}")
    traffic = page.traffic
    assert traffic.offsite == [] and traffic.errors == [] and traffic.console_errors == []
