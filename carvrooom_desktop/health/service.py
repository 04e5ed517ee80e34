"""One health run: every check, the scores, the wear-item RUL cards; and the event that announces it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from analysis.checks import run_all_checks
from analysis.checks.misfire_mode06 import check_misfire_mode06
from analysis.health_score import HealthReport, score_findings
from analysis.signals import SignalSet
from carvrooom_desktop.domain import Finding, Severity
from carvrooom_desktop.health.wear_trends import RulCard, wear_cards


@dataclass(frozen=True)
class HealthResult:
    source: str  # "live session", "recording 1234abcd", "simulated car ..."
    findings: tuple[Finding, ...]
    report: HealthReport
    rul: tuple[RulCard, ...]
    signals: SignalSet  # kept for the evidence plots
    vehicle_id: uuid.UUID | None = None
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def worst(self) -> Severity:
        return max((f.severity for f in self.findings if f.enough_data), default=Severity.OK)

    @property
    def alarms(self) -> list[Finding]:
        """Findings of warning or worse."""
        return [f for f in self.findings if f.enough_data and f.severity >= Severity.WARNING]


def run_health(
    signals: SignalSet,
    source: str,
    *,
    models: Any | None = None,
    vehicle_id: uuid.UUID | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    tests: Sequence[Any] = (),
) -> HealthResult:
    """Checks, scores and wear trends over ``signals``. ``models`` (a HealthModelRepository) keeps
    the wear history with ``vehicle_id``; ``cancelled()`` stops between checks (ChecksCancelled);
    ``tests`` are the car's mode 06 results (the scan report's), for the ECU's misfire counts."""
    findings = run_all_checks(signals, progress=progress, cancelled=cancelled) + check_misfire_mode06(tests)
    report = score_findings(findings)
    cards = wear_cards(signals, models, vehicle_id)
    return HealthResult(source, tuple(findings), report, tuple(cards), signals, vehicle_id)


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "system": f.system, "check": f.check, "severity": f.severity.name.lower(), "enough_data": f.enough_data,
        "summary": f.summary, "measured": f.measured, "unit": f.unit, "threshold": f.threshold,
        "threshold_source": f.threshold_source, "confidence": f.confidence,
        "time_range": list(f.time_range) if f.time_range else None, "signal": f.signal,
    }


def health_payload(result: HealthResult) -> dict[str, Any]:
    """What ``health.changed`` carries: plain data, so any subscriber (agents, sync) can use it."""
    return {
        "source": result.source,
        "vehicle_id": str(result.vehicle_id) if result.vehicle_id else None,
        "finished_at": result.finished_at.isoformat(),
        "worst": result.worst.name.lower(),
        "scores": result.report.to_dict(),
        "findings": [finding_to_dict(f) for f in result.findings],
        "rul": [c.to_dict() for c in result.rul],
    }
