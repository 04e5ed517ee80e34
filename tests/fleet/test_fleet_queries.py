"""The seeded fleet and the fleet queries on a real SQLite file (and the local PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from carvrooom_desktop.errors import InvalidRequest, NotFound
from carvrooom_desktop.fleet.history import vehicle_history
from carvrooom_desktop.fleet.maintenance import DUE_SOON, OVERDUE, forecast
from carvrooom_desktop.fleet.queries import COMEBACK_DAYS, FleetFilter, filter_choices, load_fleet
from carvrooom_desktop.fleet.roles import sections_for
from carvrooom_desktop.fleet.seed import seed_fleet
from carvrooom_desktop.fleet.wear import pad_estimate, pad_estimates
from carvrooom_desktop.storage.fleet_models import FleetVisitRow
from carvrooom_desktop.storage.models import VehicleRow
from drivers.vin import decode_vin
from tests.fleet.fleet_helpers import TODAY, seeded_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fleet(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    store = seeded_store(url)
    yield store
    store.close()


def _dump(engine):
    with engine.connect() as conn:
        cars = conn.execute(sa.select(VehicleRow.id, VehicleRow.vin, VehicleRow.make, VehicleRow.year).order_by(VehicleRow.vin)).all()
        visits = conn.execute(sa.select(FleetVisitRow.id, FleetVisitRow.vin, FleetVisitRow.visit_date, FleetVisitRow.health_score,
                                        FleetVisitRow.codes, FleetVisitRow.repaired).order_by(FleetVisitRow.id)).all()
    return cars, visits


def test_fleet_seed_is_deterministic_and_covers_a_year(tmp_path):
    a, b = seeded_store(f"sqlite:///{tmp_path / 'a.sqlite3'}"), seeded_store(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    c = seeded_store(f"sqlite:///{tmp_path / 'c.sqlite3'}", seed=4)
    try:
        assert _dump(a.engine) == _dump(b.engine)  # ids included
        assert _dump(a.engine) != _dump(c.engine)
        cars, visits = _dump(a.engine)
        assert len(cars) == 20 and all(decode_vin(vin).check_digit_ok for _id, vin, _m, _y in cars)
        days = sorted(date.fromisoformat(v.visit_date) for v in visits)
        assert days[0] >= TODAY - timedelta(days=365) and days[-1] <= TODAY and (days[-1] - days[0]).days > 300
        assert any(v.codes for v in visits) and any(v.repaired for v in visits)
        with pytest.raises(InvalidRequest, match="already holds a fleet"):
            seed_fleet(a.engine, vehicles=5, today=TODAY)
    finally:
        for s in (a, b, c):
            s.close()


def test_fleet_view_answers_from_the_visits(fleet):
    view = load_fleet(fleet.engine, today=TODAY)
    assert len(view.vehicles) == 20 and view.visits > 100
    car = view.vehicles[0]
    assert car.history and all(d <= TODAY for d, _ in car.history) and car.daily_km > 0
    assert car.health_score == car.history[-1][1]
    # DTC frequency counts every visit's codes
    with fleet.engine.connect() as conn:
        texts = [t for (t,) in conn.execute(sa.select(FleetVisitRow.codes))]
    total = sum(len(t.split()) for t in texts)
    assert sum(d.occurrences for d in view.dtc_frequency) == total > 0
    assert all(c.days <= COMEBACK_DAYS and c.days > 0 for c in view.comebacks)
    assert view.bays and view.technicians and sum(t.hours for t in view.technicians) > 0
    assert all(0 < (b.utilisation or 0) < 1 for b in view.bays)
    assert view.warranty_cost and view.warranty_cost[0].amount_cents >= view.warranty_cost[-1].amount_cents
    assert {d.status for v in view.vehicles for d in v.due} <= {"ok", DUE_SOON, OVERDUE}
    kpis = view.kpis()
    assert kpis["vehicles"] == 20 and kpis["due_soon"] == len(view.due(DUE_SOON))
    assert view.to_dict()["kpis"] == kpis


def test_fleet_filters_by_make_year_customer_and_site(fleet):
    choices = filter_choices(fleet.engine)
    everything = load_fleet(fleet.engine, today=TODAY)
    for key in ("make", "year", "customer", "site"):
        value = choices[key][0]
        view = load_fleet(fleet.engine, FleetFilter(**{key: value}), today=TODAY)
        assert view.vehicles and all(getattr(v, key) == value for v in view.vehicles)
        assert len(view.vehicles) < len(everything.vehicles) or len(choices[key]) == 1
        assert sum(d.occurrences for d in view.dtc_frequency) <= sum(d.occurrences for d in everything.dtc_frequency)
    assert load_fleet(fleet.engine, FleetFilter(make="Trabant"), today=TODAY).vehicles == []


def test_fleet_vehicle_history_lists_every_kind(fleet):
    view = load_fleet(fleet.engine, today=TODAY)
    vin = max(view.vehicles, key=lambda v: len(v.history)).vin
    repaired = next(v.vin for v in view.vehicles if any(True for _ in v.history) and v.vin in {c.vin for c in view.comebacks}) if view.comebacks else vin
    history = vehicle_history(fleet.engine, repaired)
    kinds = {e.kind for e in history.entries}
    assert {"visit", "scan", "job"} <= kinds
    assert [e.when for e in history.entries] == sorted((e.when for e in history.entries), reverse=True)
    assert history.visits and history.visits[0]["date"] <= history.visits[-1]["date"]
    with pytest.raises(NotFound):
        vehicle_history(fleet.engine, "1HGCM82633A004352")


def test_fleet_maintenance_forecast_from_daily_distance():
    today = date(2026, 6, 1)
    # 15,000 km interval, 14,000 done, 40 km a day: 25 days left -> due soon
    due = forecast("V", "oil_service", 15_000, 365, date(2026, 1, 1), 10_000, 24_000, 40.0, today)
    assert due.status == DUE_SOON and due.due_date == today + timedelta(days=25)
    assert forecast("V", "oil_service", 15_000, 365, date(2025, 1, 1), 10_000, 11_000, 40.0, today).status == OVERDUE  # calendar
    assert forecast("V", "oil_service", 15_000, 365, date(2026, 5, 1), 0, 16_000, 40.0, today).status == OVERDUE  # distance
    assert forecast("V", "brake_fluid", None, 730, date(2026, 5, 1), None, None, 0.0, today).status == "ok"


def test_fleet_pad_wear_one_car_and_many_agree():
    km = np.array([10_000.0, 12_000, 14_000, 16_000, 18_000, 20_000])
    mm = np.array([9.0, 8.6, 8.2, 7.8, 11.0, 10.6])  # changed between 16,000 and 18,000 km: only the last two count
    one = pad_estimate(km, mm)
    assert one.km_left is None and "three readings" in one.reason
    worn = pad_estimate(km[:4], mm[:4])
    assert worn.km_left == pytest.approx((8.2 - 0.4 - 3.0) / 0.0002, rel=1e-6)
    many = pad_estimates(np.array([0, 4]), np.concatenate([km[:4], km]), np.concatenate([mm[:4], mm]))
    assert many[0].km_left == pytest.approx(worn.km_left) and many[1].reason == one.reason


def test_fleet_sections_per_role():
    assert sections_for("fleet manager")[0] == "kpis"
    assert "bays" in sections_for("service manager") and "bays" not in sections_for("technician")
    assert sections_for("nobody") == sections_for("admin")
