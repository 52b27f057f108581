"""The paging parameter every listing shares."""

from typing import Annotated

from fastapi import Query

# Far past any table's rows, far inside PostgreSQL's bigint: a larger OFFSET used to reach the
# query and fail there with a 500 ("bigint out of range"); now it is a 422 naming the bound.
MAX_OFFSET = 1_000_000_000

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip, at most 1,000,000,000.")
]
