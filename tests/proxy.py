"""A TCP proxy that can be taken down, frozen and brought back, to play a database outage.

``stop()`` plays a database that went away (connections cut, nothing listens); ``freeze()`` one
that hangs (connections open, nothing passes either way, as when its machine stalls).
"""

import selectors
import socket
import threading
from typing import Any

from sqlalchemy.engine import make_url

from geo_api.settings import Settings


class TcpProxy:
    """Forward ``127.0.0.1:port`` to ``target``; ``stop()`` cuts every connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = False
        self._flowing = threading.Event()
        self._flowing.set()

    def freeze(self) -> None:
        """Stop passing bytes either way; connections stay open and new ones are accepted."""
        self._flowing.clear()

    def thaw(self) -> None:
        """Pass bytes again, those held since ``freeze()`` first."""
        self._flowing.set()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._running = True
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        self._running = False
        with self._lock:
            for sock in [*self._sockets, self._listener]:
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    sock.close()
            self._sockets.clear()
            self._listener = None

    def _accept(self, listener: socket.socket) -> None:
        while self._running:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        try:
            while True:
                if not self._flowing.wait(timeout=0.5):
                    if a.fileno() == -1 or b.fileno() == -1:
                        return
                    continue
                for key, _ in selector.select(timeout=0.5):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for sock in (a, b):
                sock.close()


def proxied_settings(database_url: str, **overrides: Any) -> tuple["TcpProxy", Settings]:
    """Start a proxy to ``database_url``'s server; return it and settings that go through it."""
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    return proxy, Settings(database_url=through, **overrides)
