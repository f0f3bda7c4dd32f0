"""`make bench`: run every benchmark, merge its figures into benchmarks/results.json,
and fail if a goal is missed. Goals and the meaning of each figure: benchmarks/README.md."""

import json
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "functions")]

from benchmarks import cold_import, cost, lambda_memory, pages, regen, results, sweep  # noqa: E402

# name -> (function giving figures, goal check on those figures or None)
BENCHMARKS = {
    "cold_import": (cold_import.measure, lambda f: f["cold_import_ratio"] <= 1.3),
    "pages": (pages.measure, lambda f: f["max_page_bytes"] <= pages.PAGE_LIMIT
              and f["home_critical_bytes"] <= pages.HOME_CRITICAL_LIMIT),
    "sweep": (sweep.measure, lambda f: f["sweep_ratio"] <= 1.5
              and all(read == sweep.DUE for read in f["sweep_items_read"].values())),
    "regen": (regen.measure, lambda f: all(
        read["stats_records"] <= f["regen_read_bound"]["stats_records"]
        and read["tickets"] == f["regen_read_bound"]["tickets"]
        and read["notices"] == f["regen_read_bound"]["notices"] for read in f["regen_reads"].values())),
    "cost": (cost.measure, lambda f: f["monthly_usd_10k"] <= cost.GOAL_USD_10K),
    "lambda_memory": (lambda_memory.measure, lambda_memory.fits_config),
}


def main(names) -> int:
    failed = []
    for name in names or BENCHMARKS:
        measure, goal = BENCHMARKS[name]
        figures = measure()
        results.merge(figures)
        print(name, json.dumps(figures))
        if goal and not goal(figures):
            failed.append(name)
    if failed:
        print("goal missed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
