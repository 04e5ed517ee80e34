"""Remaining useful life: one interface (:class:`RulModel`: fit, predict -> RulEstimate with an
interval, to_dict / model_from_dict), a degradation-trend model for single health indicators,
a fade-similarity model (indicator matched to units that already failed) and a multivariate
model for sensor-rich run-to-failure data (:mod:`analysis.rul.sensor_model`, imported lazily)."""

from analysis.rul.base import RulEstimate, RulModel, load_model, model_from_dict
from analysis.rul.trend import DegradationTrendModel

__all__ = ["DegradationTrendModel", "RulEstimate", "RulModel", "load_model", "model_from_dict"]
