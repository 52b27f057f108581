"""The wheel carries its migrations: installed into a fresh venv, it migrates from any folder."""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from sqlalchemy import create_engine, inspect

from geo_api.database import sqlalchemy_url
from geo_api.models import Base
from tests.dbutil import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ("pyproject.toml", "README.md", "geo_api", "etl", "tiles", "warmmap_cli", "migrations")


def build_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the sources, so the checkout gets no build/ folder."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCE:
        src = ROOT / name
        if src.is_dir():
            # symlinks=True keeps geo_api/migrations a link, as it is in the repository
            shutil.copytree(
                src, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(src, source / name)
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
    )
    (wheel,) = out.glob("warmmap-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A new venv holding only the wheel; its dependencies are borrowed from this venv.

    Installing geopandas and friends again would only test PyPI. The borrowed path goes after
    the venv's own site-packages, so the wheel's warmmap wins over this checkout's editable one
    (whose .pth hook is not run for a path added this way).
    """
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
    )
    return env_dir


def test_wheel_migrates_from_any_folder(tmp_path):
    wheel = build_wheel(tmp_path)
    env_dir = fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = create_database("warmmap_wheel")
    try:
        env = {**os.environ, "WARMMAP_DATABASE_URL": url, "PYTHONPATH": ""}
        where = subprocess.run(
            [str(env_dir / "bin" / "python"), "-c", "import geo_api; print(geo_api.__file__)"],
            cwd=elsewhere,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert str(env_dir) in where, f"geo_api came from {where}, not the wheel"
        done = subprocess.run(
            [str(env_dir / "bin" / "warmmap"), "db", "upgrade"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        engine = create_engine(sqlalchemy_url(url))
        tables = set(inspect(engine).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        engine.dispose()
        assert tables == set(Base.metadata.tables)
    finally:
        drop_database(url)
