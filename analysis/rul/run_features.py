"""Windowed health features of a unit's history, computed causally for every cycle at once.

For each normalised sensor, at each cycle t (using cycles 1..t only, as a unit still in
service would): an exponentially smoothed value, the means over the last 5, 15 and 30 cycles,
least-squares slopes over the last 15, 30 and 60 cycles, and the drift of the last 30
cycles from the unit's own first 20 (units start with different initial wear); plus the age
t itself. Cumulative sums make all windows O(n) per sensor.

Sensor selection keeps the sensors whose normalised value follows the fraction of life
consumed (|Spearman rho| >= 0.3 over the training units): the ones that trend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import lfilter
from scipy.stats import spearmanr

MEAN_WINDOWS = (5, 15, 30)
SLOPE_WINDOWS = (15, 30, 60)
BASELINE = 20
SMOOTHING = 0.1
MIN_TREND = 0.3
AGE_SCALE = 100.0


def select_trending(z_units: Sequence[np.ndarray], min_rho: float = MIN_TREND) -> np.ndarray:
    """Indices of the sensors whose value follows life consumed."""
    z = np.vstack(z_units)
    life = np.concatenate([np.arange(1, len(u) + 1) / len(u) for u in z_units])
    keep = []
    for j in range(z.shape[1]):
        col = z[:, j]
        if not np.all(np.isfinite(col)) or np.ptp(col) <= 0:
            continue
        rho = spearmanr(col, life)[0]
        if np.isfinite(rho) and abs(rho) >= min_rho:
            keep.append(j)
    return np.asarray(keep, dtype=int)


def _window_sum(cs: np.ndarray, t: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.maximum(t - w, 0)
    return cs[t] - cs[lo], (t - lo).astype(float)


def features(z: np.ndarray) -> np.ndarray:
    """(n cycles, n features) for one unit's normalised sensors ``z`` (n cycles, p sensors)."""
    n, p = z.shape
    if n == 0:
        return np.zeros((0, p * (2 + len(MEAN_WINDOWS) + len(SLOPE_WINDOWS)) + 1))
    t = np.arange(1, n + 1)
    idx = np.arange(n, dtype=float)
    zero = np.zeros((1, p))
    cs = np.vstack([zero, np.cumsum(z, 0)])
    cs_tx = np.vstack([zero, np.cumsum(z * idx[:, None], 0)])
    c_t = np.concatenate(([0.0], np.cumsum(idx)))
    c_tt = np.concatenate(([0.0], np.cumsum(idx * idx)))
    out = [lfilter([SMOOTHING], [1.0, SMOOTHING - 1.0], z - z[:1], axis=0) + z[:1]]
    for w in MEAN_WINDOWS:
        s, m = _window_sum(cs, t, w)
        out.append(s / m[:, None])
    for w in SLOPE_WINDOWS:
        lo = np.maximum(t - w, 0)
        m = (t - lo).astype(float)
        sx, sxx = c_t[t] - c_t[lo], c_tt[t] - c_tt[lo]
        sy, sxy = cs[t] - cs[lo], cs_tx[t] - cs_tx[lo]
        den = (m * sxx - sx * sx)[:, None]
        safe = np.where(den > 0, den, 1.0)
        out.append(np.where(den > 0, (m[:, None] * sxy - sx[:, None] * sy) / safe, 0.0) * 10.0)
    base_n = np.minimum(t, BASELINE)
    baseline = cs[base_n] / base_n[:, None]
    s, m = _window_sum(cs, t, 30)
    out.append(s / m[:, None] - baseline)
    out.append((t / AGE_SCALE)[:, None])
    return np.hstack(out)
