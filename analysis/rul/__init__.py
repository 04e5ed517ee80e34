"""Remaining useful life: one interface (:class:`RulModel`), a degradation-trend model for single
health indicators and a multivariate model for sensor-rich run-to-failure data."""

from analysis.rul.base import RulEstimate, RulModel, load_model
from analysis.rul.trend import DegradationTrendModel

__all__ = ["DegradationTrendModel", "RulEstimate", "RulModel", "load_model"]
