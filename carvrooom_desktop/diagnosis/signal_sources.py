"""Signals for a diagnosis: the live session's buffers, a recording, or a fast simulated drive.

Health findings come from ``analysis.checks.run_all_checks`` over these; the diagnosis
also keeps a compact statistical summary of each signal (never the raw samples).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from analysis.signals import SignalSet

SIM_DT = 0.1  # s
SIM_MINUTES = 15.0  # long enough for warm-up, cruise and idle checks


def signals_from_samples(samples: Mapping[str, tuple[Any, Any]], units: Mapping[str, str] | None = None) -> SignalSet:
    """A recording's ``load_samples`` result (name -> (t, values))."""
    return SignalSet({k: (np.asarray(t, float), np.asarray(v, float)) for k, (t, v) in samples.items()}, dict(units or {}))


def signals_from_session(session: Any) -> SignalSet:
    """Everything the live session has buffered, per polled signal."""
    data, units = {}, {}
    for definition in session.signal_definitions():
        try:
            t, v = session.window(definition.name, None)
        except KeyError:  # defined but never sampled
            continue
        if len(t):
            data[definition.name] = (np.asarray(t, float), np.asarray(v, float))
            units[definition.name] = definition.unit
    return SignalSet(data, units)


def simulate_drive(faults: tuple[str, ...] = (), minutes: float = SIM_MINUTES, seed: int = 0,
                   cancelled: Callable[[], bool] | None = None) -> SignalSet:
    """Key on, crank and drive the simulated car much faster than real time (15 min in ~1 s)."""
    from carvrooom_desktop.acquisition import simulated_drive

    return simulated_drive.simulate_drive(faults, minutes, seed, dt=SIM_DT, cancelled=cancelled)
