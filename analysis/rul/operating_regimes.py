"""Operating regimes and per-regime sensor normalisation for run-to-failure data.

Engines (and cars) run at different operating points; a sensor's raw value mostly says
where it runs, not how worn it is. The operating settings cluster tightly (C-MAPSS FD002:
six flight conditions), so k-means on the standardised settings finds the regimes, and each
sensor is z-scored with the mean and spread it has in its own regime. The number of regimes
is the smallest k whose clusters leave under 1 % of the settings' variance (k = 1 when the
settings are only noise, as in FD001).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_REGIMES = 8
EXPLAINED = 0.99


def kmeans(x: np.ndarray, k: int, seed: int = 0, iterations: int = 60) -> tuple[np.ndarray, np.ndarray, float]:
    """(centres (k, d), labels, within-cluster sum of squares), k-means++ start, Lloyd iterations."""
    rng = np.random.default_rng(seed)
    centres = x[[int(rng.integers(len(x)))]]
    for _ in range(1, k):
        d2 = ((x[:, None, :] - centres[None]) ** 2).sum(-1).min(1)
        total = d2.sum()
        pick = int(rng.choice(len(x), p=d2 / total)) if total > 0 else int(rng.integers(len(x)))
        centres = np.vstack([centres, x[pick]])
    labels = np.zeros(len(x), dtype=int)
    for _ in range(iterations):
        labels = ((x[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        new = np.array([x[labels == j].mean(0) if np.any(labels == j) else centres[j] for j in range(k)])
        if np.allclose(new, centres):
            break
        centres = new
    within = float(((x - centres[labels]) ** 2).sum())
    return centres, labels, within


class RegimeNormaliser:
    """Find operating regimes in the settings; z-score each sensor within its regime."""

    def __init__(self) -> None:
        self.settings_mean = np.zeros(0)
        self.settings_scale = np.ones(0)
        self.centres = np.zeros((1, 0))
        self.mean = np.zeros((1, 0))
        self.scale = np.ones((1, 0))

    @property
    def n_regimes(self) -> int:
        return len(self.centres)

    def _standard(self, settings: np.ndarray) -> np.ndarray:
        return (settings - self.settings_mean) / self.settings_scale

    def fit(self, settings: np.ndarray, sensors: np.ndarray, sample: int = 20000) -> RegimeNormaliser:
        self.settings_mean = settings.mean(0)
        self.settings_scale = np.where(settings.std(0) > 0, settings.std(0), 1.0)
        s = self._standard(settings)
        rng = np.random.default_rng(0)
        sub = s[rng.choice(len(s), size=min(sample, len(s)), replace=False)]
        total = float(((sub - sub.mean(0)) ** 2).sum())
        self.centres = sub.mean(0, keepdims=True)
        for k in range(2, MAX_REGIMES + 1):
            centres, _, within = kmeans(sub, k)
            if total > 0 and within <= (1.0 - EXPLAINED) * total:
                self.centres = centres
                break
        labels = self.regimes(settings)
        k = self.n_regimes
        self.mean = np.array([sensors[labels == j].mean(0) for j in range(k)])
        sd = np.array([sensors[labels == j].std(0) for j in range(k)])
        self.scale = np.where(sd > 1e-9, sd, np.inf)  # a constant sensor normalises to 0
        return self

    def regimes(self, settings: np.ndarray) -> np.ndarray:
        if self.n_regimes == 1:
            return np.zeros(len(settings), dtype=int)
        s = self._standard(settings)
        result: np.ndarray = ((s[:, None, :] - self.centres[None]) ** 2).sum(-1).argmin(1)
        return result

    def transform(self, settings: np.ndarray, sensors: np.ndarray) -> np.ndarray:
        labels = self.regimes(settings)
        result: np.ndarray = (sensors - self.mean[labels]) / self.scale[labels]
        return result

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {"settings_mean": self.settings_mean, "settings_scale": self.settings_scale, "centres": self.centres,
                  "mean": self.mean, "scale": np.where(np.isfinite(self.scale), self.scale, 0.0)}
        return {}, arrays

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray]) -> RegimeNormaliser:
        n = cls()
        n.settings_mean, n.settings_scale = arrays["settings_mean"], arrays["settings_scale"]
        n.centres, n.mean = arrays["centres"], arrays["mean"]
        n.scale = np.where(arrays["scale"] > 0, arrays["scale"], np.inf)
        return n
