"""A time budget shared by every solve of one request.

``time_limit_s`` bounds a whole plan, not each solve in it: reading the instance, the main MIP,
the re-solves of the coverage curve and the swap heuristic all draw on one deadline, and each
HiGHS run is given what is left of it. The clock is injectable, so tests can run a request
against a clock they control instead of sleeping.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_TIME_LIMIT_S = 20.0


@dataclass(frozen=True)
class SolveRecord:
    """One HiGHS run: the time limit it was given and the run time HiGHS reported."""

    limit_s: float
    run_s: float


@dataclass
class Deadline:
    """The moment a request must be answered by, ``limit_s`` after it was created."""

    limit_s: float = DEFAULT_TIME_LIMIT_S
    clock: Callable[[], float] = time.monotonic
    solves: list[SolveRecord] = field(default_factory=list)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        """Start the clock."""
        self.started = self.clock()

    def remaining_s(self) -> float:
        """Return the seconds left, never below zero."""
        return max(0.0, self.limit_s - (self.clock() - self.started))

    @property
    def expired(self) -> bool:
        """Return whether nothing is left."""
        return self.remaining_s() <= 0.0

    def record(self, limit_s: float, run_s: float) -> None:
        """Note a solve that was given ``limit_s`` and ran ``run_s`` (as the solver says)."""
        self.solves.append(SolveRecord(limit_s, run_s))

    @property
    def solver_s(self) -> float:
        """Return the run time the solver reported over every solve so far."""
        return sum(solve.run_s for solve in self.solves)
