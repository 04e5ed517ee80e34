"""RUL models saved and loaded with the vehicle (table health_models, real SQLite file), and the
health run that keeps brake-pad wear history across visits."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from analysis.checks import ChecksCancelled
from analysis.rul import DegradationTrendModel, model_from_dict
from analysis.rul.sensor_model import SensorRulModel
from analysis.signals import SignalSet
from carvrooom_desktop.domain import Vehicle
from carvrooom_desktop.health import health_payload, run_health, simulate_signals
from carvrooom_desktop.storage.health_models import HealthModelRepository
from carvrooom_desktop.storage.store import Store


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'health.sqlite3'}", origin="bench-1") as s:
        yield s


def pads(km0: float, km1: float, mm0: float, wear_per_1000km: float, n: int = 400, seed: int = 0) -> SignalSet:
    """A drive from km0 to km1 with front pads wearing linearly (plus sensor noise)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 3600.0, n)
    km = np.linspace(km0, km1, n)
    mm = mm0 - (km - km0) * wear_per_1000km / 1000.0 + rng.normal(0, 0.01, n)
    return SignalSet({"odometer_km": (t, km), "brake_pad_front_mm": (t, mm)}, {"odometer_km": "km", "brake_pad_front_mm": "mm"})


def test_trend_model_round_trips_through_the_database(store):
    repo = HealthModelRepository(store.engine, store.origin)
    vid = store.vehicles.upsert(Vehicle("1HGCM82633A004352", "Honda"))
    x = np.arange(0, 5000.0, 100.0)
    model = DegradationTrendModel(3.0, unit="km", forms=("linear",)).fit(x, 10.0 - x / 1000.0)
    rid = repo.save(vid, "brake_pads_front", model.kind, {"model": model.to_dict()})
    stored = repo.get(vid, "brake_pads_front")
    assert stored.id == rid and stored.kind == "degradation_trend" and stored.version == 1
    again = model_from_dict(stored.parameters["model"])
    assert isinstance(again, DegradationTrendModel)
    assert again.predict() == model.predict()
    # Saving again replaces the model (one live row per vehicle and name) and bumps its version.
    assert repo.save(vid, "brake_pads_front", model.kind, {"model": model.to_dict(), "note": "refit"}) == rid
    assert repo.get(vid, "brake_pads_front").version == 2
    assert [m.name for m in repo.list(vid)] == ["brake_pads_front"]
    assert repo.list(None) == [] and repo.get(None, "brake_pads_front") is None  # other vehicles see nothing
    assert repo.vehicle_id_for_vin("1HGCM82633A004352") == vid
    assert repo.delete(vid, "brake_pads_front") and repo.get(vid, "brake_pads_front") is None
    assert not repo.delete(vid, "brake_pads_front")


def test_sensor_model_round_trips_as_plain_json(store):
    rng = np.random.default_rng(1)
    units = []
    for _ in range(8):
        n = int(rng.integers(80, 140))
        wear = np.linspace(0, 1, n) ** 2
        units.append(type("U", (), {"settings": np.zeros((n, 1)), "sensors": np.column_stack([wear, -wear, rng.normal(0, 1, n)]) + rng.normal(0, 0.02, (n, 3))})())
    model = SensorRulModel(n_models=1, epochs=5, hidden=(8,), rows_per_epoch=500).fit(units)
    doc = json.loads(json.dumps(model.to_dict()))  # what a JSON column gives back
    repo = HealthModelRepository(store.engine)
    repo.save(None, "fleet_engines", model.kind, {"model": doc})
    again = model_from_dict(repo.get(None, "fleet_engines").parameters["model"])
    assert np.allclose(again.predict_values(units[:3]), model.predict_values(units[:3]))


def test_bad_parameters_are_refused_and_nothing_is_written(store):
    repo = HealthModelRepository(store.engine)
    with pytest.raises(ValueError, match="plain JSON"):
        repo.save(None, "x", "degradation_trend", {"sigma": math.nan})
    with pytest.raises(ValueError, match="plain JSON"):
        repo.save(None, "x", "degradation_trend", {"array": np.zeros(3)})
    with pytest.raises(ValueError, match="name and a kind"):
        repo.save(None, "", "degradation_trend", {})
    assert repo.list(None) == []
    with pytest.raises(ValueError, match="not a saved RUL model"):
        model_from_dict({"meta": {"kind": "degradation_trend"}, "arrays": {"coef": {"shape": [2]}}})
    with pytest.raises(ValueError, match="unknown RUL model kind"):
        model_from_dict({"meta": {"kind": "crystal_ball"}, "arrays": {}})
    with pytest.raises(ValueError, match="damaged"):
        model_from_dict({"meta": {"kind": "degradation_trend"}, "arrays": {}})


def test_pad_wear_history_is_kept_with_the_vehicle_across_visits(store):
    repo = HealthModelRepository(store.engine, store.origin)
    vid = store.vehicles.upsert(Vehicle("WVWZZZ1KZAW000001"))
    first = run_health(pads(50_000, 50_300, 9.0, 0.2, seed=1), "visit 1", models=repo, vehicle_id=vid)
    front = first.rul[0]
    assert front.from_store == 0 and front.estimate is not None
    # Four thousand km later, the pads are thinner: the trend now uses both visits.
    second = run_health(pads(54_000, 54_300, 9.0 - 4.0 * 0.2, 0.2, seed=2), "visit 2", models=repo, vehicle_id=vid)
    front2 = second.rul[0]
    assert front2.from_store == len(front.x) and len(front2.x) > len(front.x)
    est = front2.estimate
    # 8.2 mm at 54,300 km wearing 0.2 mm / 1,000 km reaches 3 mm after about 26,000 km.
    assert est.lower <= 26_000 * 1.1 and est.upper >= 26_000 * 0.9 and abs(est.value - 26_000) < 2_500
    assert est.upper - est.lower < front.estimate.upper - front.estimate.lower  # more data, narrower interval
    # Analysing the same visit again does not count its readings twice.
    third = run_health(pads(54_000, 54_300, 8.2, 0.2, seed=2), "visit 2 again", models=repo, vehicle_id=vid)
    assert len(third.rul[0].x) == len(front2.x)
    rear = second.rul[1]
    assert rear.estimate is None and "does not report" in rear.reason


def test_run_health_reports_progress_cancels_and_publishes_plain_data():
    signals = simulate_signals(("misfire_cyl2",), minutes=6.0)
    seen = []
    result = run_health(signals, "sim", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)
    payload = health_payload(result)
    json.dumps(payload)
    assert payload["worst"] in ("warning", "critical")
    assert any(f["system"] == "ignition" and f["severity"] == "critical" for f in payload["findings"])
    with pytest.raises(ChecksCancelled):
        run_health(signals, "sim", cancelled=lambda: True)
