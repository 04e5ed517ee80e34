"""``carvrooom rul evaluate cmapss|battery``: judge the RUL models on public run-to-failure data.

The data sets are not shipped with the application: ``--datasets DIR`` (or the environment
variable CARVROOOM_DATASETS) points at a folder holding ``cmapss/``, ``nasa_battery/`` and
``calce_battery/`` as in the project's shared datasets.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from carvrooom_desktop.errors import CarVrooomError

ENV = "CARVROOOM_DATASETS"
DEV_DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("rul", help="remaining-useful-life models: evaluation on public data")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    evaluate = actions.add_parser("evaluate", help="C-MAPSS or battery benchmark, printed beside published results")
    evaluate.add_argument("dataset", choices=("cmapss", "battery"))
    evaluate.add_argument("--datasets", type=Path, default=None, help=f"folder with the data sets (default ${ENV})")
    evaluate.add_argument("--subset", action="append", choices=("FD001", "FD002"), help="C-MAPSS subset (repeatable; default both)")
    evaluate.add_argument("--calce", action="store_true", help="battery: also the CALCE CS2 cells")
    parser.set_defaults(run=run)


def _datasets(args: argparse.Namespace) -> Path:
    root = args.datasets or (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if root is None and DEV_DATASETS.is_dir():
        root = DEV_DATASETS  # a source checkout beside the project's shared data
    if root is None:
        raise CarVrooomError(f"where are the data sets? Give --datasets DIR or set {ENV}")
    wanted = root / ("cmapss" if args.dataset == "cmapss" else "nasa_battery")
    if not wanted.is_dir():
        raise CarVrooomError(f"{wanted} does not exist: --datasets must hold cmapss/ and nasa_battery/")
    return root


def run(args: argparse.Namespace) -> int:
    from analysis.rul.evaluation import (
        battery_evaluation,
        evaluate_cmapss,
        published_table,
    )
    from analysis.rul.evaluation_report import battery_table, cmapss_table

    root = _datasets(args)
    started = time.perf_counter()
    if args.dataset == "cmapss":
        subsets = args.subset or ["FD001", "FD002"]
        results = []
        for s in subsets:
            print(f"training and testing on {s} ...", flush=True)
            results.append(evaluate_cmapss(s, root / "cmapss"))
        print(cmapss_table(results, published_table(root / "cmapss")))
    else:
        for title, rows, reference in battery_evaluation(root, calce=args.calce):
            print(battery_table(title, rows, reference))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0
