"""Small helpers shared by the simulator tests: drive a model and record what it reports."""

from __future__ import annotations

from collections.abc import Iterable

from drivers.simulator.model import VehicleModel


class Trace:
    """Signals recorded step by step, with the time, run time and driver phase of each sample."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = tuple(keys)
        self.t: list[float] = []
        self.run_time: list[float] = []
        self.phase: list[str] = []
        self.values: dict[str, list[float]] = {k: [] for k in self.keys}

    def __getitem__(self, key: str) -> list[float]:
        return self.values[key]

    def where(self, key: str, phase: str | None = None, min_run_time: float = 0.0, closed_loop: bool | None = None) -> list[float]:
        cl = self.values.get("fuel_closed_loop")
        return [
            v
            for i, v in enumerate(self.values[key])
            if (phase is None or self.phase[i] == phase)
            and self.run_time[i] >= min_run_time
            and (closed_loop is None or (cl is not None and bool(cl[i]) == closed_loop))
        ]


def drive(model: VehicleModel, until: float, dt: float = 0.01, keys: Iterable[str] = (), record_from: float = 0.0) -> Trace:
    """Step ``model`` until its time reaches ``until``, recording ``keys`` after every step from ``record_from``."""
    trace = Trace(keys)
    values = [trace.values[k] for k in trace.keys]
    while model.time < until - 1e-9:
        model.step(dt)
        if trace.keys and model.time >= record_from:
            s = model.signals()
            trace.t.append(model.time)
            trace.run_time.append(model.run_time)
            trace.phase.append(model.phase)
            for k, out in zip(trace.keys, values):
                out.append(s[k])
    return trace


def switches(values: Iterable[float], low: float = 0.35, high: float = 0.55) -> int:
    """Lean/rich transitions of a narrowband O2 voltage, with hysteresis."""
    state = None
    count = 0
    for v in values:
        if v > high:
            new = True
        elif v < low:
            new = False
        else:
            continue
        if state is not None and new != state:
            count += 1
        state = new
    return count


def mean(values: list[float]) -> float:
    assert values, "no samples matched"
    return sum(values) / len(values)


def vin_check_digit(vin: str) -> str:
    values = {str(d): d for d in range(10)}
    values.update(zip("ABCDEFGH", range(1, 9)))
    values.update(zip("JKLMN", range(1, 6)))
    values.update({"P": 7, "R": 9})
    values.update(zip("STUVWXYZ", range(2, 10)))
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    total = sum(values[c] * w for c, w in zip(vin, weights)) % 11
    return "X" if total == 10 else str(total)
