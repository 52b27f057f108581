"""A progress bar on stderr for long loads; silent when stderr is not a terminal."""

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class LoadProgress:
    """The stages of one load: a line per stage, a bar while rows are copied."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = None if progress is None else progress.add_task("reading", total=None)

    def stage(self, description: str, total: int | None = None) -> None:
        """Start a stage, with a bar of ``total`` rows when it counts rows."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=description, total=total, completed=0)

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows of the current stage as done."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, rows)


@contextmanager
def load_progress(enabled: bool) -> Iterator[LoadProgress]:
    """Yield the progress of a load, drawn on stderr only if ``enabled`` and it is a terminal."""
    console = Console(stderr=True)
    if not (enabled and console.is_terminal):
        yield LoadProgress(None)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield LoadProgress(progress)
