"""A deadline on every request: an answer within it, a 503 that says so when there is none.

The request is served in a task of its own and awaited with a timeout. Routes and dependencies
that talk to the database run in threads, and a thread blocked on a frozen connection cannot be
cancelled (anyio shields it); ``asyncio.wait_for`` would wait for it. So on timeout the client
gets its 503 at once (unless its answer has begun: that one is let finish), and the task is
left to finish or fail in the background, its answer thrown away. It is not cancelled: a
cancelled request closes its sessions on the event loop while their connections are still
blocked, which would stall every other request. The statement timeout of each connection and
the pool's checkout timeout bound what keeps running; a connection blocked on a frozen network
is released when the network comes back.
"""

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_api.web.asgi import send_detail

log = logging.getLogger(__name__)

# Paths whose work has its own, longer bound (a plan's time_limit_s, a city's refresh, an
# auto-assignment's solver): they get the long deadline.
LONG_PATHS = ("/plan/", "/coverage/refresh", "/assignments/auto")


class RequestDeadline:
    """Answer 503 ``request took longer than N s`` when a request has not answered in time."""

    def __init__(self, app: ASGIApp, deadline_s: float, long_deadline_s: float) -> None:
        self.app = app
        self.deadline_s = deadline_s
        self.long_deadline_s = long_deadline_s
        self._background: set[asyncio.Task[None]] = set()

    def deadline_for(self, path: str) -> float:
        """Return the deadline of a request to ``path`` in seconds."""
        return self.long_deadline_s if path.startswith(LONG_PATHS) else self.deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, or answer 503 when it has not answered in time."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        timed_out = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the client already has its 503
            started = True
            await send(message)

        deadline_s = self.deadline_for(scope["path"])
        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        done, _ = await asyncio.wait({task}, timeout=deadline_s)
        if done or started:
            # Finished, or already answering (a long download): let it end as it will.
            await task
            return
        timed_out = True
        self._background.add(task)
        task.add_done_callback(self._finished)
        log.warning(
            "deadline of %.1f s passed on %s %s", deadline_s, scope["method"], scope["path"]
        )
        await send_detail(
            send, 503, f"the request took longer than {deadline_s:g} s; try again shortly"
        )

    def _finished(self, task: "asyncio.Task[None]") -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("a request past its deadline ended with %r", task.exception())
