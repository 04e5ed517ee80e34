"""NASA C-MAPSS turbofan run-to-failure files (Saxena et al., PHM08) as per-engine arrays.

Each file row is ``unit cycle op_setting_1..3 sensor_1..21``; ``RUL_FD00x.txt`` holds one
true RUL per test engine, after its last observed cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

N_SETTINGS, N_SENSORS = 3, 21


@dataclass(frozen=True, slots=True)
class EngineHistory:
    """One engine: its cycles, the 3 operating settings and the 21 sensors, cycle by cycle."""

    unit: int
    cycles: np.ndarray  # (n,)
    settings: np.ndarray  # (n, 3)
    sensors: np.ndarray  # (n, 21)

    def __len__(self) -> int:
        return len(self.cycles)

    def truncated(self, n: int) -> EngineHistory:
        """The first ``n`` cycles: what a test engine looks like when it is cut off early."""
        return EngineHistory(self.unit, self.cycles[:n], self.settings[:n], self.sensors[:n])


def read_engines(path: str | Path) -> list[EngineHistory]:
    """All engines of one train or test file, in unit order."""
    data = np.loadtxt(path, dtype=np.float64, ndmin=2)
    if data.shape[1] != 2 + N_SETTINGS + N_SENSORS:
        raise ValueError(f"{path}: expected 26 columns, found {data.shape[1]}")
    units = data[:, 0].astype(int)
    out = []
    for unit in np.unique(units):
        rows = data[units == unit]
        rows = rows[np.argsort(rows[:, 1], kind="stable")]
        out.append(EngineHistory(int(unit), rows[:, 1].copy(), rows[:, 2:5].copy(), rows[:, 5:].copy()))
    return out


def read_true_rul(path: str | Path) -> np.ndarray:
    return np.loadtxt(path, dtype=np.float64, ndmin=1)


def load_subset(root: str | Path, subset: str) -> tuple[list[EngineHistory], list[EngineHistory] | None, np.ndarray | None]:
    """``(train, test, true_rul)`` of e.g. ``"FD001"``; test parts are None when not shipped."""
    root = Path(root)
    train = read_engines(root / f"train_{subset}.txt")
    test_path, rul_path = root / f"test_{subset}.txt", root / f"RUL_{subset}.txt"
    if not (test_path.exists() and rul_path.exists()):
        return train, None, None
    return train, read_engines(test_path), read_true_rul(rul_path)


def phm08_score(predicted: np.ndarray, true: np.ndarray) -> float:
    """The asymmetric PHM08 score: late predictions cost more (exp(d/10)) than early ones (exp(-d/13))."""
    d = np.asarray(predicted, float) - np.asarray(true, float)
    return float(np.sum(np.where(d < 0.0, np.exp(-d / 13.0) - 1.0, np.exp(d / 10.0) - 1.0)))


def rmse(predicted: np.ndarray, true: np.ndarray) -> float:
    d = np.asarray(predicted, float) - np.asarray(true, float)
    return float(np.sqrt(np.mean(d * d)))
