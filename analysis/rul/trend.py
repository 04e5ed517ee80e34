"""Degradation trend of one health indicator, extrapolated to a failure threshold.

For wear items measured directly (battery capacity vs cycles, brake pad thickness vs km):
fit a linear trend ``y = a + b x`` and an exponential one ``y = exp(a + b x)`` (linear in
``log y``) by least squares, keep the one with the lower BIC (computed on ``y`` itself so the
two are comparable), and extrapolate to where it reaches the threshold. The interval comes
from the OLS prediction band of the chosen fit (Student t, ``n - 2`` degrees of freedom): the
RUL bounds are where the band's edges cross the threshold. No crossing within
``horizon_factor`` times the observed span gives an infinite bound ("beyond the data").

``window`` fits only the most recent stretch of x (e.g. the last 30 cycles): the local trend,
for indicators whose fade rate changes over life (Li-ion capacity). Choose it on other units,
never on the one being predicted.
"""

from __future__ import annotations

import math
from typing import Any

from collections.abc import Sequence

import numpy as np
from scipy import optimize, stats

from analysis.rul.base import RulEstimate, RulModel

FORMS = ("linear", "exponential")


class DegradationTrendModel(RulModel):
    kind = "degradation_trend"

    def __init__(self, threshold: float, *, unit: str = "cycles", falling: bool = True, confidence_level: float = 0.9,
                 forms: tuple[str, ...] = FORMS, criterion: str = "bic", horizon_factor: float = 10.0,
                 window: float | None = None) -> None:
        if criterion not in ("aic", "bic"):
            raise ValueError("criterion must be 'aic' or 'bic'")
        self.threshold = float(threshold)
        self.unit = unit
        self.falling = bool(falling)
        self.confidence_level = float(confidence_level)
        self.forms = tuple(f for f in forms if f in FORMS)
        self.criterion = criterion
        self.horizon_factor = float(horizon_factor)
        self.window = None if window is None else float(window)
        self.form: str | None = None
        self.coef = np.zeros(2)
        self.sigma = 0.0
        self.n = 0
        self.x_mean = 0.0
        self.sxx = 0.0
        self.x_first = self.x_last = 0.0
        self.scores: dict[str, float] = {}

    # ------------------------------------------------------------------ fitting
    def fit(self, x: Any, y: Any) -> DegradationTrendModel:  # array-likes: rebound to float arrays below
        x = np.asarray(x, dtype=float).ravel()
        y = np.asarray(y, dtype=float).ravel()
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} values, y has {len(y)}")
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
        if self.window is not None and len(x):
            keep = x >= x[-1] - self.window
            x, y = x[keep], y[keep]
        if len(x) < 3 or np.ptp(x) <= 0.0:
            raise ValueError("a trend needs at least 3 points at different x")
        best = None
        self.scores = {}
        for form in self.forms:
            if form == "exponential" and np.any(y <= 0.0):
                continue
            g = np.log(y) if form == "exponential" else y
            b, a = np.polyfit(x, g, 1)
            fitted = a + b * x
            resid_g = g - fitted
            y_hat = np.exp(fitted) if form == "exponential" else fitted
            rss = float(np.sum((y - y_hat) ** 2))
            n = len(x)
            k = 3  # a, b, noise
            loglik_term = n * math.log(max(rss / n, 1e-300))
            score = loglik_term + (k * math.log(n) if self.criterion == "bic" else 2 * k)
            self.scores[form] = score
            if best is None or score < best[0]:
                sigma = float(np.sqrt(np.sum(resid_g ** 2) / max(n - 2, 1)))
                best = (score, form, np.array([a, b]), sigma)
        assert best is not None
        _, self.form, self.coef, self.sigma = best
        self.n = len(x)
        self.x_mean = float(np.mean(x))
        self.sxx = float(np.sum((x - self.x_mean) ** 2))
        self.x_first, self.x_last = float(x[0]), float(x[-1])
        return self

    # ------------------------------------------------------------------ curves
    def _fit_space(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.coef
        mean = a + b * x
        se = self.sigma * np.sqrt(1.0 + 1.0 / self.n + (x - self.x_mean) ** 2 / max(self.sxx, 1e-300))
        return mean, se

    def curve(self, x: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(trend, lower, upper) of the indicator at ``x``: for a trend plot with its prediction band."""
        if self.form is None:
            raise RuntimeError("fit the model first")
        x = np.asarray(x, dtype=float)
        mean, se = self._fit_space(x)
        q = stats.t.ppf(0.5 + self.confidence_level / 2.0, max(self.n - 2, 1))
        lo, hi = mean - q * se, mean + q * se
        if self.form == "exponential":
            return np.exp(mean), np.exp(lo), np.exp(hi)
        return mean, lo, hi

    def _crossing(self, which: int, x_from: float, x_to: float) -> float:
        """First x in [x_from, x_to] where curve ``which`` (0 trend, 1 lower, 2 upper) reaches the threshold."""
        def gap(x: float) -> float:
            v = self.curve(np.array([x]))[which][0]
            result: float = (v - self.threshold) if self.falling else (self.threshold - v)
            return result

        if gap(x_from) <= 0.0:
            return x_from
        xs = np.linspace(x_from, x_to, 400)
        vals = self.curve(xs)[which]
        g = (vals - self.threshold) if self.falling else (self.threshold - vals)
        idx = np.nonzero(g <= 0.0)[0]
        if idx.size == 0:
            return math.inf
        i = int(idx[0])
        return float(optimize.brentq(gap, xs[i - 1], xs[i])) if i > 0 else float(xs[0])

    def predict(self, x_now: float | None = None) -> RulEstimate:
        """Remaining life from ``x_now`` (default: the last fitted x) until the threshold is reached."""
        if self.form is None:
            raise RuntimeError("fit the model first")
        now = self.x_last if x_now is None else float(x_now)
        span = max(self.x_last - self.x_first, 1e-9)
        end = max(now, self.x_last) + self.horizon_factor * span
        crossing = self._crossing(0, now, end)
        # Falling indicator: the lower band reaches the threshold first (earliest failure).
        early = self._crossing(1 if self.falling else 2, now, end)
        late = self._crossing(2 if self.falling else 1, now, end)
        return RulEstimate(value=max(0.0, crossing - now), lower=max(0.0, early - now), upper=max(0.0, late - now),
                           unit=self.unit, confidence_level=self.confidence_level)

    # ------------------------------------------------------------------ storage
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"threshold": self.threshold, "unit": self.unit, "falling": self.falling, "confidence_level": self.confidence_level,
                "forms": list(self.forms), "criterion": self.criterion, "horizon_factor": self.horizon_factor, "window": self.window, "form": self.form,
                "sigma": self.sigma, "n": self.n, "x_mean": self.x_mean, "sxx": self.sxx, "x_first": self.x_first,
                "x_last": self.x_last, "scores": self.scores}
        return meta, {"coef": self.coef}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> DegradationTrendModel:
        m = cls(meta["threshold"], unit=meta["unit"], falling=meta["falling"], confidence_level=meta["confidence_level"],
                forms=tuple(meta["forms"]), criterion=meta["criterion"], horizon_factor=meta["horizon_factor"],
                window=meta.get("window"))
        m.form = meta["form"]
        m.coef = np.asarray(arrays["coef"], dtype=float).ravel()
        for key in ("sigma", "x_mean", "sxx", "x_first", "x_last"):
            setattr(m, key, float(meta[key]))
        m.n = int(meta["n"])
        m.scores = dict(meta.get("scores", {}))
        return m
