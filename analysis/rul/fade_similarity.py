"""Remaining life of a fading health indicator by similarity to units that already failed.

For capacity fade of Li-ion cells (and any indicator with a library of complete histories):
the fade so far of the unit in service, ``f(k) = y(0) - y(k)``, is matched to each library
unit's fade curve ``F_j`` stretched in time and amplitude, ``f(k) ~ b * F_j(s * k)``
(``s`` from a grid, ``b`` by least squares for each ``s``). The matched curve is followed to
the fade that puts the unit at the threshold, ``b * F_j(s * k) = y(0) - threshold``; past the
end of a library curve its last stretch is extended linearly. Each library unit gives an
end-of-life estimate, weighted by the inverse square of its fit error.

Interval: every (unit, stretch) pair fitting within ``tolerance`` of that unit's best fit is
a plausible history; the weighted ``(1 - level) / 2`` quantiles of their end-of-life
estimates bound the interval. Why this model beside the trend: a trend fitted to the first
half of life cannot know that Li-ion fade accelerates later; the library units show it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.rul.base import RulEstimate, RulModel

STRETCHES = np.linspace(0.4, 2.5, 211)
MIN_POINTS = 5


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cw = np.cumsum(w) / np.sum(w)
    return float(np.interp(q, cw, v))


class FadeSimilarityModel(RulModel):
    kind = "fade_similarity"

    def __init__(self, threshold: float, *, unit: str = "cycles", confidence_level: float = 0.9, tolerance: float = 0.25,
                 baseline_points: int = 5) -> None:
        self.threshold = float(threshold)
        self.unit = unit
        self.confidence_level = float(confidence_level)
        self.tolerance = float(tolerance)
        self.baseline_points = int(baseline_points)
        self.library: list[tuple[np.ndarray, np.ndarray]] = []  # (x, fade) per failed unit
        self.last_fit: list[dict[str, float]] = []

    # ------------------------------------------------------------------ fitting
    def fit(self, histories: Sequence[tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]]) -> FadeSimilarityModel:
        """``histories``: (x, indicator) of complete lives (they may stop short of the threshold)."""
        self.library = []
        for hx, hy in histories:
            x, y = np.asarray(hx, float).ravel(), np.asarray(hy, float).ravel()
            if len(x) != len(y):
                raise ValueError(f"a history has {len(x)} x values and {len(y)} indicator values")
            ok = np.isfinite(x) & np.isfinite(y)
            x, y = x[ok], y[ok]
            order = np.argsort(x, kind="stable")
            x, y = x[order], y[order]
            if len(x) < 2 * MIN_POINTS:
                continue
            self.library.append((x, np.median(y[: self.baseline_points]) - y))
        if not self.library:
            raise ValueError(f"no usable history (each needs at least {2 * MIN_POINTS} finite points)")
        return self

    # ------------------------------------------------------------------ prediction
    def _end_of_life(self, x_lib: np.ndarray, fade_lib: np.ndarray, need: float, stretch: float) -> float:
        """x of the unit in service at which the stretched library curve reaches ``need`` fade."""
        envelope = np.maximum.accumulate(fade_lib)  # recovery bumps must not delay the crossing
        idx = np.nonzero(envelope >= need)[0]
        if idx.size:
            return float(x_lib[idx[0]]) / stretch
        n = max(MIN_POINTS * 2, len(x_lib) // 5)
        slope = float(np.polyfit(x_lib[-n:], envelope[-n:], 1)[0])
        if slope <= 0.0:
            return math.inf
        return (float(x_lib[-1]) + (need - float(envelope[-1])) / slope) / stretch

    def predict(self, x: Any, y: Any) -> RulEstimate:  # array-likes: rebound to float arrays below
        """Remaining life after the last of ``x`` for the unit whose indicator so far is ``y``."""
        if not self.library:
            raise RuntimeError("fit the model first")
        x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        if len(x) < MIN_POINTS:
            raise ValueError(f"need at least {MIN_POINTS} finite readings, have {len(x)}")
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
        start = float(np.median(y[: self.baseline_points]))
        fade = start - y
        need_total = start - self.threshold
        now = float(x[-1])
        if need_total <= 0.0 or y[-1] <= self.threshold:
            return RulEstimate(0.0, 0.0, 0.0, self.unit, self.confidence_level)
        eols, weights, plausible, plausible_w = [], [], [], []
        self.last_fit = []
        for x_lib, fade_lib in self.library:
            fits = []
            for s in STRETCHES:
                g = np.interp(s * x, x_lib, fade_lib, right=np.nan)
                m = np.isfinite(g)
                if np.count_nonzero(m) < MIN_POINTS:
                    continue
                gg = float(np.dot(g[m], g[m]))
                if gg <= 1e-12:
                    continue
                b = float(np.dot(g[m], fade[m])) / gg
                if b <= 0.0:
                    continue
                rmse = float(np.sqrt(np.mean((b * g[m] - fade[m]) ** 2)))
                fits.append((rmse, float(s), b))
            if not fits:
                continue
            best = min(fits)
            eol = self._end_of_life(x_lib, fade_lib, need_total / best[2], best[1])
            if not math.isfinite(eol):
                continue
            w = 1.0 / max(best[0], 1e-6) ** 2
            eols.append(max(eol, now))
            weights.append(w)
            self.last_fit.append({"rmse": best[0], "stretch": best[1], "amplitude": best[2], "end_of_life": eol})
            for rmse, s, b in fits:
                if rmse <= best[0] * (1.0 + self.tolerance):
                    e = self._end_of_life(x_lib, fade_lib, need_total / b, s)
                    if math.isfinite(e):
                        plausible.append(max(e, now))
                        plausible_w.append(w)
        if not eols:
            return RulEstimate(math.inf, math.inf, math.inf, self.unit, self.confidence_level)
        eol = float(np.average(eols, weights=weights))
        p, w_all = np.asarray(plausible), np.asarray(plausible_w)
        tail = (1.0 - self.confidence_level) / 2.0
        lo = min(eol, _weighted_quantile(p, w_all, tail))
        hi = max(eol, _weighted_quantile(p, w_all, 1.0 - tail))
        return RulEstimate(eol - now, lo - now, hi - now, self.unit, self.confidence_level)

    # ------------------------------------------------------------------ storage
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"threshold": self.threshold, "unit": self.unit, "confidence_level": self.confidence_level,
                "tolerance": self.tolerance, "baseline_points": self.baseline_points,
                "lengths": [len(x) for x, _ in self.library]}
        xs = np.concatenate([x for x, _ in self.library]) if self.library else np.zeros(0)
        fs = np.concatenate([f for _, f in self.library]) if self.library else np.zeros(0)
        return meta, {"x": xs, "fade": fs}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> FadeSimilarityModel:
        m = cls(meta["threshold"], unit=meta["unit"], confidence_level=meta["confidence_level"], tolerance=meta["tolerance"],
                baseline_points=meta["baseline_points"])
        xs, fs = np.asarray(arrays["x"], float).ravel(), np.asarray(arrays["fade"], float).ravel()
        lengths = [int(n) for n in meta["lengths"]]
        if sum(lengths) != len(xs) or len(xs) != len(fs):
            raise ValueError("library lengths do not match the stored arrays")
        edges = np.cumsum([0, *lengths])
        m.library = [(xs[a:b], fs[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        return m
