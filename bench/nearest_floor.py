"""The least a Python HTTP server on warmmap's stack can do per nearest request: the floor.

One raw ASGI callable (no framework, no middleware, no validation beyond two floats) served the
way ``warmmap serve`` serves warmmap (granian, two workers, uvloop, HTTP/1.1), running the plain
KNN of the benchmark's baseline on an asyncpg pool (prepared, binary protocol) and answering its
five rows as a GeoJSON FeatureCollection dumped by orjson. Whatever warmmap does beyond this is
its own cost; what this costs beyond pgbench's plain KNN is the price of answering through HTTP
from Python at all, on this machine (``bench/nearest.py`` measures it in the same run).

    WARMMAP_DATABASE_URL=postgresql://... python -m bench.nearest_floor --port 8123
"""

import argparse
import os
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
import orjson

SQL = (
    "SELECT id, name, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM stations "
    "ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography LIMIT 5"
)
_HEADERS = [(b"content-type", b"application/json")]
POOL_SIZE = 10  # as warmmap's WARMMAP_DB_POOL_SIZE
_pool: asyncpg.Pool | None = None


async def _connection_pool() -> asyncpg.Pool:
    global _pool
    if _pool is None:
        url = os.environ["WARMMAP_DATABASE_URL"]
        _pool = await asyncpg.create_pool(url, min_size=0, max_size=POOL_SIZE)
    return _pool


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer ``/?lon=..&lat=..`` with the five nearest stations; 200 on ``/healthz``."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":
        body = b'{"status":"ok"}'
    else:
        asked = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        pool = await _connection_pool()
        rows = await pool.fetch(SQL, float(asked["lon"]), float(asked["lat"]))
        features = [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {"id": row["id"], "name": row["name"]},
            }
            for row in rows
        ]
        body = orjson.dumps({"type": "FeatureCollection", "features": features})
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    from warmmap_cli.serve import granian

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    granian("bench.nearest_floor:app", "127.0.0.1", args.port, args.workers, factory=False)


if __name__ == "__main__":
    main()
