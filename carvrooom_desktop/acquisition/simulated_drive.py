"""The simulated car as a source of whole drives, much faster than real time (15 minutes in about a second).

Health checks, diagnoses and demos read drives from here, like any other source; only
acquisition knows that the simulator exists.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.signals import SignalSet
from carvrooom_desktop.domain.progress import Cancelled

SIM_DT = 0.1  # s per model step
PROGRESS_STEPS = 50  # progress reports per drive
CANCEL_EVERY = 500  # steps between looks at the cancel flag


def simulate_drive(faults: tuple[str, ...] | list[str] = (), minutes: float = 15.0, seed: int = 0, *, dt: float = SIM_DT,
                   progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None) -> SignalSet:
    """Key on, crank and drive the simulated car for ``minutes``; every model signal, sampled every ``dt``.

    Raises UnknownFault for a bad fault name and ``Cancelled`` when ``cancelled()`` turns true.
    """
    from drivers.simulator.faults import parse_fault
    from drivers.simulator.model import SIGNALS, VehicleModel

    model = VehicleModel(seed=seed, faults=tuple(parse_fault(f) for f in faults), history=True)
    steps = max(1, round(minutes * 60.0 / dt))
    every = max(1, steps // PROGRESS_STEPS)
    times, rows = [], []
    for k in range(steps):
        if cancelled is not None and k % min(every, CANCEL_EVERY) == 0 and cancelled():
            raise Cancelled("the simulated drive was cancelled")
        if progress is not None and k % every == 0:
            progress(k, steps)
        times.append(k * dt)
        rows.append(model.signals())
        model.step(dt)
    return SignalSet.from_rows(times, rows, units={name: unit for name, (unit, _desc) in SIGNALS.items()})
