"""A progress bar on stderr for long loads; silent when stderr is not a terminal."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

log = logging.getLogger("etl.load")


class LoadProgress:
    """The stages of one load: a line per stage, a bar while rows are copied, and their times.

    The seconds each stage took (keyed by the first word of its description) are logged at
    INFO level on ``etl.load`` when the load ends, for whoever profiles a slow load.
    """

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = None if progress is None else progress.add_task("reading", total=None)
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def _close_stage(self) -> None:
        if self._current is not None:
            name, start = self._current
            self.seconds[name] = round(time.perf_counter() - start, 3)
            self._current = None

    def stage(self, description: str, total: int | None = None) -> None:
        """Start a stage, with a bar of ``total`` rows when it counts rows."""
        self._close_stage()
        self._current = (description.split()[0], time.perf_counter())
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=description, total=total, completed=0)

    def finish(self) -> None:
        """End the last stage and log how long each took."""
        self._close_stage()
        log.info("load stages (s): %s", self.seconds)

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows of the current stage as done."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, rows)


@contextmanager
def load_progress(enabled: bool) -> Iterator[LoadProgress]:
    """Yield the progress of a load, drawn on stderr only if ``enabled`` and it is a terminal."""
    console = Console(stderr=True)
    if not (enabled and console.is_terminal):
        progress = LoadProgress(None)
        yield progress
        progress.finish()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        progress = LoadProgress(bar)
        yield progress
    progress.finish()
