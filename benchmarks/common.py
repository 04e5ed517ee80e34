"""Timing helpers: medians of several runs, printed as ratios against a baseline from the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_rate(run: Callable[[], int], repeats: int = 5) -> tuple[float, list[float]]:
    """``run`` returns how many items it processed; returns (median items/s, all rates)."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        items = run()
        rates.append(items / (time.perf_counter() - started))
    return statistics.median(rates), rates


def report(title: str, rows: list[tuple[str, float, str]], baseline: str) -> None:
    base = dict((name, value) for name, value, _ in rows)[baseline]
    print(f"\n{title}")
    for name, value, unit in rows:
        print(f"  {name:<42} {value:>14,.0f} {unit:<10} {value / base:8.2f}x {baseline}")
