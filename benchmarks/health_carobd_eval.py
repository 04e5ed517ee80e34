"""Health checks on real driving: every check over every carOBD trip (Toyota Etios, ~2 Hz OBD logs).

``python -m benchmarks.health_carobd_eval [--root DIR] [--list]``: counts of findings by system
and severity over all trips, then every warning and critical finding with its trip, so a
technician can judge whether each one is real. The car is a healthy commuter car, except
that published analyses of these logs describe a coolant-sensor anomaly in part of them.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from analysis.checks import run_all_checks
from analysis.datasets.carobd import read_trip, trip_files
from carvrooom_desktop.domain import Severity

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "carobd"
COLUMNS = ("not enough data", "ok", "watch", "warning", "critical")


def evaluate(root: Path) -> tuple[dict, list[tuple[str, object]], int, float]:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    alarms = []
    started = time.perf_counter()
    files = trip_files(root)
    for path in files:
        trip = path.name.removesuffix(".csv.gz").removesuffix(".csv")
        for f in run_all_checks(read_trip(path)):
            key = "not enough data" if not f.enough_data else f.severity.name.lower()
            counts[f.system][key] += 1
            if f.enough_data and f.severity >= Severity.WATCH:
                alarms.append((trip, f))
    return counts, alarms, len(files), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--list", action="store_true", help="also list every watch finding")
    args = parser.parse_args(argv)
    if not trip_files(args.root):
        print(f"no carOBD trips under {args.root}")
        return 2
    counts, alarms, n, seconds = evaluate(args.root)
    print(f"\ncarOBD: {n} trips, findings by system and severity ({seconds:.1f} s)")
    print(f"{'system':<14}" + "".join(f"{c:>17}" for c in COLUMNS))
    total = collections.Counter()
    for system in sorted(counts):
        total.update(counts[system])
        print(f"{system:<14}" + "".join(f"{counts[system][c]:>17}" for c in COLUMNS))
    print(f"{'all':<14}" + "".join(f"{total[c]:>17}" for c in COLUMNS))
    shown = [(trip, f) for trip, f in alarms if args.list or f.severity >= Severity.WARNING]
    print(f"\n{'Warning and critical' if not args.list else 'Watch, warning and critical'} findings ({len(shown)}):")
    for trip, f in sorted(shown, key=lambda x: (-int(x[1].severity), x[0])):
        print(f"  {trip:<8} {f.severity.name.lower():<8} {f.system:<12} {f.check}: {f.summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
