"""200,000 stations over China for the nearest benchmark, weighted to cities, loaded with COPY."""

import io
import json
from typing import Any

import numpy as np
import psycopg2

from bench.harness import bench_database
from geo_api.vocab import AMENITIES, STATION_KINDS

BENCH_DATABASE = "warmmap_bench_nearest"
SEED = 20261123
# (lon, lat, weight): the largest cities; the rest of the stations spread over populated China.
CITIES = [
    (121.47, 31.23, 10), (116.40, 39.90, 10), (113.26, 23.13, 8), (114.06, 22.54, 8),
    (104.07, 30.66, 7), (106.55, 29.56, 7), (120.16, 30.27, 6), (114.30, 30.59, 6),
    (108.94, 34.34, 5), (118.80, 32.06, 5), (117.20, 39.13, 5), (112.94, 28.23, 4),
    (113.62, 34.75, 4), (120.38, 36.07, 4), (123.43, 41.80, 4), (126.64, 45.76, 3),
    (102.83, 24.88, 3), (117.28, 31.86, 3), (119.30, 26.08, 3), (115.86, 28.68, 3),
    (106.63, 26.65, 2), (108.37, 22.82, 2), (103.83, 36.06, 2), (87.62, 43.83, 2),
    (111.75, 40.84, 2), (101.78, 36.62, 1), (91.13, 29.65, 1), (110.35, 20.02, 1),
]  # fmt: skip
RURAL_SHARE = 0.15
AMENITY_SHARE = {"rest": 0.95, "water": 0.9, "charging": 0.45, "toilet": 0.6, "microwave": 0.4,
                 "first_aid": 0.35, "air_conditioning": 0.5, "wifi": 0.5, "umbrella": 0.3,
                 "parking": 0.2, "legal_aid": 0.1, "canteen": 0.1}  # fmt: skip
DAY = 24 * 60
COPY_COLUMNS = (
    "source, external_id, name, kind, amenities, hours, is_24h, status, geom, source_x, source_y"
)


def _daily(start: int, end: int) -> list[list[int]]:
    if end > start:
        return [[d * DAY + start, d * DAY + end] for d in range(7)]
    intervals = [[0, end]] + [[d * DAY + start, (d + 1) * DAY] for d in range(7)]
    intervals += [[d * DAY, d * DAY + end] for d in range(1, 7)]
    return sorted(intervals)


# (hours, is_24h, share): daytime, long days, past midnight, 24 hours, unknown.
HOURS = [
    (_daily(9 * DAY // 24, 18 * DAY // 24), False, 0.4),
    (_daily(8 * 60, 20 * 60), False, 0.2),
    (_daily(22 * 60, 2 * 60), False, 0.1),
    (None, True, 0.15),
    (None, False, 0.15),
]


def station_positions(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes: most around cities (denser at their centres), some rural."""
    rural = int(n * RURAL_SHARE)
    weights = np.array([w for *_, w in CITIES], dtype=float)
    city = rng.choice(len(CITIES), size=n - rural, p=weights / weights.sum())
    centres = np.array([(x, y) for x, y, _ in CITIES])[city]
    spread = rng.exponential(0.08, size=(n - rural, 1)) * rng.standard_normal((n - rural, 2))
    urban = centres + spread
    countryside = np.column_stack([rng.uniform(98, 122, rural), rng.uniform(22, 42, rural)])
    xy = np.vstack([urban, countryside])
    return xy[:, 0], xy[:, 1]


def copy_text(rng: np.random.Generator, n: int) -> io.StringIO:
    """Return stations in COPY text format."""
    lon, lat = station_positions(rng, n)
    kinds = rng.choice(STATION_KINDS, size=n, p=[0.45, 0.25, 0.15, 0.05, 0.05, 0.05])
    has = {a: rng.random(n) < AMENITY_SHARE[a] for a in AMENITIES}
    hours_choice = rng.choice(len(HOURS), size=n, p=[share for *_, share in HOURS])
    hours_json = [json.dumps(h) if h is not None else "\\N" for h, _, _ in HOURS]
    status = np.where(rng.random(n) < 0.95, "open", "closed")
    out = io.StringIO()
    for i in range(n):
        amenities = ",".join(a for a in AMENITIES if has[a][i])
        is_24h = HOURS[hours_choice[i]][1]
        out.write(
            f"bench\t{i}\t驿站 {i}\t{kinds[i]}\t{{{amenities}}}\t{hours_json[hours_choice[i]]}\t"
            f"{'t' if is_24h else 'f'}\t{status[i]}\tSRID=4326;POINT({lon[i]:.7f} {lat[i]:.7f})\t"
            f"{lon[i]:.7f}\t{lat[i]:.7f}\n"
        )
    out.seek(0)
    return out


def bench_url() -> str:
    """The plain URL of the benchmark's own database, created and migrated if missing."""
    return bench_database(BENCH_DATABASE)


def prepare(n: int) -> dict[str, Any]:
    """Create or reuse the benchmark database with exactly ``n`` generated stations."""
    connection = psycopg2.connect(bench_url())
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stations WHERE source = 'bench'")
        (count,) = cursor.fetchone()
        if count != n:
            cursor.execute("TRUNCATE stations CASCADE")
            rows = copy_text(np.random.default_rng(SEED), n)
            cursor.copy_expert(f"COPY stations ({COPY_COLUMNS}) FROM STDIN", rows)
            cursor.execute("VACUUM ANALYZE stations")
    connection.close()
    return {"stations": n, "database": BENCH_DATABASE}


def query_points(n: int) -> list[tuple[float, float]]:
    """Where riders ask from: distributed like the stations, another seed."""
    lon, lat = station_positions(np.random.default_rng(SEED + 1), n)
    return [(round(float(x), 6), round(float(y), 6)) for x, y in zip(lon, lat, strict=True)]
