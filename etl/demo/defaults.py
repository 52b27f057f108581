"""Where the demo's files go and its seed; light, so the command line can show them cheaply."""

from pathlib import Path

DEFAULT_FOLDER = Path("data/demo")
DEFAULT_SEED = 2026
