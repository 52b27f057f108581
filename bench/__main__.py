"""Run the benchmarks: ``python -m bench [SCENARIO ...]`` (default: all of them)."""

import importlib
import sys

from bench.harness import write_result

# Each scenario module has run() -> dict and report(dict) -> str; results go to bench/results/.
SCENARIOS = [
    "healthz",
    "etl_load",
    "nearest",
    "coverage",
    "coverage_dask",
    "cases",
    "assignments",
    "layers",
    "webmap",
    "load",
    "national",
]


def main(names: list[str]) -> None:
    for name in names or SCENARIOS:
        module = importlib.import_module(f"bench.{name}")
        result = module.run()
        path = write_result(name, result)
        print(module.report(result), f"[{path}]", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
