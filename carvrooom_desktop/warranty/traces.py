"""Trace fingerprints: two recordings that show the same drive, though their bytes (and SHA-256) differ.

A recording re-exported, trimmed, re-sampled, or with a little noise added hashes differently, yet its
engine speed, road speed, load and coolant curves are the same drive. The fingerprint keeps the shape
of a few slow signals: each averaged over fixed time bins (``BIN_S`` seconds from the first sample, so
a trimmed copy is the same series shifted by whole bins plus a fraction), z-normalised (an offset or
a unit change does not hide it) and compared after a moving mean of ``SMOOTH_BINS`` bins. Two fingerprints are compared by the mean Pearson correlation of their
common signals at the best shift (up to a tenth of the shorter one), over an overlap of at least half
of it. Two different drives, even of one car on one route, do not line up bin for bin over minutes.

Measured on the 108 real drives of ``../shared/datasets/carobd`` (tests/warranty/test_warranty_traces.py):
copies trimmed by 2 %, re-sampled at half the rate or with 5 % noise score >= 0.95; different drives of a
similar length score well below the threshold (``signals.json``: ``shared_recording.trace_threshold``).

A session that never moves (an idle test) has no fingerprint: one idle looks like another, so those
are matched by their SHA-256 only. The fingerprint is stored with the claim (1 byte a bin, base64: an
hour is about 10 kB) beside the recording's duration, so the
candidates for a match come from SQL by duration before any correlation runs.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import numpy as np

VERSION = 3
BIN_S = 2.0  # seconds per bin; a long recording takes wider bins so it keeps at most MAX_BINS
MAX_BINS = 4096
MIN_BINS = 60  # two minutes: anything shorter matches too easily to mean anything
SMOOTH_BINS = 5  # compared after a moving mean this wide: a copy off by a fraction of a bin still lines up
SCALE = 25.0  # z-scores stored as int8 steps of 1/25 (clipped at +-5): 1 byte a bin, base64 in the JSON
MIN_ROAD_SPEED = 10.0  # km/h: a session that never reaches it (an idle test) looks like every other one
SIGNALS = ("engine_speed", "vehicle_speed", "engine_load", "throttle_position", "coolant_temp", "maf")
MIN_SIGNALS = 2
MAX_SHIFT_FRACTION = 0.1
MIN_OVERLAP = 0.5


def fingerprint(samples: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, Any] | None:
    """The fingerprint of a recording's samples; None when it is too short or has too few usable signals."""
    usable = {}
    for name in SIGNALS:
        if name not in samples:
            continue
        t, v = (np.asarray(a, float) for a in samples[name])
        keep = np.isfinite(t) & np.isfinite(v)
        if keep.sum() >= MIN_BINS:
            usable[name] = (t[keep], v[keep])
    if len(usable) < MIN_SIGNALS:
        return None
    start = min(float(t.min()) for t, _ in usable.values())
    end = max(float(t.max()) for t, _ in usable.values())
    bin_s = max(BIN_S, (end - start) / MAX_BINS)
    bins = int((end - start) // bin_s) + 1
    if bins < MIN_BINS:
        return None
    shapes: dict[str, str] = {}
    for name, (t, v) in usable.items():
        y = _bin_means(t, v, start, bin_s, bins)
        sd = float(y.std())
        if sd < 1e-9:
            continue  # a flat trace says nothing about which drive it was
        z = np.clip(np.round((y - y.mean()) / sd * SCALE), -127, 127).astype(np.int8)
        shapes[name] = base64.b64encode(z.tobytes()).decode("ascii")
    if len(shapes) < MIN_SIGNALS or "vehicle_speed" not in usable or float(usable["vehicle_speed"][1].max()) < MIN_ROAD_SPEED:
        return None
    return {"version": VERSION, "duration_s": round(end - start, 3), "bin_s": bin_s, "bins": bins, "signals": shapes}


def _bin_means(t: np.ndarray, v: np.ndarray, start: float, bin_s: float, bins: int) -> np.ndarray:
    """The mean of each time bin; an empty bin takes the line between its neighbours."""
    which = np.clip(((t - start) // bin_s).astype(int), 0, bins - 1)
    sums = np.bincount(which, weights=v, minlength=bins)
    counts = np.bincount(which, minlength=bins)
    filled = counts > 0
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=filled)
    x = np.arange(bins)
    return np.interp(x, x[filled], means[filled])


def similarity(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> float:
    """Mean correlation of the common signals at the best shift (0 when they cannot be compared)."""
    if not a or not b or a.get("version") != VERSION or b.get("version") != VERSION or a.get("bin_s") != b.get("bin_s"):
        return 0.0
    common = sorted(set(a["signals"]) & set(b["signals"]))
    if len(common) < MIN_SIGNALS:
        return 0.0
    x = np.array([_smooth(_decode(a["signals"][n])) for n in common])
    y = np.array([_smooth(_decode(b["signals"][n])) for n in common])
    shorter = min(x.shape[1], y.shape[1])
    max_shift = max(2, int(shorter * MAX_SHIFT_FRACTION))
    best = 0.0
    for shift in range(-max_shift, max_shift + 1):  # x[i + shift] against y[i]
        lo, hi = max(0, -shift), min(y.shape[1], x.shape[1] - shift)
        if hi - lo < max(MIN_BINS, int(shorter * MIN_OVERLAP)):
            continue
        xs = x[:, lo + shift:hi + shift]
        ys = y[:, lo:hi]
        xs = xs - xs.mean(axis=1, keepdims=True)
        ys = ys - ys.mean(axis=1, keepdims=True)
        den = np.sqrt((xs * xs).sum(axis=1) * (ys * ys).sum(axis=1))
        if np.any(den == 0):
            continue
        best = max(best, float(np.mean((xs * ys).sum(axis=1) / den)))
    return best


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), np.int8).astype(float) / SCALE


def _smooth(z: np.ndarray) -> np.ndarray:
    c: np.ndarray = np.cumsum(np.concatenate(([0.0], z)))
    out: np.ndarray = (c[SMOOTH_BINS:] - c[:-SMOOTH_BINS]) / SMOOTH_BINS
    return out


def duration_window(duration_s: float, tolerance: float = MAX_SHIFT_FRACTION * 2) -> tuple[float, float]:
    """The durations a matching recording may have (a trimmed copy is a little shorter)."""
    return duration_s * (1 - tolerance), duration_s / (1 - tolerance)


__all__ = ["BIN_S", "SIGNALS", "VERSION", "duration_window", "fingerprint", "similarity"]
