"""Wear items' remaining life (brake pads vs km), with the trend kept with the vehicle.

One visit rarely shows measurable pad wear; many visits do. So each run reduces the pad
thickness to one point per ``BIN_KM`` of odometer, merges it with the points stored with the
vehicle (table ``health_models``: the fitted model's dict plus that history), refits the
degradation-trend model on everything and stores it again. Without a store it fits this
run's data alone.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.rul import DegradationTrendModel, RulEstimate, model_from_dict
from analysis.signals import SignalSet
from analysis.thresholds import Thresholds, default_thresholds

log = logging.getLogger(__name__)

BIN_KM = 0.5
MAX_POINTS = 4000  # oldest points dropped beyond this: years of visits at 0.5 km resolution
MIN_SPAN_KM = 1.0
HORIZON_KM = 300_000.0  # look this far ahead (a car's life); beyond it the estimate is "no end in sight"
WEAR_ITEMS = (
    ("brake_pads_front", "Front brake pads", "brake_pad_front_mm"),
    ("brake_pads_rear", "Rear brake pads", "brake_pad_rear_mm"),
)


@dataclass(frozen=True)
class RulCard:
    """What the workspace shows for one wear item: the estimate (or why there is none) and its trend."""

    name: str
    title: str
    estimate: RulEstimate | None
    reason: str  # why there is no estimate ('' when there is one)
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))  # km
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))  # mm
    threshold: float = math.nan
    x_label: str = "odometer (km)"
    y_label: str = "pad thickness (mm)"
    curve_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    curve: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # trend, lower, upper
    from_store: int = 0  # how many history points came from earlier visits

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "estimate": None if self.estimate is None else self.estimate.to_dict(),
                "reason": self.reason, "threshold": self.threshold, "points": len(self.x), "from_store": self.from_store}


def _binned(signals: SignalSet, signal: str) -> tuple[np.ndarray, np.ndarray] | str:
    pads, odo = signals.get(signal), signals.get("odometer_km")
    if pads is None:
        return f"the car does not report it ({signals.problem(signal)})"
    if odo is None:
        return f"no odometer signal ({signals.problem('odometer_km')})"
    inside = (pads.t >= odo.t[0]) & (pads.t <= odo.t[-1])
    if not np.any(inside):
        return "pad thickness and odometer were not recorded at the same time"
    km = np.interp(pads.t[inside], odo.t, odo.values)
    mm = pads.values[inside]
    ok = (mm >= 0.0) & (mm <= 40.0) & (km >= 0.0)
    km, mm = km[ok], mm[ok]
    if km.size == 0:
        return "no plausible pad thickness reading"
    keys = np.floor(km / BIN_KM)
    uniq, inverse = np.unique(keys, return_inverse=True)
    x = np.array([np.median(km[inverse == i]) for i in range(len(uniq))])
    y = np.array([np.median(mm[inverse == i]) for i in range(len(uniq))])
    return x, y


def _merge(old_x: np.ndarray, old_y: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """History plus new points; a bin seen again (same recording analysed twice) keeps the new value."""
    keep = ~np.isin(np.floor(old_x / BIN_KM), np.floor(x / BIN_KM))
    ax, ay = np.concatenate([old_x[keep], x]), np.concatenate([old_y[keep], y])
    order = np.argsort(ax, kind="stable")
    return ax[order][-MAX_POINTS:], ay[order][-MAX_POINTS:]


def _history(stored: Any) -> tuple[np.ndarray, np.ndarray]:
    try:
        h = stored.parameters["history"]
        x, y = np.asarray(h["km"], dtype=float), np.asarray(h["mm"], dtype=float)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError("history arrays differ in shape")
        ok = np.isfinite(x) & np.isfinite(y)
        return x[ok], y[ok]
    except (KeyError, TypeError, ValueError) as e:
        log.warning("stored wear history %s unusable, starting afresh: %s", getattr(stored, "name", "?"), e)
        return np.zeros(0), np.zeros(0)


def wear_cards(signals: SignalSet, models: Any | None = None, vehicle_id: uuid.UUID | None = None,
               limits: Thresholds | None = None) -> list[RulCard]:
    """One card per wear item; ``models`` is a HealthModelRepository (or None: no history kept)."""
    lim = limits or default_thresholds()
    limit = lim["brakes.service_limit_mm"]
    cards = []
    for name, title, signal in WEAR_ITEMS:
        new = _binned(signals, signal)
        stored = models.get(vehicle_id, name) if models is not None else None
        old_x, old_y = _history(stored) if stored is not None else (np.zeros(0), np.zeros(0))
        if isinstance(new, str) and old_x.size == 0:
            cards.append(RulCard(name, title, None, new, threshold=limit))
            continue
        x, y = (old_x, old_y) if isinstance(new, str) else _merge(old_x, old_y, *new)
        from_store = int(old_x.size)
        if x.size < 3 or np.ptp(x) < MIN_SPAN_KM:
            cards.append(RulCard(name, title, None, f"the trend needs at least {MIN_SPAN_KM:.0f} km of readings "
                                 f"(have {np.ptp(x) if x.size else 0:.1f} km)", x, y, limit, from_store=from_store))
            continue
        try:
            horizon = max(1000.0, HORIZON_KM / max(float(np.ptp(x)), MIN_SPAN_KM))
            model = DegradationTrendModel(limit, unit="km", forms=("linear",), horizon_factor=horizon).fit(x, y)
            estimate = model.predict()
        except (ValueError, RuntimeError) as e:
            cards.append(RulCard(name, title, None, f"the trend could not be fitted ({e})", x, y, limit, from_store=from_store))
            continue
        reach = estimate.value if math.isfinite(estimate.value) else 0.0
        cx = np.linspace(x[0], x[-1] + max(reach, np.ptp(x)) * 1.1, 200)
        cards.append(RulCard(name, title, estimate, "", x, y, limit, curve_x=cx, curve=model.curve(cx), from_store=from_store))
        if models is not None:
            # The refitted model and its data go back with the vehicle, round-tripped as plain JSON.
            parameters = {"model": model.to_dict(), "signal": signal, "history": {"km": x.round(3).tolist(), "mm": y.round(4).tolist()}}
            model_from_dict(parameters["model"])  # refuse to store what could not be read back
            models.save(vehicle_id, name, model.kind, parameters)
    return cards
