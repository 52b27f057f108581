"""``/healthz`` through HTTP against a bare ``SELECT 1`` over the same driver."""

from typing import Any

import httpx2 as httpx
import psycopg2

from bench.harness import database_url, running_server, summary, time_calls

N = 2000


def run() -> dict[str, Any]:
    connection = psycopg2.connect(database_url())
    connection.autocommit = True
    cursor = connection.cursor()

    def select_one() -> None:
        cursor.execute("SELECT 1")
        cursor.fetchone()

    baseline = summary(time_calls(select_one, N))
    connection.close()

    with running_server() as base, httpx.Client(base_url=base) as client:

        def healthz() -> None:
            client.get("/healthz").raise_for_status()

        measured = summary(time_calls(healthz, N))
    return {
        "baseline": {"name": "SELECT 1 through psycopg2", **baseline},
        "measured": {"name": "GET /healthz through HTTP", **measured},
        "ratio_p50": round(measured["p50_ms"] / baseline["p50_ms"], 2),
    }


def report(result: dict[str, Any]) -> str:
    b, m = result["baseline"], result["measured"]
    return (
        f"healthz: p50 {m['p50_ms']:.3f} ms vs SELECT 1 p50 {b['p50_ms']:.3f} ms "
        f"-> ratio {result['ratio_p50']}x (p99 {m['p99_ms']:.3f} vs {b['p99_ms']:.3f} ms)"
    )
