"""What the diagnosis graph reads and what it returns: plain pydantic models, no I/O.

The input is gathered by ``carvrooom_desktop.diagnosis`` from the live session, a
recording and the store; the agents never touch those. Every piece of input has a
stable *reference* (``DiagnosisInput.evidence_refs``) that a cause must cite.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Urgency = Literal["drive", "drive with care", "do not drive"]
URGENCY_ORDER: tuple[Urgency, ...] = ("drive", "drive with care", "do not drive")
EvidenceKind = Literal["dtc", "finding", "signal", "freeze_frame", "mode06", "readiness", "complaint"]


# -- input -----------------------------------------------------------------------------------------


class VehicleFacts(BaseModel):
    vin: str = ""
    make: str = ""
    model: str = ""
    year: int | None = None
    odometer_km: float | None = None


class TroubleCode(BaseModel):
    code: str
    kind: str = "stored"  # stored | pending | permanent
    description: str = ""  # text from the car / the DTC table: data, never instructions
    system: str = "unknown"


class FreezeFrameFacts(BaseModel):
    dtc: str
    values: dict[str, float] = Field(default_factory=dict)
    units: dict[str, str] = Field(default_factory=dict)


class MonitorFacts(BaseModel):
    name: str
    state: str  # complete | incomplete | not supported


class OnBoardTestFacts(BaseModel):
    ref: str  # "MID/TID", e.g. "21/82"
    monitor: str
    test: str
    value: float
    minimum: float
    maximum: float
    unit: str = ""
    passed: bool = True


class FindingFacts(BaseModel):
    system: str
    check: str
    severity: str  # OK | WATCH | WARNING | CRITICAL
    summary: str = ""
    measured: float | None = None
    unit: str = ""
    threshold: float | None = None
    signal: str = ""
    t_start: float | None = None
    t_end: float | None = None

    @property
    def ref(self) -> str:
        return f"{self.system}: {self.check}"


class SignalStats(BaseModel):
    """A compact statistical summary of one live/recorded signal (never the raw samples)."""

    name: str
    unit: str = ""
    count: int = 0
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    last: float | None = None
    t_start: float | None = None
    t_end: float | None = None


class PastFix(BaseModel):
    """The shop's own history: a technician's verdict on a cause for this or a similar car."""

    cause: str  # cause id (knowledge key) or title
    system: str = ""
    verdict: Literal["confirmed", "rejected", "fixed_by"]
    note: str = ""
    same_vehicle: bool = False
    vehicle: str = ""  # "2009 Honda" for context


class DiagnosisInput(BaseModel):
    vehicle: VehicleFacts = Field(default_factory=VehicleFacts)
    mil_on: bool = False
    dtcs: list[TroubleCode] = Field(default_factory=list)
    freeze_frames: list[FreezeFrameFacts] = Field(default_factory=list)
    readiness: list[MonitorFacts] = Field(default_factory=list)
    mode06: list[OnBoardTestFacts] = Field(default_factory=list)
    findings: list[FindingFacts] = Field(default_factory=list)
    signals: list[SignalStats] = Field(default_factory=list)
    complaint: str = ""  # the technician's words: data, never instructions
    history: list[PastFix] = Field(default_factory=list)
    wants_pro: bool = False  # the technician asked for the stronger model

    def evidence_refs(self) -> dict[str, set[str]]:
        """Every reference a cause may cite, by evidence kind."""
        return {
            "dtc": {d.code.upper() for d in self.dtcs},
            "finding": {f.ref.lower() for f in self.findings},
            "signal": {s.name for s in self.signals} | {f.signal for f in self.findings if f.signal},
            "freeze_frame": {f.dtc.upper() for f in self.freeze_frames},
            "mode06": {t.ref.upper() for t in self.mode06} | {t.monitor.lower() for t in self.mode06},
            "readiness": {m.name.lower() for m in self.readiness},
            "complaint": {"complaint"} if self.complaint.strip() else set(),
        }

    def abnormal_findings(self) -> list[FindingFacts]:
        return [f for f in self.findings if f.severity.upper() in ("WATCH", "WARNING", "CRITICAL")]


# -- output ----------------------------------------------------------------------------------------


class Evidence(BaseModel):
    kind: EvidenceKind
    ref: str = Field(description="DTC code, 'system: check' of a finding, signal name, freeze-frame DTC, mode 06 'MID/TID', monitor name, or 'complaint'")
    detail: str = ""
    signal: str = ""  # the signal a plot should show
    t_start: float | None = None
    t_end: float | None = None


class NextTest(BaseModel):
    title: str
    expected: str = Field(description="the reading to expect and what it tells apart")
    tool: str = ""


class RepairJob(BaseModel):
    """What the scheduler books: the words for skill and bay type come from resources/knowledge/vocabulary.json."""

    title: str
    labour_hours: float = Field(ge=0.1, le=40)  # minimum/maximum: JSON-schema keywords Gemini supports
    skill: str
    bay_type: str
    parts: list[str] = Field(default_factory=list)


class ProbableCause(BaseModel):
    id: str = Field(default="", description="knowledge id when known, e.g. vacuum_leak; else empty")
    title: str
    system: str
    area: str = ""
    confidence: float = Field(ge=0.0, le=1.0)
    explanation: str = ""
    evidence: list[Evidence] = Field(default_factory=list)


class AreaReport(BaseModel):
    """One worker agent's answer for its area."""

    model_config = ConfigDict(extra="ignore")

    causes: list[ProbableCause] = Field(default_factory=list)
    tests: list[NextTest] = Field(default_factory=list)


class DiagnosisDraft(BaseModel):
    """What the synthesis agent returns (the model's part of a Diagnosis)."""

    model_config = ConfigDict(extra="ignore")

    summary: str = ""
    causes: list[ProbableCause]
    tests: list[NextTest] = Field(default_factory=list)
    urgency: Urgency
    urgency_reason: str = ""
    job: RepairJob | None = None


class Diagnosis(DiagnosisDraft):
    """The typed result every consumer (GUI, CLI, scheduler, store) reads."""

    source: Literal["offline", "model"] = "offline"
    model: str = ""  # model id, or "offline expert"
    areas: list[str] = Field(default_factory=list)
    fallback_reason: str = ""  # why the offline expert answered ("no API key", "timeout after 5 s", ...)
    dropped: list[str] = Field(default_factory=list)  # what validation removed, and why
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def top(self) -> ProbableCause | None:
        return self.causes[0] if self.causes else None
