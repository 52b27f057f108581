"""Writing a city's cells while Python still computes them.

PostgreSQL deletes the old cells while Python fills the city with H3 cells, and ingests each
part of the binary COPY while Python computes the next part: the server's work (indexes,
foreign key, the change log's trigger) and the client's overlap instead of adding up. Both run
on the session's own connection from a thread, in the session's transaction; the caller does
not touch the session until they are done.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from geo_api.coverage.copy_cells import COPY_CELLS, HEADER, TRAILER

DELETE_CELLS = "DELETE FROM coverage_cells WHERE city_adcode = %(city)s AND res = %(res)s"
# psycopg2 reads the stream in pieces of this many bytes.
READ_BYTES = 1 << 20


class _Feed:
    """A file psycopg2's COPY reads from, filled by another thread (``None`` ends it)."""

    def __init__(self) -> None:
        self.parts: queue.Queue[bytes | None] = queue.Queue()
        self.pending = memoryview(b"")
        self.ended = False

    def read(self, size: int = -1) -> bytes:
        while not self.pending and not self.ended:
            part = self.parts.get()
            if part is None:
                self.ended = True
            else:
                self.pending = memoryview(part)
        n = len(self.pending) if size < 0 else size
        piece, self.pending = self.pending[:n], self.pending[n:]
        return bytes(piece)


@contextmanager
def in_background(call: Callable[[], Any]) -> Iterator[None]:
    """Run ``call`` in a thread while the block runs; wait for it and raise what it raised."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="coverage-write", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failure:
        raise failure[0]


def deleting_cells(session: Session, city: str, res: int) -> Callable[[], None]:
    """Return the call that deletes the city's cells at ``res`` on the session's connection."""
    cursor = session.connection().connection.cursor()
    return lambda: cursor.execute(DELETE_CELLS, {"city": city, "res": res})


@contextmanager
def copying_cells(session: Session) -> Iterator[Callable[[bytes], None]]:
    """Run ``COPY_CELLS`` on the session's connection; yield the call that sends it tuples.

    The header is sent first and the trailer when the block ends. An error in the block ends
    the stream early and is raised: the caller's transaction rolls back.
    """
    cursor = session.connection().connection.cursor()
    feed = _Feed()
    feed.parts.put(HEADER)
    with in_background(lambda: cursor.copy_expert(COPY_CELLS, feed, READ_BYTES)):
        try:
            yield feed.parts.put
            feed.parts.put(TRAILER)
        finally:
            feed.parts.put(None)
