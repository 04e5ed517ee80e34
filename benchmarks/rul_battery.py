"""Battery end-of-life prediction with the degradation-trend model (protocol: analysis.rul.evaluation).

``python -m benchmarks.rul_battery [--calce]``: NASA B0005-B0007 (and CALCE CS2) from the first
50 % of life, the plain trend model and the leave-one-cell-out variant, relative errors beside
Chen et al. 2022.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.rul.evaluation import battery_evaluation
from analysis.rul.evaluation_report import battery_table
from benchmarks.rul_cmapss import DATASETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Battery EOL prediction with the trend model")
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--calce", action="store_true", help="also the CALCE CS2 cells")
    args = parser.parse_args(argv)
    for title, rows, reference in battery_evaluation(args.datasets, args.calce):
        print(battery_table(title, rows, reference))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
