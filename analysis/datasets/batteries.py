"""Per-cycle capacity of Li-ion cells: NASA PCoE (B0005-B0007) and CALCE CS2 extracts.

NASA: ``nasa_capacity.csv`` (battery, cycle, capacity_Ah), rated 2.0 Ah, end of life 1.4 Ah
(Saha & Goebel, NASA Ames PCoE). CALCE: ``calce_cs2_capacity.csv`` (cell, cycle, capacity_Ah,
...), rated 1.1 Ah, end of life 0.77 Ah; it holds NaNs and outlier points, removed here with
a rolling-median filter.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter


@dataclass(frozen=True, slots=True)
class CapacityFade:
    cell: str
    cycles: np.ndarray
    capacity_ah: np.ndarray

    def end_of_life(self, threshold_ah: float) -> float | None:
        """First cycle whose capacity is below the threshold (None: never reached, censored)."""
        below = np.nonzero(self.capacity_ah < threshold_ah)[0]
        return float(self.cycles[below[0]]) if below.size else None


def _read(path: Path, id_column: str) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                c, q = float(row["cycle"]), float(row["capacity_Ah"])
            except (KeyError, ValueError):
                continue
            if np.isfinite(c) and np.isfinite(q):
                out.setdefault(row[id_column], []).append((c, q))
    return out


def read_nasa(root: str | Path) -> list[CapacityFade]:
    data = _read(Path(root) / "nasa_capacity.csv", "battery")
    return [CapacityFade(k, np.array([c for c, _ in v]), np.array([q for _, q in v])) for k, v in sorted(data.items())]


def read_calce(root: str | Path, window: int = 15, tolerance_ah: float = 0.03) -> list[CapacityFade]:
    """CALCE cells with outliers (more than ``tolerance_ah`` from the rolling median) removed."""
    data = _read(Path(root) / "calce_cs2_capacity.csv", "cell")
    out = []
    for cell, rows in sorted(data.items()):
        c = np.array([x for x, _ in rows])
        q = np.array([y for _, y in rows])
        order = np.argsort(c, kind="stable")
        c, q = c[order], q[order]
        keep = np.abs(q - median_filter(q, size=window, mode="nearest")) <= tolerance_ah
        out.append(CapacityFade(cell, c[keep], q[keep]))
    return out
