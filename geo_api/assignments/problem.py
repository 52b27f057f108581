"""The assignment problem as arrays: who may serve whom, how far, with how many places.

It is a transportation problem: every outlet needs one liaison, liaison ``j`` takes at most
``capacity[j]`` more outlets, an outlet may only go to a liaison whose scope contains it, and the
total geodesic distance from the liaisons' bases is to be as small as possible.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

NO_LIAISON = -1


@dataclass(frozen=True)
class Problem:
    """One auto-assignment in numbers; indices, not ids.

    Attributes
    ----------
    outlets
        (n, 2) WGS-84 lon, lat of the outlets to assign.
    liaisons
        (m, 2) WGS-84 lon, lat of the liaisons' bases.
    capacity
        (m,) places each liaison has left for these outlets.
    liaison_group
        (m,) the eligibility group (scope area) of each liaison.
    outlet_groups
        (n, G) boolean sparse matrix: the groups whose liaisons may serve each outlet.
    current
        (n,) the liaison each outlet has now and keeps unless capacity forces a move
        (``NO_LIAISON`` for none); used when ``keep_existing``.
    keep_existing
        Whether moving a current assignment costs more than any distance saved by it.
    """

    outlets: np.ndarray
    liaisons: np.ndarray
    capacity: np.ndarray
    liaison_group: np.ndarray
    outlet_groups: sparse.csr_matrix
    current: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    keep_existing: bool = False

    @property
    def n(self) -> int:
        """Return the number of outlets."""
        return len(self.outlets)

    @property
    def m(self) -> int:
        """Return the number of liaisons."""
        return len(self.liaisons)

    def current_or_none(self) -> np.ndarray:
        """Return ``current``, or no current liaison for every outlet when it was not given."""
        if len(self.current) == self.n:
            return self.current.astype(np.int64)
        return np.full(self.n, NO_LIAISON, dtype=np.int64)

    def eligible(self, outlet: np.ndarray, liaison: np.ndarray) -> np.ndarray:
        """Return, per pair, whether ``liaison`` may serve ``outlet`` (its group holds it)."""
        groups = self.outlet_groups.shape[1]
        if groups == 1 and self.outlet_groups.nnz == self.n:  # one scope holds everyone
            return np.ones(len(outlet), dtype=bool)
        coo = self.outlet_groups.tocoo()
        allowed = np.sort(coo.row.astype(np.int64) * groups + coo.col)
        keys = outlet.astype(np.int64) * groups + self.liaison_group[liaison]
        found = np.searchsorted(allowed, keys)
        found[found == len(allowed)] = 0
        return np.asarray(allowed[found] == keys) if len(allowed) else np.zeros(len(keys), bool)


def single_group(outlets: np.ndarray, liaisons: np.ndarray, capacity: int) -> Problem:
    """Return a problem where every liaison may serve every outlet (one scope holds all)."""
    n, m = len(outlets), len(liaisons)
    groups = sparse.csr_matrix(np.ones((n, 1), dtype=bool))
    return Problem(
        outlets=np.asarray(outlets, dtype=np.float64),
        liaisons=np.asarray(liaisons, dtype=np.float64),
        capacity=np.full(m, capacity, dtype=np.int64),
        liaison_group=np.zeros(m, dtype=np.int64),
        outlet_groups=groups,
    )
