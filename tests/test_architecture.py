"""The import contracts of pyproject.toml hold, and they do catch a forbidden import."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The lint-imports of the venv running the tests (its bin/ need not be on PATH).
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("geo_api", "etl", "tiles", "warmmap_cli")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True
    )


def test_contracts_are_kept():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def copy_of_packages(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name,
            tmp_path / name,
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_core_importing_the_etl_breaks_the_contract(tmp_path):
    copy = copy_of_packages(tmp_path)
    (copy / "geo_api" / "sneaky.py").write_text("from etl.load import load_file\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "geo_api.sneaky -> etl.load" in done.stdout


def test_domain_importing_fastapi_breaks_the_contract(tmp_path):
    copy = copy_of_packages(tmp_path)
    (copy / "geo_api" / "coverage" / "sneaky.py").write_text("import fastapi\n")
    done = lint_imports(copy)
    assert done.returncode != 0
    assert "geo_api.coverage.sneaky -> fastapi" in done.stdout
