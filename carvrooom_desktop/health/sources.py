"""Where the signals for a health run come from: the live session, a recording, the simulator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from analysis.signals import SignalSet

SIM_DT = 0.1  # s


def signals_from_samples(samples: Mapping[str, tuple[Any, Any]], units: Mapping[str, str] | None = None) -> SignalSet:
    """A recording's ``load_samples`` result (name -> (t, values)) as a SignalSet."""
    return SignalSet(dict(samples), dict(units or {}))


def signals_from_session(session: Any, seconds: float | None = None) -> SignalSet:
    """The newest ``seconds`` (None: everything buffered) of every signal the live session polls."""
    data, units = {}, {}
    for definition in session.signal_definitions():
        try:
            t, v = session.window(definition.name, seconds)
        except KeyError:  # defined but never sampled: the check says "not recorded"
            continue
        data[definition.name] = (t, v)
        units[definition.name] = definition.unit
    return SignalSet(data, units)


def simulate_signals(
    faults: list[str] | tuple[str, ...] = (),
    minutes: float = 15.0,
    seed: int = 0,
    dt: float = SIM_DT,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SignalSet:
    """Key on, crank and drive the simulated car for ``minutes`` (much faster than real time)."""
    from carvrooom_desktop.acquisition.simulated_drive import simulate_drive

    return simulate_drive(faults, minutes, seed, dt=dt, progress=progress, cancelled=cancelled)


def store_simulated_drive(store: Any, faults: tuple[str, ...] | list[str] = (), minutes: float = 12.0, seed: int = 0,
                          vin: str = "1HGCM82633A004352", t0: float = 1.7e9) -> tuple[Any, Any]:
    """Save a simulated drive as a finished recording of vehicle ``vin`` (demos, tests, training).

    Written through the store's own API in two sample chunks, with wall-clock timestamps from
    ``t0`` as the recorder writes them. Returns (recording id, vehicle id).
    """
    import numpy as np

    from carvrooom_desktop.domain import Vehicle

    signals = simulate_signals(tuple(faults), minutes, seed)
    vehicle_id = store.vehicles.upsert(Vehicle(vin))
    names = signals.names
    units = {n: signals.unit(n) for n in names}
    notes = "simulated drive" + (f", faults: {', '.join(faults)}" if faults else "")
    rid = store.recordings.create(vin=vin, adapter="simulator", notes=notes, vehicle_id=vehicle_id, signal_units=units)
    half = minutes * 30.0
    for seq, (a, b) in enumerate(((-np.inf, half), (half, np.inf))):
        parts = [(i, s) for i, n in enumerate(names) if (s := signals.get(n)) is not None]
        keep = [(i, s, (s.t >= a) & (s.t < b)) for i, s in parts]
        store.recordings.append_samples(
            rid, seq,
            np.concatenate([np.full(np.count_nonzero(k), i) for i, _s, k in keep]),
            np.concatenate([s.t[k] + t0 for _i, s, k in keep]),
            np.concatenate([s.values[k] for _i, s, k in keep]),
        )
    store.recordings.finish(rid)
    return rid, vehicle_id
