"""Health checks on the car in front of the technician: gathers signals from the live session,
a stored recording or the simulator, runs the analysis package over them and keeps the wear
trends (RUL models) with the vehicle in the store. No Qt: the GUI and the CLI both use it."""

from carvrooom_desktop.health.service import HealthResult, health_payload, run_health
from carvrooom_desktop.health.sources import signals_from_samples, signals_from_session, simulate_signals
from carvrooom_desktop.health.wear_trends import RulCard

__all__ = ["HealthResult", "RulCard", "health_payload", "run_health", "signals_from_samples", "signals_from_session", "simulate_signals"]
