"""Named signals with their own time bases, cleaned before any check looks at them.

A :class:`SignalSet` holds what was recorded or polled: per signal a time array (seconds)
and a value array, plus its unit. Nothing here raises on bad data: a signal that cannot be
used (lengths differ, nothing finite, a unit we cannot convert) is set aside with the reason,
and the checks turn that reason into a "not enough data" finding.

Cleaning, done once per signal and cached: non-finite samples are dropped, timestamps are
sorted (stable) and duplicates keep their last value. Checks that need several signals at
once ask for them on a common grid (:meth:`SignalSet.aligned`), where grid points that fall
in a gap of any source signal are NaN rather than interpolated across the gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

# The unit each signal name is expected in (simulator and OBD-II PIDs, SAE J1979 scaling).
EXPECTED_UNITS: dict[str, str] = {
    "engine_speed": "rpm", "vehicle_speed": "km/h", "throttle_position": "%", "engine_load": "%",
    "coolant_temp": "°C", "intake_air_temp": "°C", "ambient_air_temp": "°C",
    "intake_manifold_pressure": "kPa", "barometric_pressure": "kPa", "maf": "g/s",
    "stft_b1": "%", "ltft_b1": "%", "o2_b1s1_voltage": "V", "o2_b1s2_voltage": "V",
    "battery_voltage": "V", "timing_advance": "°", "fuel_level": "%", "odometer_km": "km",
    "run_time": "s", "brake_pad_front_mm": "mm", "brake_pad_rear_mm": "mm", "brake_pressure": "bar",
    "catalyst_temp_b1s1": "°C", "catalyst_temp_b1s2": "°C", "fuel_closed_loop": "",
    **{f"misfire_cyl{n}": "count" for n in range(1, 13)},
}

# Spellings of the same unit, and conversions to the expected one: (scale, offset).
_ALIASES = {
    "degc": "°C", "c": "°C", "deg c": "°C", "celsius": "°C", "°c": "°C", "1/min": "rpm", "rev/min": "rpm",
    "kph": "km/h", "kmh": "km/h", "km/hr": "km/h", "percent": "%", "volt": "V", "volts": "V", "v": "V",
    "kpa": "kPa", "g/sec": "g/s", "gps": "g/s", "deg": "°", "degrees": "°", "sec": "s", "seconds": "s",
    "counts": "count", "millimetre": "mm", "millimeter": "mm",
}
_CONVERSIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("°F", "°C"): (5.0 / 9.0, -32.0 * 5.0 / 9.0), ("degf", "°C"): (5.0 / 9.0, -32.0 * 5.0 / 9.0),
    ("K", "°C"): (1.0, -273.15), ("mph", "km/h"): (1.609344, 0.0), ("m/s", "km/h"): (3.6, 0.0),
    ("bar", "kPa"): (100.0, 0.0), ("psi", "kPa"): (6.894757, 0.0), ("mV", "V"): (0.001, 0.0),
    ("min", "s"): (60.0, 0.0), ("h", "s"): (3600.0, 0.0), ("mi", "km"): (1.609344, 0.0),
    ("in", "mm"): (25.4, 0.0), ("kPa", "bar"): (0.01, 0.0), ("psi", "bar"): (0.0689476, 0.0),
    ("kg/h", "g/s"): (1.0 / 3.6, 0.0), ("ms", "s"): (0.001, 0.0),
}
_UNITLESS = {"", "count", "-", "1", "none", "bool", "state"}


def _canonical(unit: str) -> str:
    u = (unit or "").strip()
    return _ALIASES.get(u.lower(), u)


def unit_conversion(given: str, expected: str) -> tuple[float, float] | None:
    """``(scale, offset)`` so that ``value * scale + offset`` is in ``expected``; None if unknown."""
    g, e = _canonical(given), _canonical(expected)
    if g == e or (g.lower() in _UNITLESS and e.lower() in _UNITLESS):
        return 1.0, 0.0
    if not g:  # no unit recorded: trust the name
        return 1.0, 0.0
    return _CONVERSIONS.get((g, e)) or _CONVERSIONS.get((g.lower(), e))


@dataclass(frozen=True, slots=True)
class Signal:
    """One cleaned signal: strictly increasing finite times, finite values, in the expected unit."""

    name: str
    t: np.ndarray
    values: np.ndarray
    unit: str

    def __len__(self) -> int:
        return len(self.t)

    @property
    def span(self) -> float:
        return float(self.t[-1] - self.t[0]) if len(self.t) > 1 else 0.0

    @property
    def typical_interval(self) -> float:
        """Median time between samples (inf with fewer than two samples)."""
        return float(np.median(np.diff(self.t))) if len(self.t) > 1 else float("inf")

    def gaps(self, max_interval: float | None = None) -> list[tuple[float, float]]:
        """Stretches with no sample for longer than ``max_interval`` (default: 5 x the typical interval)."""
        if len(self.t) < 2:
            return []
        limit = max_interval if max_interval is not None else 5.0 * self.typical_interval
        d = np.diff(self.t)
        idx = np.nonzero(d > limit)[0]
        return [(float(self.t[i]), float(self.t[i + 1])) for i in idx]


@dataclass(frozen=True, slots=True)
class Aligned:
    """Several signals on one time grid; NaN where a source signal had no data nearby."""

    t: np.ndarray
    values: dict[str, np.ndarray]
    dt: float

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def __len__(self) -> int:
        return len(self.t)


class SignalSet:
    """Named signal arrays, each with its own time base (seconds) and unit."""

    def __init__(
        self,
        data: Mapping[str, tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]] | None = None,
        units: Mapping[str, str] | None = None,
    ) -> None:
        self._raw: dict[str, tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]] = dict(data or {})
        self._units: dict[str, str] = dict(units or {})
        self._clean: dict[str, Signal | None] = {}
        self._problems: dict[str, str] = {}

    # -------------------------------------------------------------- building
    @classmethod
    def from_columns(cls, t: Sequence[float] | np.ndarray, columns: Mapping[str, Sequence[float] | np.ndarray], units: Mapping[str, str] | None = None) -> SignalSet:
        """Columns sampled together on one time array (a CSV log, a recording)."""
        return cls({name: (t, v) for name, v in columns.items()}, units)

    @classmethod
    def from_rows(cls, t: Sequence[float], rows: Sequence[Mapping[str, float]], units: Mapping[str, str] | None = None) -> SignalSet:
        """One dict of values per timestamp, e.g. what a simulator's ``signals()`` returns each step."""
        names: list[str] = []
        for row in rows[:1]:
            names = list(row)
        columns = {n: np.array([r.get(n, np.nan) for r in rows], dtype=float) for n in names}
        return cls.from_columns(np.asarray(t, dtype=float), columns, units)

    def with_signal(self, name: str, t: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray, unit: str = "") -> SignalSet:
        data = dict(self._raw)
        data[name] = (t, values)
        units = dict(self._units)
        units[name] = unit
        return SignalSet(data, units)

    # -------------------------------------------------------------- reading
    @property
    def names(self) -> list[str]:
        return list(self._raw)

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def unit(self, name: str) -> str:
        return self._units.get(name, EXPECTED_UNITS.get(name, ""))

    def get(self, name: str) -> Signal | None:
        """The cleaned signal, or None (then :meth:`problem` says why)."""
        if name not in self._clean:
            self._clean[name] = self._prepare(name)
        return self._clean[name]

    def evidence(self, name: str) -> Signal | None:
        """What a finding's ``signal`` names, for its evidence plot: one signal, or a sum such as
        ``stft_b1+ltft_b1`` (total fuel trim) computed on the signals' common grid."""
        if "+" not in name:
            return self.get(name)
        parts = [p.strip() for p in name.split("+") if p.strip()]
        grid = self.aligned(parts)
        if grid is None:
            return None
        total = np.sum([grid[p] for p in parts], axis=0)
        ok = np.isfinite(total)
        return Signal(name, grid.t[ok], total[ok], cast(Signal, self.get(parts[0])).unit)  # aligned: all present

    def problem(self, name: str) -> str:
        """Why ``name`` cannot be used, in words ('' when it can)."""
        if "+" in name:
            return "; ".join(f"{p}: {self.problem(p)}" for p in name.split("+") if self.problem(p)) or "the signals do not overlap in time"
        self.get(name)
        return self._problems.get(name, "")

    def missing(self, names: Iterable[str]) -> list[str]:
        """Of ``names``, those that are absent or unusable, each with its reason."""
        out = []
        for n in names:
            if self.get(n) is None:
                out.append(f"{n} ({self.problem(n)})")
        return out

    def time_span(self) -> tuple[float, float] | None:
        spans = [(s.t[0], s.t[-1]) for s in (self.get(n) for n in self.names) if s is not None]
        if not spans:
            return None
        return float(min(a for a, _ in spans)), float(max(b for _, b in spans))

    def aligned(self, names: Sequence[str], dt: float | None = None, max_gap: float | None = None) -> Aligned | None:
        """``names`` on one grid over the span they share, linearly interpolated.

        ``dt`` defaults to the coarsest typical interval of the signals (no invented detail);
        grid points more than ``max_gap`` (default 3 x that signal's typical interval, at least
        ``dt``) from a real sample of a signal are NaN for that signal. None if any signal is
        unusable or they do not overlap in time.
        """
        got = [self.get(n) for n in names]
        if not got or any(s is None or len(s) == 0 for s in got):
            return None
        signals = cast(list[Signal], got)  # none is None (checked above)
        t0 = max(s.t[0] for s in signals)
        t1 = min(s.t[-1] for s in signals)
        if not t1 >= t0:
            return None
        intervals = [s.typical_interval for s in signals if len(s) > 1]
        step = dt if dt is not None else (max(intervals) if intervals else 1.0)
        if not np.isfinite(step) or step <= 0.0:
            step = 1.0
        n = int(np.floor((t1 - t0) / step)) + 1
        if n > 2_000_000:  # a nonsense time base: refuse rather than allocate gigabytes
            return None
        grid = t0 + step * np.arange(n)
        out = {}
        for s in signals:
            if len(s) == 1:
                v = np.where(np.abs(grid - s.t[0]) <= step, s.values[0], np.nan)
            else:
                v = np.interp(grid, s.t, s.values)
                limit = max_gap if max_gap is not None else max(3.0 * s.typical_interval, step)
                i = np.clip(np.searchsorted(s.t, grid), 1, len(s.t) - 1)
                near = np.minimum(np.abs(grid - s.t[i - 1]), np.abs(s.t[i] - grid))
                span = s.t[i] - s.t[i - 1]
                v = np.where((near <= limit) | (span <= limit), v, np.nan)
            out[s.name] = v
        return Aligned(grid, out, float(step))

    # -------------------------------------------------------------- cleaning
    def _prepare(self, name: str) -> Signal | None:
        if name not in self._raw:
            self._problems[name] = "not recorded"
            return None
        t_raw, v_raw = self._raw[name]
        try:
            t = np.asarray(t_raw, dtype=float).ravel()
            v = np.asarray(v_raw, dtype=float).ravel()
        except (TypeError, ValueError) as e:
            self._problems[name] = f"not numeric ({e})"
            return None
        if len(t) != len(v):
            self._problems[name] = f"{len(t)} timestamps but {len(v)} values"
            return None
        expected = EXPECTED_UNITS.get(name)
        if expected is not None:
            conv = unit_conversion(self._units.get(name, ""), expected)
            if conv is None:
                self._problems[name] = f"unit {self._units.get(name)!r}, expected {expected!r}"
                return None
            scale, offset = conv
            if (scale, offset) != (1.0, 0.0):
                with np.errstate(all="ignore"):
                    v = v * scale + offset
        unit = expected if expected is not None else self._units.get(name, "")
        with np.errstate(all="ignore"):
            ok = np.isfinite(t) & np.isfinite(v) & (np.abs(v) < 1e12) & (np.abs(t) < 1e12)
        t, v = t[ok], v[ok]
        if len(t) == 0:
            self._problems[name] = "no finite samples"
            return None
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        if len(t) > 1:
            keep = np.append(t[1:] != t[:-1], True)  # the last value of a repeated timestamp
            t, v = t[keep], v[keep]
        t.setflags(write=False)
        v.setflags(write=False)
        return Signal(name, t, v, unit)
