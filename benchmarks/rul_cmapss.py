"""C-MAPSS RUL benchmark, standard protocol, beside the published results (protocol: analysis.rul.evaluation).

``python -m benchmarks.rul_cmapss [FD001 FD002] [--cv]``: train on train_FD00x only, predict at
each test engine's last cycle, RMSE and PHM08 score; ``--cv`` cross-validates on the training
engines instead (the only data hyper-parameters were tuned on).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from analysis.rul.evaluation import (
    cross_validate_cmapss,
    evaluate_cmapss,
    published_table,
)
from analysis.rul.evaluation_report import cmapss_table

DATASETS = Path(os.environ.get("CARVROOOM_DATASETS", Path(__file__).resolve().parents[2] / "shared" / "datasets"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="C-MAPSS RUL benchmark")
    parser.add_argument("subsets", nargs="*", default=["FD001", "FD002"])
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--cv", action="store_true", help="cross-validate on the training engines instead (no test data)")
    parser.add_argument("--repeats", type=int, default=1, help="train this many times; the table shows the median training time")
    args = parser.parse_args(argv)
    root = args.datasets / "cmapss"
    if args.cv:
        for s in args.subsets:
            started = time.perf_counter()
            r = cross_validate_cmapss(s, root)
            print(f"{s}: CV RMSE {r['cv_rmse']:.2f} (training engines only, random truncation, capped truth), "
                  f"score per engine {r['cv_score_per_engine']:.2f}, {time.perf_counter() - started:.0f} s")
        return 0
    results = []
    for s in args.subsets:
        runs = [evaluate_cmapss(s, root) for _ in range(max(1, args.repeats))]
        best = dict(runs[0])  # the model is deterministic: only the time differs between runs
        best["train_s"] = statistics.median(r["train_s"] for r in runs)
        best["train_cpu_s"] = statistics.median(r["train_cpu_s"] for r in runs)
        if len(runs) > 1:
            times = ", ".join(f"{r['train_s']:.1f}" for r in runs)
            print(f"{s}: training wall times {times} s (median {best['train_s']:.1f} s)")
        results.append(best)
    print(cmapss_table(results, published_table(root)))
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
