"""Alert rules as data: which events raise an alert, how bad it is, and which escalation policy runs.

A rule is one entry of ``resources/alerts/rules.json`` (format ``carvrooom-alert-rules/1``,
schema beside it). Four kinds, each a pure function from one event's payload to candidates:

- ``diagnosis_urgency`` (``decision.made``): a diagnosis whose urgency is in ``urgencies``
  ("do not drive"). Key: rule + car, so a late model answer that says the same does not raise again.
- ``health_severity`` (``health.changed``): each finding at or above ``min_severity`` with
  enough data. Key: rule + car + system + check.
- ``warranty_score`` (``claim.flagged``): a checked claim whose score is at or above
  ``min_score``. The warranty core publishes its ``ClaimCheck.to_dict()``; a caller may also hand the
  flag value in directly (``AlertCentre.warranty_flagged``). Key: rule + claim.
- ``booking_at_risk`` (a planning board, see ``booking_risk``): a booked job planned to end after
  its promise. Key: rule + job.

The file is checked by hand (every bad entry named), like the warranty coverage rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from carvrooom_desktop import events as ev
from carvrooom_desktop.alerts.model import AlertCandidate, AlertSeverity
from carvrooom_desktop.errors import InvalidRequest

FORMAT: Final = "carvrooom-alert-rules/1"
KINDS: Final = {
    "diagnosis_urgency": ev.DECISION_MADE,
    "health_severity": ev.HEALTH_CHANGED,
    "warranty_score": ev.CLAIM_FLAGGED,
    "booking_at_risk": ev.BOOKING_CHANGED,
}
_HEALTH_ORDER = ("ok", "watch", "warning", "critical")


@dataclass(frozen=True, slots=True)
class AlertRule:
    id: str
    kind: str
    enabled: bool = True
    severity: AlertSeverity = AlertSeverity.WARNING
    policy: str = ""
    name: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def topic(self) -> str:
        return KINDS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "name": self.name, "enabled": self.enabled,
                "severity": self.severity.value, "policy": self.policy, **dict(self.params)}


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[AlertRule, ...]

    def for_topic(self, topic: str) -> list[AlertRule]:
        return [r for r in self.rules if r.enabled and r.topic == topic]

    def get(self, rule_id: str) -> AlertRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise InvalidRequest(f"no alert rule {rule_id!r}; known: {', '.join(r.id for r in self.rules)}")

    def evaluate(self, topic: str, payload: Any) -> list[AlertCandidate]:
        """Every candidate the enabled rules on ``topic`` draw from one event's payload."""
        if not isinstance(payload, Mapping):
            return []
        out: list[AlertCandidate] = []
        for rule in self.for_topic(topic):
            out += _EVALUATORS[rule.kind](rule, payload)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "rules": [r.to_dict() for r in self.rules]}


# -- the four kinds ---------------------------------------------------------------------------------


def _car(payload: Mapping[str, Any]) -> str:
    return str(payload.get("vin") or payload.get("vehicle_id") or payload.get("source") or "unknown car")


def _diagnosis(rule: AlertRule, p: Mapping[str, Any]) -> list[AlertCandidate]:
    urgencies = tuple(rule.params.get("urgencies", ("do not drive",)))
    if p.get("kind") != "diagnosis" or p.get("urgency") not in urgencies:
        return []
    car = _car(p) if p.get("vin") else f"diagnosis {p.get('diagnosis_id') or '?'}"
    cause = p.get("top_cause") or "no cause named"
    return [AlertCandidate(
        rule.id, f"{rule.id}:{car}", rule.severity, f"{str(p['urgency']).capitalize()}: {cause}",
        detail=f"{car}: the diagnosis ({p.get('source') or 'unknown source'}) says {p['urgency']!r}"
               + (f"; system {p['system']}" if p.get("system") else ""),
        vin=str(p.get("vin") or ""), source=ev.DECISION_MADE, policy=rule.policy,
        facts={k: p.get(k) for k in ("diagnosis_id", "urgency", "top_cause", "system", "source")},
    )]


def _health(rule: AlertRule, p: Mapping[str, Any]) -> list[AlertCandidate]:
    floor = _HEALTH_ORDER.index(str(rule.params.get("min_severity", "critical")))
    car = str(p.get("vin") or p.get("vehicle_id") or p.get("source") or "unknown car")
    out = []
    for f in p.get("findings") or ():
        sev = str(f.get("severity", "ok"))
        if sev not in _HEALTH_ORDER or _HEALTH_ORDER.index(sev) < floor or not f.get("enough_data", True):
            continue
        measured = f.get("measured")
        unit = f" {f['unit']}" if f.get("unit") else ""
        value = f" {measured:g}{unit}" if isinstance(measured, (int, float)) else ""
        limit = f"{f['threshold']:g}{unit}" if isinstance(f.get("threshold"), (int, float)) else "n/a"
        out.append(AlertCandidate(
            rule.id, f"{rule.id}:{car}:{f.get('system')}:{f.get('check')}", rule.severity,
            f"{sev.capitalize()} {f.get('system')}: {f.get('summary') or f.get('check')}"[:255],
            detail=f"{car}: {f.get('check')}{value}, threshold {limit}" + (f" ({f['threshold_source']})" if f.get("threshold_source") else ""),
            vin=str(p.get("vin") or ""), vehicle_id=_uuid(p.get("vehicle_id")), source=ev.HEALTH_CHANGED, policy=rule.policy,
            facts={k: f.get(k) for k in ("system", "check", "severity", "measured", "unit", "threshold", "signal")},
        ))
    return out


def _warranty(rule: AlertRule, p: Mapping[str, Any]) -> list[AlertCandidate]:
    score = p.get("score")
    if not isinstance(score, (int, float)) or score < float(rule.params.get("min_score", 0.7)):
        return []
    claim = str(p.get("claim_id") or p.get("id") or "?")
    flags = [str(x) for x in p.get("flags") or ()]
    return [AlertCandidate(
        rule.id, f"{rule.id}:{claim}", rule.severity, f"Warranty claim {claim} flagged (score {score:.2f})",
        detail=f"claim {claim}" + (f" on {p['vin']}" if p.get("vin") else "") + (f": {', '.join(flags)}" if flags else ""),
        vin=str(p.get("vin") or ""), source=ev.CLAIM_FLAGGED, policy=rule.policy,
        facts={"claim_id": claim, "score": float(score), "flags": flags},
    )]


def _booking(rule: AlertRule, p: Mapping[str, Any]) -> list[AlertCandidate]:
    out = []
    for job in p.get("at_risk") or ():  # what ``booking_risk`` puts in a booking.changed payload
        late_min = float(job.get("late_minutes", 0))
        if late_min < float(rule.params.get("min_late_minutes", 0)):
            continue
        out.append(AlertCandidate(
            rule.id, f"{rule.id}:{job['job_id']}", rule.severity, f"Promise at risk: {job.get('label') or job['job_id']}"[:255],
            detail=f"planned to end {job.get('planned_end')}, promised {job.get('promised_at')} ({late_min:.0f} min late)",
            vin=str(job.get("vin") or ""), source=ev.BOOKING_CHANGED, policy=rule.policy, facts=dict(job),
        ))
    return out


_EVALUATORS = {"diagnosis_urgency": _diagnosis, "health_severity": _health, "warranty_score": _warranty, "booking_at_risk": _booking}


def _uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# -- loading ----------------------------------------------------------------------------------------


def default_rules_path() -> Path:
    from resources import resource_path

    return resource_path("alerts", "rules.json")


def load_rules(path: Path | None = None) -> RuleSet:
    path = path or default_rules_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InvalidRequest(f"cannot read the alert rules {path}: {e}") from e
    return parse_rules(raw, where=str(path))


def parse_rules(raw: Any, *, where: str = "alert rules") -> RuleSet:
    """Check a rules document; every bad entry is named in one InvalidRequest."""
    problems: list[str] = []
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InvalidRequest(f"{where}: not an alert rules file (format must be {FORMAT!r})")
    items = raw.get("rules")
    if not isinstance(items, list):
        raise InvalidRequest(f"{where}: 'rules' must be a list")
    rules: list[AlertRule] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        rid = item.get("id") if isinstance(item, dict) else None
        if isinstance(rid, str) and rid in seen:
            problems.append(f"{where}: rule {n}: id {rid!r} used twice")
        seen.add(str(rid))
        rule = _rule(item, f"{where}: rule {n}", problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise InvalidRequest("; ".join(problems))
    return RuleSet(tuple(rules))


_COMMON = {"id", "kind", "name", "enabled", "severity", "policy"}
_PARAMS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "diagnosis_urgency": {"urgencies": list},
    "health_severity": {"min_severity": str},
    "warranty_score": {"min_score": (int, float)},
    "booking_at_risk": {"min_late_minutes": (int, float)},
}


def _rule(item: Any, at: str, problems: list[str]) -> AlertRule | None:
    if not isinstance(item, dict):
        problems.append(f"{at}: not an object")
        return None
    rid, kind = item.get("id"), item.get("kind")
    if not isinstance(rid, str) or not rid:
        problems.append(f"{at}: 'id' must be a non-empty string")
        return None
    if kind not in KINDS:
        problems.append(f"{at} ({rid}): kind {kind!r} unknown; known: {', '.join(KINDS)}")
        return None
    try:
        severity = AlertSeverity(item.get("severity", "warning"))
    except ValueError:
        problems.append(f"{at} ({rid}): severity {item.get('severity')!r} unknown; known: info, warning, critical")
        return None
    allowed = _PARAMS[kind]
    params: dict[str, Any] = {}
    for key, value in item.items():
        if key in _COMMON:
            continue
        if key not in allowed:
            problems.append(f"{at} ({rid}): unknown field {key!r} for kind {kind}")
        elif not isinstance(value, allowed[key]) or isinstance(value, bool):
            problems.append(f"{at} ({rid}): {key} has the wrong type ({value!r})")
        else:
            params[key] = value
    if kind == "health_severity" and params.get("min_severity", "critical") not in _HEALTH_ORDER:
        problems.append(f"{at} ({rid}): min_severity must be one of {', '.join(_HEALTH_ORDER)}")
    if not isinstance(item.get("enabled", True), bool) or not isinstance(item.get("policy", ""), str):
        problems.append(f"{at} ({rid}): enabled must be true/false and policy a policy id")
    return AlertRule(rid, kind, bool(item.get("enabled", True)), severity, str(item.get("policy", "")),
                     str(item.get("name", "")), params)


def rules_from(items: Iterable[AlertRule]) -> RuleSet:
    return RuleSet(tuple(items))


def booking_risk(jobs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A ``booking.changed`` payload carrying the jobs at risk (see ``workshop_risk.at_risk_jobs``)."""
    return {"source": "board", "at_risk": [dict(j) for j in jobs]}


__all__ = ["FORMAT", "KINDS", "AlertRule", "RuleSet", "booking_risk", "default_rules_path", "load_rules", "parse_rules"]
