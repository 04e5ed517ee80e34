"""Health scores 0-100 per system and for the vehicle, from the findings, explained in words.

A system's score is set by its worst finding: ok 100, watch 80, warning 50, critical 20,
pulled toward 100 when that finding's confidence is low (a verdict at confidence c moves the
score by c x the step, never less than half of it); every further finding of watch or worse
takes 5 more points (at most 15). Checks with not enough data do not count: a system with
nothing but those is "not assessed" (score None). The vehicle score is 70 % the worst
system and 30 % the mean, and a critical finding anywhere caps it at 40.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from carvrooom_desktop.domain import Finding, Severity

BASE = {Severity.OK: 100.0, Severity.WATCH: 80.0, Severity.WARNING: 50.0, Severity.CRITICAL: 20.0}
EXTRA_PENALTY, MAX_EXTRA = 5.0, 15.0
CRITICAL_CAP = 40.0


@dataclass(frozen=True, slots=True)
class SystemScore:
    system: str
    score: float | None  # None = not assessed (no check had enough data)
    worst: Severity | None
    explanation: str
    findings: tuple[Finding, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class HealthReport:
    systems: tuple[SystemScore, ...]
    vehicle_score: float | None
    explanation: str

    def system(self, name: str) -> SystemScore | None:
        return next((s for s in self.systems if s.system == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "vehicle": {"score": self.vehicle_score, "explanation": self.explanation},
            "systems": [{"system": s.system, "score": s.score, "worst": s.worst.name.lower() if s.worst is not None else None,
                         "explanation": s.explanation} for s in self.systems],
        }


def _worst(findings: list[Finding]) -> Finding:
    return max(findings, key=lambda f: (int(f.severity), f.confidence))


def score_system(system: str, findings: Iterable[Finding]) -> SystemScore:
    findings = tuple(findings)
    judged = [f for f in findings if f.enough_data]
    no_data = len(findings) - len(judged)
    if not judged:
        reasons = "; ".join(f"{f.check}: {f.summary.removeprefix('Not enough data: ')}" for f in findings[:2])
        return SystemScore(system, None, None, f"not assessed ({reasons})" if reasons else "not assessed", findings)
    worst = _worst(judged)
    weight = max(0.5, min(1.0, worst.confidence))
    score = 100.0 - (100.0 - BASE[worst.severity]) * weight
    others = [f for f in judged if f is not worst and f.severity >= Severity.WATCH]
    extra = min(MAX_EXTRA, sum(EXTRA_PENALTY * max(0.5, min(1.0, f.confidence)) for f in others))
    score = max(0.0, score - extra)
    n_ok = sum(1 for f in judged if f.severity == Severity.OK)
    if worst.severity == Severity.OK:
        why = f"all {len(judged)} checks ok"
    else:
        why = f"{worst.severity.name.lower()}: {worst.check} - {worst.summary}"
        if worst.confidence < 1.0:
            why += f" (confidence {worst.confidence:.0%})"
        if others:
            why += f"; {len(others)} more finding(s) of watch or worse (-{extra:.0f})"
        if n_ok:
            why += f"; {n_ok} check(s) ok"
    if no_data:
        why += f"; {no_data} check(s) without enough data"
    return SystemScore(system, round(score, 1), worst.severity, why, findings)


def score_findings(findings: Iterable[Finding]) -> HealthReport:
    """Scores per system (in the order systems first appear) and for the vehicle."""
    by_system: dict[str, list[Finding]] = {}
    for f in findings:
        by_system.setdefault(f.system, []).append(f)
    systems = tuple(score_system(name, fs) for name, fs in by_system.items())
    scored = [s for s in systems if s.score is not None]
    if not scored:
        return HealthReport(systems, None, "not assessed: no check had enough data")
    # ``scored`` holds assessed systems only: their score (and worst severity) is set.
    lowest = min(scored, key=lambda s: cast(float, s.score))
    mean = sum(cast(float, s.score) for s in scored) / len(scored)
    vehicle = 0.7 * cast(float, lowest.score) + 0.3 * mean
    capped = any(s.worst == Severity.CRITICAL for s in scored)
    if capped:
        vehicle = min(vehicle, CRITICAL_CAP)
    unassessed = [s.system for s in systems if s.score is None]
    if lowest.worst == Severity.OK:
        why = f"all {len(scored)} assessed systems ok"
    else:
        why = f"lowest: {lowest.system} {lowest.score:.0f}/100 ({cast(Severity, lowest.worst).name.lower()}); mean of {len(scored)} systems {mean:.0f}"
        if capped:
            why += f"; capped at {CRITICAL_CAP:.0f} by a critical finding"
    if unassessed:
        why += f"; not assessed: {', '.join(unassessed)}"
    return HealthReport(systems, round(vehicle, 1), why)
