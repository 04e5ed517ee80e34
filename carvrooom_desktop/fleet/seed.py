"""A seeded fleet: cars and a year of visits made from the simulator's fault catalogue.

Each car gets a make and model (a VIN with a valid check digit and model-year code), an owner, a
serving site, an average daily distance and a few fault episodes from
``drivers.simulator.faults.FAULT_CATALOGUE`` (the system each hits and the codes it sets). Every
visit stores what a workshop would: the scan (codes read), a health snapshot scored by
``analysis.health_score`` from the findings of that visit, an offline diagnosis when something was
found, the repair as a done job booked into a bay with a technician, codes cleared after the
repair, brake pad thickness measured, maintenance done, and a warranty claim when the car was
young enough. Same seed and same ``today``: the same fleet, row for row (ids included).

Rows go in with Core ``executemany`` in one transaction (50,000 visits in seconds, never ORM
objects one by one); the repositories' rules are kept by construction (bookings never overlap,
jobs are done, claims are drafts).
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.orm import DeclarativeBase

from analysis.health_score import score_findings
from carvrooom_desktop.domain import Finding, Severity
from carvrooom_desktop.domain.dtc import DtcSystem
from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.fleet.maintenance import MAINTENANCE_ITEMS
from carvrooom_desktop.fleet.sites import SITES
from carvrooom_desktop.fleet.systems import CHECKED_SYSTEMS, system_key
from carvrooom_desktop.storage.fleet_models import FleetMaintenanceRow, FleetVehicleRow, FleetVisitRow
from carvrooom_desktop.storage.models import DiagnosisRow, VehicleRow, VehicleScanRow
from carvrooom_desktop.storage.warranty_models import WarrantyClaimRow
from carvrooom_desktop.storage.workshop_models import WorkshopBayRow, WorkshopBookingRow, WorkshopJobRow, WorkshopTechnicianRow
from drivers.obd.dtc_codes import describe
from drivers.simulator.faults import FAULT_CATALOGUE
from drivers.vin import check_digit

PAD_LIMIT_MM = 3.0  # analysis' brakes.service_limit_mm
MAKES = (
    ("Ford", "1FA", ("Focus", "Transit Connect")), ("Honda", "1HG", ("Civic", "Accord")),
    ("Toyota", "2T1", ("Corolla", "Yaris")), ("Volkswagen", "3VW", ("Jetta", "Golf")),
    ("Nissan", "1N4", ("Sentra", "Qashqai")), ("Hyundai", "5NP", ("Elantra", "i30")),
)
CUSTOMERS = ("Acme Logistics", "City Taxis", "Green Couriers", "Harbour Plumbing", "private")
PRIVATE_OWNERS = ("J. Meyer", "A. Okafor", "L. Rossi", "S. Novak", "P. Lindqvist", "M. Haddad", "K. Tanaka", "R. Silva")
# fault -> (warranty part category, repair, labour hours, skill, bay type, part cost in cents)
REPAIRS: dict[str, tuple[str, str, float, str, str, int]] = {
    "weak_battery": ("battery", "Replace battery", 0.5, "electrical", "quick service", 14_000),
    "failing_alternator": ("alternator", "Replace alternator", 2.0, "electrical", "general lift", 42_000),
    "vacuum_leak": ("intake_gasket", "Replace intake manifold gasket", 2.5, "engine diagnostics", "general lift", 9_000),
    "misfire_cyl1": ("ignition_coil", "Replace ignition coil, cylinder 1", 0.8, "engine diagnostics", "general lift", 11_000),
    "misfire_cyl2": ("ignition_coil", "Replace ignition coil, cylinder 2", 0.8, "engine diagnostics", "general lift", 11_000),
    "misfire_cyl3": ("ignition_coil", "Replace ignition coil, cylinder 3", 0.8, "engine diagnostics", "general lift", 11_000),
    "misfire_cyl4": ("ignition_coil", "Replace ignition coil, cylinder 4", 0.8, "engine diagnostics", "general lift", 11_000),
    "thermostat_stuck_open": ("thermostat", "Replace thermostat", 1.5, "general service", "general lift", 7_500),
    "lazy_o2_upstream": ("oxygen_sensor", "Replace upstream O2 sensor", 0.7, "engine diagnostics", "general lift", 12_500),
    "degraded_catalyst": ("catalytic_converter", "Replace catalytic converter", 2.0, "general service", "general lift", 95_000),
    "coolant_sensor_fault": ("coolant_sensor", "Replace coolant temperature sensor", 0.6, "general service", "quick service", 4_500),
}
FAULTS = tuple(sorted(REPAIRS))
BAYS = (("Lift 1", "general lift"), ("Lift 2", "general lift"), ("Lift 3", "general lift"), ("Quick 1", "quick service"))
TECHNICIANS = (("Ana", ("general service", "brakes")), ("Ben", ("general service", "engine diagnostics", "electrical")),
               ("Chloe", ("general service", "engine diagnostics")), ("Dev", ("general service", "electrical", "brakes")))
WARRANTY_YEARS = 3


@dataclass(frozen=True, slots=True)
class SeedSummary:
    vehicles: int
    visits: int
    jobs: int
    claims: int
    today: date

    def to_dict(self) -> dict[str, object]:
        return {"vehicles": self.vehicles, "visits": self.visits, "jobs": self.jobs, "claims": self.claims, "today": self.today.isoformat()}


def _vin(rng: random.Random, wmi: str, year: int) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    vds = "".join(rng.choice(letters) for _ in range(5))  # position 7 a letter: the 2010+ model-year cycle
    year_code = "ABCDEFGHJKLMNPRSTVWXY123456789"[(year - 1980) % 30]
    rest = year_code + rng.choice(letters) + f"{rng.randrange(10**6):06d}"
    body = wmi + vds + "0" + rest
    return body[:8] + check_digit(body) + body[9:]


@dataclass
class _Rows:
    """Rows per table, in the order they must go in (parents first)."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: type[DeclarativeBase], /, **values: Any) -> None:
        self.tables.setdefault(table.__tablename__, []).append(values)


class _Calendar:
    """Bay and technician hours already booked per day: a repair takes the first free hour (no overlaps)."""

    def __init__(self, bays: list[tuple[uuid.UUID, str]], technicians: list[tuple[uuid.UUID, tuple[str, ...]]]) -> None:
        self.bays, self.technicians = bays, technicians
        self.used: dict[tuple[uuid.UUID, date], list[tuple[float, float]]] = {}

    def _free(self, key: uuid.UUID, day: date, start: float, hours: float) -> bool:
        return all(end <= start or begin >= start + hours for begin, end in self.used.get((key, day), ()))

    def book(self, day: date, hours: float, bay_type: str, skill: str) -> tuple[uuid.UUID, uuid.UUID, float] | None:
        for start in (8.0 + 0.5 * k for k in range(int((17.0 - hours - 8.0) / 0.5) + 1)):
            bay = next((b for b, t in self.bays if t == bay_type and self._free(b, day, start, hours)), None)
            tech = next((t for t, skills in self.technicians if skill in skills and self._free(t, day, start, hours)), None)
            if bay is not None and tech is not None:
                for key in (bay, tech):
                    self.used.setdefault((key, day), []).append((start, start + hours))
                return bay, tech, start
        return None


def _at(day: date, hour: float) -> datetime:
    return datetime.combine(day, time(int(hour), int(round((hour % 1) * 60))), tzinfo=UTC)


def seed_fleet(engine: Engine, *, vehicles: int = 50, seed: int = 0, today: date | None = None, visits_per_vehicle: int | None = None,
               origin: str = "", progress: Callable[[int, int], None] | None = None) -> SeedSummary:
    """Create ``vehicles`` cars with a year of visits; refuses a store that already holds a fleet."""
    if not 1 <= vehicles <= 100_000:
        raise InvalidRequest(f"a seeded fleet has 1..100000 cars, not {vehicles}")
    if visits_per_vehicle is not None and not 1 <= visits_per_vehicle <= 400:
        raise InvalidRequest(f"visits per car must be 1..400, not {visits_per_vehicle}")
    today = today or date.today()
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(FleetVehicleRow).where(FleetVehicleRow.deleted.is_(False))).scalar():
            raise InvalidRequest("this store already holds a fleet: seed a new database (--db sqlite:///fleet.sqlite3)")
    rng, ids = random.Random(seed), random.Random(f"ids-{seed}")

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=ids.getrandbits(128), version=4)

    rows = _Rows()
    bays = [(new_id(), name, kind) for name, kind in BAYS]
    techs = [(new_id(), name, skills) for name, skills in TECHNICIANS]
    for bay_id, name, kind in bays:
        rows.add(WorkshopBayRow, id=bay_id, name=f"{name} (fleet)", bay_type=kind, serves=[], origin=origin)
    for tech_id, name, skills in techs:
        rows.add(WorkshopTechnicianRow, id=tech_id, name=name, skills=list(skills), origin=origin)
    calendar = _Calendar([(b, k) for b, _n, k in bays], [(t, s) for t, _n, s in techs])
    counts = {"visits": 0, "jobs": 0, "claims": 0}
    for n in range(vehicles):
        _seed_vehicle(rows, rng, new_id, calendar, n, today, visits_per_vehicle, origin, counts)
        if progress is not None and (n + 1) % 50 == 0:
            progress(n + 1, vehicles)
    with engine.begin() as conn:
        for table in (VehicleRow, FleetVehicleRow, VehicleScanRow, DiagnosisRow, WorkshopBayRow, WorkshopTechnicianRow, WorkshopJobRow,
                      WorkshopBookingRow, FleetVisitRow, FleetMaintenanceRow, WarrantyClaimRow):
            batch = rows.tables.get(table.__tablename__, [])
            core: Table = table.__table__  # type: ignore[assignment]
            for start in range(0, len(batch), 5000):
                conn.execute(insert(core), batch[start:start + 5000])
    return SeedSummary(vehicles, counts["visits"], counts["jobs"], counts["claims"], today)


def _visit_days(rng: random.Random, today: date, per_vehicle: int | None) -> list[date]:
    first = today - timedelta(days=365)
    if per_vehicle is not None:
        step = 365.0 / per_vehicle
        return [first + timedelta(days=int(k * step + rng.random() * step * 0.8)) for k in range(per_vehicle)]
    days, day = [], first + timedelta(days=rng.randrange(0, 40))
    while day <= today:
        days.append(day)
        day += timedelta(days=rng.randrange(25, 75))
    return days


def _seed_vehicle(rows: _Rows, rng: random.Random, new_id: Callable[[], uuid.UUID], calendar: _Calendar, n: int, today: date,
                  per_vehicle: int | None, origin: str, counts: dict[str, int]) -> None:
    make, wmi, models = MAKES[rng.randrange(len(MAKES))]
    model = models[rng.randrange(len(models))]
    age_years = rng.randrange(1, 9)
    year = today.year - age_years
    vin = _vin(rng, wmi, year)
    in_service = date(year, rng.randrange(1, 13), rng.randrange(1, 28))
    customer = CUSTOMERS[rng.randrange(len(CUSTOMERS))]
    if customer == "private":
        customer = PRIVATE_OWNERS[rng.randrange(len(PRIVATE_OWNERS))]
    site = SITES[n % len(SITES)].key
    daily_km = rng.uniform(60, 140) if customer in CUSTOMERS else rng.uniform(15, 60)
    days = _visit_days(rng, today, per_vehicle)
    odometer = max(1000.0, (days[0] - in_service).days * daily_km * rng.uniform(0.85, 1.1))
    vehicle_id = new_id()
    # Fault episodes: (fault, first day it shows); found at the first visit on or after it.
    episodes = [(FAULTS[rng.randrange(len(FAULTS))], days[0] + timedelta(days=rng.randrange(0, 330))) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    pad_mm, pad_rate = rng.uniform(5.0, 11.0), rng.uniform(0.12, 0.3) / 1000.0  # mm per km
    last = {}  # item -> (day, km) last done: somewhere inside its interval before the first visit
    for item in MAINTENANCE_ITEMS:
        share = rng.uniform(0.05, 0.8)
        back_days = int((item.interval_days or 365) * share)
        last[item.name] = (max(in_service, days[0] - timedelta(days=back_days)),
                           max(0.0, round(odometer - (item.interval_km or 0.0) * share)))
    came_back: set[str] = set()
    active: dict[str, date] = {}  # fault -> day it was found (still there)
    comeback_days: set[date] = set()
    previous = days[0]
    k = -1
    while k + 1 < len(days):  # a comeback adds a visit further on: the list grows while it is walked
        k += 1
        day = days[k]
        odometer += (day - previous).days * daily_km * rng.uniform(0.8, 1.2)
        pad_mm -= (day - previous).days * daily_km * pad_rate
        previous = day
        for episode in [e for e in episodes if e[1] <= day]:
            episodes.remove(episode)  # an episode shows once; a comeback is a new episode
            if episode[0] not in active:
                active[episode[0]] = day
        findings: list[Finding] = []
        codes: list[str] = []
        for system in CHECKED_SYSTEMS:
            hits = [f for f in active if FAULT_CATALOGUE[f].system == system]
            for fault in hits:
                spec = FAULT_CATALOGUE[fault]
                severe = fault in ("failing_alternator", "degraded_catalyst") or active[fault] < day
                findings.append(Finding(system.value, fault, Severity.CRITICAL if severe else Severity.WARNING, spec.description))
                codes.extend(c for c in spec.dtcs[:1] if c not in codes)
            if system == DtcSystem.CHASSIS:
                sev = Severity.CRITICAL if pad_mm < PAD_LIMIT_MM else Severity.WATCH if pad_mm < PAD_LIMIT_MM + 1.5 else Severity.OK
                findings.append(Finding(system.value, "brake_pads", sev, f"front brake pads {pad_mm:.1f} mm (limit {PAD_LIMIT_MM:.0f} mm)",
                                        measured=round(pad_mm, 1), unit="mm", threshold=PAD_LIMIT_MM, signal="brake_pad_front_mm"))
            elif not hits:
                findings.append(Finding(system.value, "scan", Severity.OK, "no fault found"))
        report = score_findings(findings)
        # Repairs: most faults are fixed the day they are found; some are booked for the next visit.
        repaired = [f for f, found in active.items() if found < day or rng.random() < 0.7]
        work: list[str] = []
        jobs: list[tuple[str, float, str, str, str]] = []  # title, hours, skill, bay type, fault
        for fault in repaired:
            _cat, title, hours, skill, bay_type, _cost = REPAIRS[fault]
            work.append(title)
            jobs.append((title, hours, skill, bay_type, fault))
        pads_done = pad_mm < PAD_LIMIT_MM + 1.0
        if pads_done:
            work.append(f"Front brake pads replaced ({pad_mm:.1f} mm -> 11.0 mm)")
            jobs.append(("Replace front brake pads", 1.2, "brakes", "general lift", ""))
        for item in MAINTENANCE_ITEMS:
            done_day, done_km = last[item.name]
            due_km = item.interval_km is not None and odometer - done_km > item.interval_km * 0.85
            due_days = item.interval_days is not None and (day - done_day).days > item.interval_days * 0.85
            if (due_km or due_days) and (k == len(days) - 1 or rng.random() < 0.85):
                last[item.name] = (day, round(odometer))
                work.append(item.title)
        if any(w in [i.title for i in MAINTENANCE_ITEMS] for w in work):
            jobs.append(("Scheduled service", 1.0, "general service", "quick service", ""))
        kind = "repair" if repaired or pads_done else "service" if work else "inspection"
        if day in comeback_days:
            kind = "comeback"
        scan_id, diagnosis_id, job_id = new_id(), None, None
        rows.add(VehicleScanRow, id=scan_id, vehicle_id=vehicle_id, taken_at=_at(day, 8.5), adapter="fleet seed", mil_on=bool(codes),
                 dtcs=[{"code": d.code, "kind": d.kind.value, "description": d.description, "system": d.system.value, "ecu": "7E8"}
                       for d in map(describe, codes)], readiness=[], freeze_frames=[], origin=origin)
        if active:
            diagnosis_id = new_id()
            causes: list[dict[str, Any]] = [{"cause": FAULT_CATALOGUE[f].description, "system": str(FAULT_CATALOGUE[f].system), "confidence": 0.8} for f in active]
            rows.add(DiagnosisRow, id=diagnosis_id, vehicle_id=vehicle_id, vin=vin, created_at=_at(day, 9.0), source="offline", model="",
                     complaint="found at a fleet visit", result={"summary": "; ".join(str(c["cause"]) for c in causes), "causes": causes}, origin=origin)
        for title, hours, skill, bay_type, fault in jobs:
            jid = new_id()
            job_id = job_id or jid
            rows.add(WorkshopJobRow, id=jid, reference=f"RO-{n:04d}-{k:02d}-{len(title) % 10}{counts['jobs'] % 100:02d}", title=title,
                     vin=vin, vehicle_id=vehicle_id, diagnosis_id=diagnosis_id if fault else None, labour_hours=hours, skill=skill,
                     bay_type=bay_type, status="done", dropped_off_at=_at(day, 8.0), created_at=_at(day, 8.0), origin=origin)
            counts["jobs"] += 1
            slot = calendar.book(day, hours, bay_type, skill)
            if slot is not None:
                bay, tech, start = slot
                rows.add(WorkshopBookingRow, id=new_id(), job_id=jid, bay_id=bay, technician_id=tech, starts_at=_at(day, start),
                         ends_at=_at(day, start + hours), status="done", confirmed_at=_at(day, 8.0), origin=origin)
            if fault and (day - in_service).days < WARRANTY_YEARS * 365:
                category, _t, _h, _s, _b, cost = REPAIRS[fault]
                rows.add(WarrantyClaimRow, id=new_id(), claim_id=f"FW-{n:04d}-{k:02d}-{counts['claims']:05d}", vin=vin,
                         claim_date=day.isoformat(), repair_date=day.isoformat(), in_service_date=in_service.isoformat(),
                         odometer_km=round(odometer), odometer_out_km=round(odometer), complaint="warning lamp on",
                         cause=FAULT_CATALOGUE[fault].description, correction=title, dtcs=list(FAULT_CATALOGUE[fault].dtcs[:1]),
                         part_category=category, labour_op=fault[:32], dealer_id=site, amount_cents=cost + int(hours * 9_500), origin=origin)
                counts["claims"] += 1
        cleared = sorted({c for f in repaired for c in FAULT_CATALOGUE[f].dtcs[:1]})
        systems = {s.system: {"score": s.score, "worst": s.worst.name.lower() if s.worst is not None else None, "explanation": s.explanation}
                   for s in report.systems}
        rows.add(FleetVisitRow, id=new_id(), vehicle_id=vehicle_id, vin=vin, site=site, visit_date=day.isoformat(), kind=kind,
                 odometer_km=round(odometer, 1), health_score=report.vehicle_score, systems=systems,
                 findings=[{"system": f.system, "check": f.check, "severity": f.severity.name.lower(), "summary": f.summary,
                            "measured": f.measured, "unit": f.unit} for f in findings if f.severity > Severity.OK or f.measured is not None],
                 brake_pad_front_mm=11.0 if pads_done else round(pad_mm, 2), codes=" ".join(codes), cleared_codes=" ".join(cleared),
                 flagged=" ".join(sorted({system_key(f.system) for f in findings if f.severity >= Severity.WARNING})),
                 repaired=" ".join(sorted({system_key(FAULT_CATALOGUE[f].system) for f in repaired}
                                          | ({system_key(DtcSystem.CHASSIS)} if pads_done else set()))),
                 work_done="; ".join(work), scan_id=scan_id, diagnosis_id=diagnosis_id, job_id=job_id, origin=origin)
        counts["visits"] += 1
        for fault in repaired:
            del active[fault]
            back = day + timedelta(days=rng.randrange(5, 25))
            if fault not in came_back and rng.random() < 0.15 and back < today:  # the repair did not hold: back within weeks
                came_back.add(fault)
                episodes.append((fault, back))
                if back not in days:
                    bisect.insort(days, back)
                    comeback_days.add(back)
        if pads_done:
            pad_mm = 11.0
    rows.add(VehicleRow, id=vehicle_id, vin=vin, make=make, model=model, year=year, odometer_km=round(odometer), origin=origin)
    rows.add(FleetVehicleRow, id=new_id(), vehicle_id=vehicle_id, vin=vin, customer=customer, site=site,
             in_service_date=in_service.isoformat(), origin=origin)
    for item in MAINTENANCE_ITEMS:
        done_day, done_km = last[item.name]
        rows.add(FleetMaintenanceRow, id=new_id(), vehicle_id=vehicle_id, vin=vin, item=item.name, interval_km=item.interval_km,
                 interval_days=item.interval_days, last_done_date=done_day.isoformat(), last_done_km=done_km, origin=origin)


__all__ = ["SeedSummary", "seed_fleet"]
