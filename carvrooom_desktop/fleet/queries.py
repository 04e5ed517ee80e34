"""The fleet as the fleet manager, service manager and technician see it: one pass over the store.

:func:`load_fleet` reads every car (with its owner and site), every visit (narrow columns: no JSON
but the newest visit's findings), the maintenance items, and aggregates bookings and warranty
claims in SQL, then answers every question of the Fleet page from memory: health score over
time, open findings and codes, remaining pad life, maintenance due, DTC frequency, comebacks,
bay utilisation, technician hours, warranty cost per part category. 1,000 cars x 50 visits load
in well under half a second on SQLite (``benchmarks/bench_fleet.py``).
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Engine, Select, String, and_, func, select, true, type_coerce
from sqlalchemy.engine import Connection

from carvrooom_desktop.fleet.maintenance import DUE_SOON, OVERDUE, DueItem, forecast
from carvrooom_desktop.fleet.systems import plain_name, system_key
from carvrooom_desktop.fleet.wear import WearEstimate, pad_estimates
from carvrooom_desktop.storage.fleet_models import FleetMaintenanceRow, FleetVehicleRow, FleetVisitRow
from carvrooom_desktop.storage.models import VehicleRow
from carvrooom_desktop.storage.warranty_models import WarrantyClaimRow
from carvrooom_desktop.storage.workshop_models import (
    INACTIVE_BOOKING_STATUSES,
    WorkshopBayRow,
    WorkshopBookingRow,
    WorkshopJobRow,
    WorkshopOpeningHoursRow,
    WorkshopTechnicianRow,
)

COMEBACK_DAYS = 30
_RAW_KEY = String()  # read a UUID key as the driver gives it
DEFAULT_OPEN_HOURS_PER_DAY = 9.0  # when the workshop has no opening hours stored


@dataclass(frozen=True, slots=True)
class FleetFilter:
    make: str | None = None
    year: int | None = None  # model year
    customer: str | None = None
    site: str | None = None
    vin: str | None = None  # one car (the owner report, a car's page)

    def condition(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [VehicleRow.deleted.is_(False), FleetVehicleRow.deleted.is_(False)]
        if self.make:
            parts.append(VehicleRow.make == self.make)
        if self.year is not None:
            parts.append(VehicleRow.year == self.year)
        if self.customer:
            parts.append(FleetVehicleRow.customer == self.customer)
        if self.site:
            parts.append(FleetVehicleRow.site == self.site)
        if self.vin:
            parts.append(VehicleRow.vin == self.vin)
        return and_(true(), *parts)


@dataclass(slots=True)
class FleetVehicle:
    vin: str
    make: str
    model: str
    year: int | None
    customer: str
    site: str
    odometer_km: float | None  # forecast for today from the newest visit and the daily distance
    daily_km: float
    last_visit: date | None
    health_score: float | None
    visit_days: list[date]  # every visit, oldest first
    visit_scores: list[float | None]  # the health score found at each
    open_codes: list[str]
    open_findings: list[dict[str, Any]] = field(default_factory=list)
    wear: list[WearEstimate] = field(default_factory=list)
    due: list[DueItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " ".join(p for p in (str(self.year or ""), self.make, self.model) if p)

    @property
    def history(self) -> list[tuple[date, float | None]]:
        """(visit day, health score) oldest first: the health score over time."""
        return list(zip(self.visit_days, self.visit_scores, strict=True))

    @property
    def worst_due(self) -> str:
        states = {d.status for d in self.due}
        return OVERDUE if OVERDUE in states else DUE_SOON if DUE_SOON in states else "ok"

    def to_dict(self) -> dict[str, Any]:
        return {"vin": self.vin, "make": self.make, "model": self.model, "year": self.year, "customer": self.customer, "site": self.site,
                "odometer_km": None if self.odometer_km is None else round(self.odometer_km), "daily_km": round(self.daily_km, 1),
                "last_visit": self.last_visit.isoformat() if self.last_visit else None, "health_score": self.health_score,
                "history": [[d.isoformat(), s] for d, s in self.history], "open_codes": self.open_codes,
                "open_findings": self.open_findings, "wear": [w.to_dict() for w in self.wear], "due": [d.to_dict() for d in self.due]}


@dataclass(frozen=True, slots=True)
class DtcCount:
    code: str
    occurrences: int
    vehicles: int


@dataclass(frozen=True, slots=True)
class Comeback:
    vin: str
    system: str
    repaired_on: date
    back_on: date

    @property
    def days(self) -> int:
        return (self.back_on - self.repaired_on).days

    def to_dict(self) -> dict[str, Any]:
        return {"vin": self.vin, "system": self.system, "system_name": plain_name(self.system), "repaired_on": self.repaired_on.isoformat(),
                "back_on": self.back_on.isoformat(), "days": self.days}


@dataclass(frozen=True, slots=True)
class ResourceHours:
    name: str
    hours: float
    jobs: int
    available_hours: float | None = None  # bays: the hours the workshop was open

    @property
    def utilisation(self) -> float | None:
        return None if not self.available_hours else self.hours / self.available_hours

    def to_dict(self) -> dict[str, Any]:
        u = self.utilisation
        return {"name": self.name, "hours": round(self.hours, 1), "jobs": self.jobs,
                "available_hours": None if self.available_hours is None else round(self.available_hours, 1),
                "utilisation": None if u is None else round(u, 3)}


@dataclass(frozen=True, slots=True)
class PartCost:
    part_category: str
    claims: int
    amount_cents: int

    def to_dict(self) -> dict[str, Any]:
        return {"part_category": self.part_category, "claims": self.claims, "amount": round(self.amount_cents / 100, 2)}


@dataclass
class FleetView:
    today: date
    filter: FleetFilter
    vehicles: list[FleetVehicle]
    dtc_frequency: list[DtcCount]
    comebacks: list[Comeback]
    bays: list[ResourceHours]
    technicians: list[ResourceHours]
    warranty_cost: list[PartCost]
    visits: int
    repairs: int = 0  # systems repaired, over every visit: what a comeback rate is taken of

    def due(self, status: str) -> list[DueItem]:
        found = [d for v in self.vehicles for d in v.due if d.status == status]
        return sorted(found, key=lambda d: (d.days_left if d.days_left is not None else 0, d.vin, d.item))

    def vehicle(self, vin: str) -> FleetVehicle | None:
        return next((v for v in self.vehicles if v.vin == vin), None)

    def kpis(self) -> dict[str, Any]:
        scored = [v.health_score for v in self.vehicles if v.health_score is not None]
        return {
            "vehicles": len(self.vehicles), "visits": self.visits,
            "mean_health": round(float(np.mean(scored)), 1) if scored else None,
            "vehicles_below_50": sum(1 for s in scored if s < 50),
            "open_codes": sum(len(v.open_codes) for v in self.vehicles),
            "overdue": len(self.due(OVERDUE)), "due_soon": len(self.due(DUE_SOON)),
            "comebacks": len(self.comebacks), "comeback_rate": round(len(self.comebacks) / max(1, self.repairs), 4),
            "warranty_cost": round(sum(p.amount_cents for p in self.warranty_cost) / 100, 2),
            "technician_hours": round(sum(t.hours for t in self.technicians), 1),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "kpis": self.kpis(), "vehicles": [v.to_dict() for v in self.vehicles],
                "due_soon": [d.to_dict() for d in self.due(DUE_SOON)], "overdue": [d.to_dict() for d in self.due(OVERDUE)],
                "dtc_frequency": [{"code": d.code, "occurrences": d.occurrences, "vehicles": d.vehicles} for d in self.dtc_frequency],
                "comebacks": [c.to_dict() for c in self.comebacks], "bays": [b.to_dict() for b in self.bays],
                "technicians": [t.to_dict() for t in self.technicians], "warranty_cost": [p.to_dict() for p in self.warranty_cost]}


def _fleet_vehicles(flt: FleetFilter) -> Select[Any]:
    return (select(_raw(VehicleRow.id), VehicleRow.vin, VehicleRow.make, VehicleRow.model, VehicleRow.year, VehicleRow.odometer_km,
                   FleetVehicleRow.customer, FleetVehicleRow.site)
            .join(FleetVehicleRow, FleetVehicleRow.vehicle_id == VehicleRow.id).where(flt.condition()).order_by(VehicleRow.vin))


@dataclass(frozen=True, slots=True)
class _Visits:
    """One car's visits as columns (plain lists: no row object is touched twice)."""

    days: list[date]
    odometer: list[float | None]
    score: list[float | None]
    codes: list[str]
    cleared: list[str]
    flagged: list[str]
    repaired: list[str]
    pads: list[float | None]


_VISIT_COLUMNS = (FleetVisitRow.visit_date, FleetVisitRow.odometer_km, FleetVisitRow.health_score, FleetVisitRow.codes,
                  FleetVisitRow.cleared_codes, FleetVisitRow.flagged, FleetVisitRow.repaired, FleetVisitRow.brake_pad_front_mm)


def load_fleet(engine: Engine, flt: FleetFilter | None = None, today: date | None = None) -> FleetView:
    flt = flt or FleetFilter()
    today = today or date.today()
    with engine.connect() as conn:
        cars = conn.execute(_fleet_vehicles(flt)).all()
        ids = {r.key: r for r in cars}
        # 50,000 rows: the driver's tuples as they come (keys as the driver gives them: SQLite hex text), no Row objects
        one_car = FleetVisitRow.vin == flt.vin if flt.vin else true()
        rows = conn.execute(select(_raw(FleetVisitRow.vehicle_id), *_VISIT_COLUMNS, _raw(FleetVisitRow.id))
                            .where(FleetVisitRow.deleted.is_(False), one_car)
                            .order_by(FleetVisitRow.vehicle_id, FleetVisitRow.visit_date)).cursor.fetchall()
        newest_ids = [rows[i][-1] for i in range(len(rows)) if i + 1 == len(rows) or rows[i + 1][0] != rows[i][0]]
        latest_findings: dict[Any, list[dict[str, Any]]] = {}
        for start in range(0, len(newest_ids), 900):  # SQLite's bound-parameter limit
            latest_findings.update(conn.execute(select(_raw(FleetVisitRow.vehicle_id), FleetVisitRow.findings)
                                                .where(type_coerce(FleetVisitRow.id, _RAW_KEY).in_(newest_ids[start:start + 900]))).all())
        plans: dict[Any, list[Any]] = {}
        for p in conn.execute(select(_raw(FleetMaintenanceRow.vehicle_id), FleetMaintenanceRow.item, FleetMaintenanceRow.interval_km,
                                     FleetMaintenanceRow.interval_days, FleetMaintenanceRow.last_done_date, FleetMaintenanceRow.last_done_km)
                              .where(FleetMaintenanceRow.deleted.is_(False), FleetMaintenanceRow.vin == flt.vin if flt.vin else true())
                              .order_by(FleetMaintenanceRow.vehicle_id, FleetMaintenanceRow.item)):
            plans.setdefault(p[0], []).append(p)
        bays, technicians = _schedule_hours(conn, flt)
        costs = _warranty_cost(conn, flt)
    keys, dates, odo, score, codes, cleared, flagged, repaired, pads, _ids = (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 10
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    bounds = dict(zip((keys[i] for i in starts), zip(starts, [*starts[1:], len(keys)], strict=True), strict=True)) if starts else {}
    days = list(map(date.fromisoformat, dates))
    # every car's pad wear in one numpy pass (fleet/wear.py), then per car from plain list slices
    wear = pad_estimates(np.array(starts, dtype=np.int64), np.array(odo, dtype=float), np.array(pads, dtype=float))
    wear_of = dict(zip((keys[i] for i in starts), wear, strict=True))
    vehicles: list[FleetVehicle] = []
    comebacks: list[Comeback] = []
    counts, vehicles_with, repairs, n_visits = Counter[str](), Counter[str](), 0, 0
    for key, car in ids.items():
        lo, hi = bounds.get(key, (0, 0))
        n_visits += hi - lo
        v = _Visits(days[lo:hi], odo[lo:hi], score[lo:hi], codes[lo:hi], cleared[lo:hi], flagged[lo:hi], repaired[lo:hi], pads[lo:hi])
        vehicles.append(_vehicle(car, v, latest_findings.get(key) or [], plans.get(key, []), today, wear_of.get(key)))
        seen: set[str] = set()
        for text in v.codes:
            if text:
                for code in text.split():
                    counts[code] += 1
                    seen.add(code)
        vehicles_with.update(seen)
        repairs += sum(t.count(" ") + 1 for t in v.repaired if t)
        comebacks.extend(_comebacks(car.vin, v))
    freq = [DtcCount(c, n, vehicles_with[c]) for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    comebacks.sort(key=lambda c: (c.back_on, c.vin), reverse=True)
    return FleetView(today, flt, vehicles, freq, comebacks, bays, technicians, costs, n_visits, repairs)


def _raw(column: Any) -> Any:
    return type_coerce(column, _RAW_KEY).label("key")


def _vehicle(car: Any, v: _Visits, findings: list[dict[str, Any]], plans: list[Any], today: date,
             wear: WearEstimate | None) -> FleetVehicle:
    known = [i for i in (_first_known(v.odometer), _last_known(v.odometer)) if i is not None]
    daily = 0.0
    odometer = car.odometer_km
    if known:
        first, last = known[0], known[-1]
        km_first, km_last = float(v.odometer[first] or 0.0), float(v.odometer[last] or 0.0)
        span = (v.days[last] - v.days[first]).days
        if span > 0:
            daily = max(0.0, (km_last - km_first) / span)
        odometer = km_last + daily * max(0, (today - v.days[last]).days)
    seen = bool(v.days)
    open_codes = v.codes[-1].split() if seen else []
    cleared = set(v.cleared[-1].split()) if seen else set()
    repaired = set(v.repaired[-1].split()) if seen else set()  # found and fixed at the newest visit: not open
    due = [forecast(car.vin, p.item, p.interval_km, p.interval_days, date.fromisoformat(p.last_done_date) if p.last_done_date else None,
                    p.last_done_km, odometer, daily, today) for p in plans]
    return FleetVehicle(
        car.vin, car.make, car.model, car.year, car.customer, car.site, odometer, daily, v.days[-1] if seen else None,
        v.score[-1] if seen else None, v.days, v.score, [c for c in open_codes if c not in cleared],
        [f for f in findings if f.get("severity") in ("watch", "warning", "critical") and system_key(str(f.get("system", ""))) not in repaired],
        [wear] if wear is not None else [], due)


def _first_known(values: list[Any]) -> int | None:
    return next((i for i, x in enumerate(values) if x is not None), None)


def _last_known(values: list[Any]) -> int | None:
    return next((i for i in range(len(values) - 1, -1, -1) if values[i] is not None), None)


def _comebacks(vin: str, v: _Visits) -> Iterable[Comeback]:
    """A system repaired at one visit and flagged or repaired again at a visit within COMEBACK_DAYS."""
    for i, text in enumerate(v.repaired):
        if not text:
            continue
        end = bisect.bisect_right(v.days, v.days[i] + timedelta(days=COMEBACK_DAYS))
        if end <= i + 1:
            continue
        for system in text.split():
            for j in range(i + 1, end):
                if system in v.flagged[j] or system in v.repaired[j]:  # keys never contain one another
                    yield Comeback(vin, system, v.days[i], v.days[j])
                    break


def _hours(conn: Connection) -> ColumnElement[Any]:
    if conn.dialect.name == "sqlite":
        return (func.julianday(WorkshopBookingRow.ends_at) - func.julianday(WorkshopBookingRow.starts_at)) * 24.0
    return func.extract("epoch", WorkshopBookingRow.ends_at - WorkshopBookingRow.starts_at) / 3600.0


def _schedule_hours(conn: Connection, flt: FleetFilter) -> tuple[list[ResourceHours], list[ResourceHours]]:
    """Booked hours per bay and per technician (the fleet's cars' bookings), and each bay's open hours."""
    hours = _hours(conn)
    base = (select().select_from(WorkshopBookingRow).join(WorkshopJobRow, WorkshopJobRow.id == WorkshopBookingRow.job_id)
            .join(VehicleRow, VehicleRow.id == WorkshopJobRow.vehicle_id).join(FleetVehicleRow, FleetVehicleRow.vehicle_id == VehicleRow.id)
            .where(flt.condition(), WorkshopBookingRow.deleted.is_(False), WorkshopBookingRow.status.not_in(INACTIVE_BOOKING_STATUSES)))
    per_bay = conn.execute(base.add_columns(WorkshopBayRow.name, func.sum(hours), func.count(), func.min(WorkshopBookingRow.starts_at),
                                            func.max(WorkshopBookingRow.ends_at))
                           .join(WorkshopBayRow, WorkshopBayRow.id == WorkshopBookingRow.bay_id).group_by(WorkshopBayRow.name)
                           .order_by(WorkshopBayRow.name)).all()
    per_tech = conn.execute(base.add_columns(WorkshopTechnicianRow.name, func.sum(hours), func.count())
                            .join(WorkshopTechnicianRow, WorkshopTechnicianRow.id == WorkshopBookingRow.technician_id)
                            .group_by(WorkshopTechnicianRow.name).order_by(WorkshopTechnicianRow.name)).all()
    week = conn.execute(select(WorkshopOpeningHoursRow.opens_minute, WorkshopOpeningHoursRow.closes_minute)
                        .where(WorkshopOpeningHoursRow.deleted.is_(False))).all()
    per_week = sum(b - a for a, b in week) / 60.0 if week else DEFAULT_OPEN_HOURS_PER_DAY * 5
    # every bay over the same period: the first to the last booking of any bay
    firsts = [_as_date(f) for _n, _b, _j, f, _l in per_bay if f is not None]
    lasts = [_as_date(la) for _n, _b, _j, _f, la in per_bay if la is not None]
    span_days = max(1.0, (max(lasts) - min(firsts)).days + 1.0) if firsts and lasts else 1.0
    bays = [ResourceHours(name, float(booked or 0.0), int(jobs), per_week * span_days / 7.0) for name, booked, jobs, _f, _l in per_bay]
    return bays, [ResourceHours(name, float(h or 0.0), int(n)) for name, h, n in per_tech]


def _as_date(value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") else value  # type: ignore[no-any-return]


def _warranty_cost(conn: Connection, flt: FleetFilter) -> list[PartCost]:
    rows = conn.execute(select(WarrantyClaimRow.part_category, func.count(), func.sum(WarrantyClaimRow.amount_cents))
                        .join(VehicleRow, VehicleRow.vin == WarrantyClaimRow.vin)
                        .join(FleetVehicleRow, FleetVehicleRow.vehicle_id == VehicleRow.id)
                        .where(flt.condition(), WarrantyClaimRow.deleted.is_(False))
                        .group_by(WarrantyClaimRow.part_category).order_by(func.sum(WarrantyClaimRow.amount_cents).desc())).all()
    return [PartCost(cat or "(none)", int(n), int(total or 0)) for cat, n, total in rows]


def filter_choices(engine: Engine) -> dict[str, list[Any]]:
    """What the filters offer: makes, model years, customers and sites present in the fleet."""
    with engine.connect() as conn:
        joined = select().select_from(VehicleRow).join(FleetVehicleRow, FleetVehicleRow.vehicle_id == VehicleRow.id).where(FleetFilter().condition())

        def distinct(col: Any) -> list[Any]:
            return [v for (v,) in conn.execute(joined.add_columns(col).distinct().order_by(col)) if v not in (None, "")]

        return {"make": distinct(VehicleRow.make), "year": distinct(VehicleRow.year), "customer": distinct(FleetVehicleRow.customer),
                "site": distinct(FleetVehicleRow.site)}


__all__ = ["COMEBACK_DAYS", "Comeback", "DtcCount", "FleetFilter", "FleetVehicle", "FleetView", "PartCost", "ResourceHours",
           "filter_choices", "load_fleet"]
