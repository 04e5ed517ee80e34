"""All RUL evaluations in one run: C-MAPSS FD001 and FD002, NASA and CALCE batteries.

``python -m benchmarks.rul_evaluate [--quick]`` (``--quick``: FD001 only). Takes a few minutes
on two cores; prints the tables beside the published figures.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from analysis.rul.evaluation import battery_evaluation, evaluate_cmapss, published_table
from analysis.rul.evaluation_report import battery_table, cmapss_table
from benchmarks.rul_cmapss import DATASETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--quick", action="store_true", help="FD001 only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root = args.datasets / "cmapss"
    subsets = ["FD001"] if args.quick else ["FD001", "FD002"]
    print(cmapss_table([evaluate_cmapss(s, root) for s in subsets], published_table(root)))
    for title, rows, reference in battery_evaluation(args.datasets, calce=True):
        print(battery_table(title, rows, reference))
    print(f"\nrul_evaluate finished in {time.perf_counter() - started:.0f} s; load average (1, 5, 15 min) now "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
