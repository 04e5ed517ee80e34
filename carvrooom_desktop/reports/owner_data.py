"""What the owner's health report says, in plain words, gathered from the store (no ReportLab here).

The report is about one visit (the newest, or the one a recording belongs to): a traffic light per
system, what was found, what was done with before/after where the visit measured one (health score
at arrival and after the work, rescored by ``analysis.health_score`` without the repaired systems'
findings; brake pads before and after), what is due next (the fleet's maintenance forecast and the
pad-wear estimate), the codes cleared over the last year and when, and the workshop's details.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, String, cast, select

from analysis.health_score import score_findings, score_system
from carvrooom_desktop.domain import Finding, Severity
from carvrooom_desktop.errors import InvalidRequest, NotFound
from carvrooom_desktop.fleet.history import VehicleHistory, vehicle_history
from carvrooom_desktop.fleet.queries import FleetFilter, load_fleet
from carvrooom_desktop.fleet.sites import site
from carvrooom_desktop.fleet.systems import CHECKED_SYSTEMS, plain_name, system_key
from carvrooom_desktop.storage.models import RecordingRow
from drivers.obd.dtc_codes import describe

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
LIGHT_WORDS = {GREEN: "Good", AMBER: "Needs attention soon", RED: "Needs attention now", GREY: "Not checked"}
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


@dataclass(frozen=True, slots=True)
class SystemLight:
    system: str  # plain name
    light: str  # green | amber | red | grey
    words: str  # "Good", ...
    detail: str  # one sentence an owner understands


@dataclass(frozen=True, slots=True)
class Workshop:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class OwnerReport:
    vin: str
    car: str  # "2021 Ford Focus"
    owner: str
    visit_date: date
    odometer_km: float | None
    score: float | None
    light: str
    systems: list[SystemLight]
    found: list[str]
    done: list[str]
    before_after: list[tuple[str, str, str]]  # (what, before, after)
    due: list[tuple[str, str, str]]  # (item, when, status)
    cleared: list[tuple[str, str, str]]  # (code, description, cleared on)
    workshop: Workshop
    history: list[tuple[date, float | None]] = field(default_factory=list)  # health score at each visit of the last year


def light_of(score: float | None) -> str:
    if score is None:
        return GREY
    return GREEN if score >= 80 else AMBER if score >= 50 else RED


def _when(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _visit_for(engine: Engine, ref: str) -> tuple[str, str | None]:
    """(VIN, the visit's recording id or None) for a VIN or a recording id (a prefix is enough)."""
    text = ref.strip().upper()
    if _VIN.match(text):
        return text, None
    try:
        full = uuid.UUID(ref)
        cond = RecordingRow.id == full
    except ValueError:
        if not re.fullmatch(r"[0-9a-fA-F-]{4,36}", ref):
            raise InvalidRequest(f"{ref!r} is neither a 17-character VIN nor a recording id") from None
        cond = cast(RecordingRow.id, String).like(ref.replace("-", "").lower() + "%")
    with engine.connect() as conn:
        rows = conn.execute(select(RecordingRow.id, RecordingRow.vin).where(cond, RecordingRow.deleted.is_(False)).limit(2)).all()
    if not rows:
        raise NotFound(f"no recording {ref} in this store")
    if len(rows) > 1:
        raise InvalidRequest(f"recording id {ref} is ambiguous: give more characters")
    if not rows[0].vin:
        raise InvalidRequest(f"recording {ref} has no VIN: the car was not identified, so there is no owner report")
    return rows[0].vin, str(rows[0].id)


def _pick_visit(history: VehicleHistory, recording: str | None) -> dict[str, Any]:
    if not history.visits:
        raise NotFound(f"no visit of {history.vin} is recorded: an owner report is about a visit")
    if recording is not None:
        same = [v for v in history.visits if v.get("recording_id") == recording]
        if same:
            return same[-1]
    return history.visits[-1]


def _after_score(visit: dict[str, Any]) -> float | None:
    """The visit's health rescored with the repaired systems' findings taken as fixed."""
    repaired = set(visit["repaired"])
    findings = []
    for f in visit["findings"]:
        fixed = system_key(f["system"]) in repaired
        findings.append(Finding(f["system"], f["check"], Severity.OK if fixed else Severity[f["severity"].upper()], f["summary"]))
    seen = {system_key(f["system"]) for f in visit["findings"]}
    findings += [Finding(s.value, "scan", Severity.OK, "no fault found") for s in CHECKED_SYSTEMS if system_key(s) not in seen]
    return score_findings(findings).vehicle_score


def _history_or_bare(engine: Engine, vin: str) -> VehicleHistory:
    try:
        return vehicle_history(engine, vin)
    except NotFound:
        from drivers.vin import decode_vin

        info = decode_vin(vin)  # a car recorded on the bench, not (yet) in the fleet
        return VehicleHistory(vin, info.manufacturer, "", info.model_year, None)


def _recording_visit(engine: Engine, recording: str) -> dict[str, Any]:
    """A visit made from a recorded session: the health checks run on it, the codes of its scan."""
    from carvrooom_desktop.health.service import run_health
    from carvrooom_desktop.health.sources import signals_from_samples
    from carvrooom_desktop.storage.models import VehicleScanRow
    from carvrooom_desktop.storage.recordings import RecordingRepository

    repo = RecordingRepository(engine, "")
    rec = repo.get(uuid.UUID(recording))
    result = run_health(signals_from_samples(repo.load_samples(rec.id), rec.signal_units), f"recording {rec.id}")
    with engine.connect() as conn:
        scan = conn.execute(select(VehicleScanRow.dtcs).where(VehicleScanRow.recording_id == rec.id).limit(1)).scalar()
    odometer = result.signals.get("odometer_km")
    return {"date": rec.started_at.date().isoformat(), "site": "", "kind": "inspection",
            "odometer_km": float(odometer.values[-1]) if odometer is not None and len(odometer.values) else None,
            "health_score": result.report.vehicle_score,
            "systems": {s.value: {"score": score_system(s.value, [f for f in result.findings if system_key(f.system) == system_key(s)]).score}
                        for s in CHECKED_SYSTEMS},
            "findings": [{"system": f.system, "check": f.check, "severity": f.severity.name.lower(), "summary": f.summary}
                         for f in result.findings if f.enough_data],
            "codes": [d.get("code", "") for d in scan or [] if d.get("code")], "cleared_codes": [], "flagged": [], "repaired": [],
            "work_done": "", "recording_id": recording}


def build_owner_report(engine: Engine, ref: str, *, workshop: Workshop | None = None) -> OwnerReport:
    """The report of a car's newest visit (a VIN) or of a recorded session (a recording id: the visit it
    belongs to, or else the health checks run on the recording itself)."""
    vin, recording = _visit_for(engine, ref)
    history = _history_or_bare(engine, vin)
    if recording is not None and not any(v.get("recording_id") == recording for v in history.visits):
        visit = _recording_visit(engine, recording)
    else:
        visit = _pick_visit(history, recording)
    day = date.fromisoformat(visit["date"])
    repaired = set(visit["repaired"])
    systems_doc: dict[str, Any] = visit["systems"] or {}
    by_system: dict[str, list[dict[str, Any]]] = {}
    for f in visit["findings"]:
        by_system.setdefault(system_key(f["system"]), []).append(f)
    lights = []
    for s in CHECKED_SYSTEMS:
        key = system_key(s)
        score = (systems_doc.get(s.value) or {}).get("score")
        bad = [f for f in by_system.get(key, []) if f["severity"] in ("watch", "warning", "critical")]
        light = GREEN if key in repaired else light_of(score)
        if key in repaired:
            detail = "Repaired at this visit" + (f" (we found: {bad[0]['summary'].split(':')[0]})." if bad else ".")
        elif bad:
            detail = bad[0]["summary"][:1].upper() + bad[0]["summary"][1:] + "."
        elif score is None:
            detail = "Not checked at this visit."
        else:
            detail = "No problems found."
        lights.append(SystemLight(plain_name(s), light, LIGHT_WORDS[light], detail))
    found = [f"{plain_name(f['system'])}: {f['summary']}" for f in visit["findings"] if f["severity"] in ("warning", "critical", "watch")]
    found += [f"Trouble code {c}: {describe(c).description}" for c in visit["codes"]]
    done = [w.strip() for w in (visit["work_done"] or "").split(";") if w.strip()]
    before_after: list[tuple[str, str, str]] = []
    after = _after_score(visit) if repaired else None
    if visit["health_score"] is not None and after is not None and after != visit["health_score"]:
        before_after.append(("Health score", f"{visit['health_score']:.0f} / 100", f"{after:.0f} / 100"))
    for w in done:
        m = re.search(r"\(([\d.]+) mm -> ([\d.]+) mm\)", w)
        if m:
            before_after.append(("Front brake pads", f"{m.group(1)} mm", f"{m.group(2)} mm"))
    if visit["cleared_codes"]:
        before_after.append(("Trouble codes", ", ".join(visit["codes"]), ", ".join(c for c in visit["codes"] if c not in visit["cleared_codes"]) or "none"))
    fleet = load_fleet(engine, FleetFilter(vin=vin), today=day)
    car = fleet.vehicle(vin)
    due: list[tuple[str, str, str]] = []
    for lamp in lights:  # found and not repaired: the first thing that is due
        if lamp.light in (AMBER, RED) and not lamp.detail.startswith("Repaired"):
            due.append((f"Repair: {lamp.system}", "book it now" if lamp.light == RED else "within the next few weeks",
                        "overdue" if lamp.light == RED else "due soon"))
    if car is not None:
        for d in sorted((d for d in car.due if d.due_date is not None), key=lambda d: d.due_date or day)[:4]:
            when = _when(d.due_date) if d.due_date else "-"
            if d.due_km is not None:
                when += f" or at {d.due_km:,.0f} km"
            due.append((d.title, when, d.status))
        for w in car.wear:
            if w.km_left is not None:
                due.append((w.title, f"in about {w.km_left:,.0f} km" + (f" ({w.km_low:,.0f}-{w.km_high:,.0f})" if w.km_low and w.km_high else ""),
                            "due soon" if w.km_left < 3000 else "ok"))
    cleared: list[tuple[str, str, str]] = []
    for v in history.visits:
        on = date.fromisoformat(v["date"])
        if on > day or on < day - timedelta(days=365):
            continue
        cleared += [(c, describe(c).description, _when(on)) for c in v["cleared_codes"]]
    place = site(visit["site"] or history.site)
    shop = workshop if workshop is not None and workshop.name else Workshop(place.name, place.address, place.phone, place.email)
    score = visit["health_score"] if after is None else after
    return OwnerReport(vin, history.label, history.customer, day, visit["odometer_km"], score, light_of(score), lights, found, done,
                       before_after, due, cleared[-6:], shop,
                       [(date.fromisoformat(v["date"]), v["health_score"]) for v in history.visits
                        if day - timedelta(days=365) <= date.fromisoformat(v["date"]) <= day])


__all__ = ["AMBER", "GREEN", "GREY", "LIGHT_WORDS", "RED", "OwnerReport", "SystemLight", "Workshop", "build_owner_report", "light_of"]
