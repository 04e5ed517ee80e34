"""FadeSimilarityModel: a unit in service matched to the fade curves of units that already failed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.rul import model_from_dict
from analysis.rul.fade_similarity import FadeSimilarityModel


def cell(life_scale: float, depth: float = 1.0, start: float = 2.0, n: int = 220, seed: int = 0):
    """Capacity that fades slowly, then faster (Li-ion knee); ``life_scale`` stretches time."""
    rng = np.random.default_rng(seed)
    k = np.arange(1.0, n + 1)
    u = k / (150.0 * life_scale)
    fade = depth * (0.25 * u + 0.45 * u**3)
    return k, start - fade + rng.normal(0, 0.003, n)


def test_accelerating_fade_is_predicted_from_the_first_half():
    library = [cell(0.9, seed=1), cell(1.1, seed=2), cell(1.0, depth=1.1, seed=3)]
    x, y = cell(1.25, seed=4, n=300)
    threshold = 1.4
    life = float(x[np.nonzero(y < threshold)[0][0]])
    seen = x <= life / 2
    model = FadeSimilarityModel(threshold).fit(library)
    est = model.predict(x[seen], y[seen])
    eol = x[seen][-1] + est.value
    assert abs(eol - life) / life < 0.1
    assert est.lower <= est.value <= est.upper
    assert est.lower <= life - x[seen][-1] <= est.upper
    # A straight line through the first half would be far too optimistic: the knee comes later.
    slope, intercept = np.polyfit(x[seen], y[seen], 1)
    assert (threshold - intercept) / slope > life * 1.3


def test_round_trip_and_bad_input():
    model = FadeSimilarityModel(1.4).fit([cell(1.0), cell(1.2, seed=5)])
    x, y = cell(1.1, seed=6)
    again = model_from_dict(model.to_dict())
    assert isinstance(again, FadeSimilarityModel)
    assert again.predict(x[:80], y[:80]) == model.predict(x[:80], y[:80])
    with pytest.raises(ValueError, match="at least"):
        model.predict([1, 2], [2.0, 1.9])
    with pytest.raises(ValueError, match="no usable history"):
        FadeSimilarityModel(1.4).fit([([1, 2, 3], [2, 2, 2])])
    with pytest.raises(RuntimeError):
        FadeSimilarityModel(1.4).predict(x, y)
    # Already below the threshold: nothing left. NaNs are dropped, not propagated.
    assert model.predict(x, np.full_like(y, 1.3)).value == 0.0
    y_nan = y.copy()
    y_nan[::7] = np.nan
    assert math.isfinite(model.predict(x[:80], y_nan[:80]).value)
