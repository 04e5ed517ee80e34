"""The offline expert: a deterministic diagnosis from codes, findings and the shop's history.

Each catalogue cause collects support from the input (a code's prior times the weight of
its memory kind, a finding's weight times its severity weight) combined as a noisy-OR;
a check that came out OK counts against the causes it rules out; the shop's verdicts
on similar cars raise or lower a cause. Only causes that cite evidence survive.
"""

from __future__ import annotations

from agents.knowledge import CauseKnowledge, Knowledge, default_knowledge
from agents.routing import route
from agents.schema import (
    URGENCY_ORDER,
    Diagnosis,
    DiagnosisInput,
    Evidence,
    FindingFacts,
    NextTest,
    ProbableCause,
    RepairJob,
    Urgency,
)

OFFLINE_MODEL = "offline expert"
MAX_CAUSES = 6
MAX_TESTS = 6


def _finding_evidence(f: FindingFacts) -> Evidence:
    measured = f" ({f.measured:g} {f.unit})".rstrip() if f.measured is not None else ""
    return Evidence(kind="finding", ref=f.ref, detail=f"{f.severity.lower()}: {f.summary}{measured}".strip(),
                    signal=f.signal, t_start=f.t_start, t_end=f.t_end)


def _score(cause: CauseKnowledge, case: DiagnosisInput, kb: Knowledge) -> tuple[float, list[Evidence], bool]:
    """(confidence, evidence, a supporting finding is critical)."""
    kind_weight = kb.vocabulary.get("dtc_kind_weight", {})
    severity_weight = kb.vocabulary.get("finding_severity_weight", {})
    miss = 1.0
    evidence: list[Evidence] = []
    critical = False
    best_by_code: dict[str, float] = {}
    for dtc in case.dtcs:
        prior = cause.dtc_prior(dtc.code)
        if not prior:
            continue
        w = prior * float(kind_weight.get(dtc.kind, 0.7))
        code = dtc.code.upper()
        if w > best_by_code.get(code, 0.0):  # one code read as stored+pending+permanent counts once
            best_by_code[code] = w
    for code, w in best_by_code.items():
        miss *= 1.0 - w
        kinds = "/".join(d.kind for d in case.dtcs if d.code.upper() == code)
        description = next((d.description for d in case.dtcs if d.code.upper() == code and d.description), "")
        evidence.append(Evidence(kind="dtc", ref=code, detail=f"{code} ({kinds}) {description}".strip()))
        frame = next((f for f in case.freeze_frames if f.dtc.upper() == code), None)
        if frame is not None and frame.values:
            shown = ", ".join(f"{k} {v:g}{frame.units.get(k, '')}" for k, v in list(frame.values.items())[:4])
            evidence.append(Evidence(kind="freeze_frame", ref=code, detail=shown))
    for test in case.mode06:
        if test.passed:
            continue
        weight = next((w for pattern, w in cause.mode06 if pattern.search(test.monitor)), None)
        if weight:
            miss *= 1.0 - weight
            evidence.append(Evidence(kind="mode06", ref=test.ref, detail=(
                f"{test.monitor}: {test.test} = {test.value:g} {test.unit} outside [{test.minimum:g} .. {test.maximum:g}]").strip()))
    for finding in case.findings:
        sev = finding.severity.upper()
        system = finding.system.lower()
        if sev in severity_weight:
            rule = next((r for r in cause.findings if r.system == system and r.check.search(finding.check)), None)
            if rule is not None:
                miss *= 1.0 - rule.weight * float(severity_weight[sev])
                evidence.append(_finding_evidence(finding))
                critical = critical or sev == "CRITICAL"
        elif sev == "OK":
            for rule in cause.contradicted_by:
                if rule.system == system and rule.check.search(finding.check):
                    miss = 1.0 - (1.0 - miss) * (1.0 - rule.weight)
    score = 1.0 - miss
    if score > 0.0:
        history = kb.vocabulary.get("history", {})
        for fix in case.history:
            if fix.cause != cause.id:
                continue
            if fix.verdict in ("confirmed", "fixed_by"):
                score += (1.0 - score) * float(history.get("confirmed_boost", 0.25)) * (1.0 if fix.same_vehicle else 0.5)
            else:
                score *= float(history.get("rejected_factor", 0.8))
    return score, evidence, critical


def offline_diagnosis(case: DiagnosisInput, knowledge: Knowledge | None = None, reason: str = "") -> Diagnosis:
    kb = knowledge or default_knowledge()
    floor = float(kb.vocabulary.get("confidence_floor", 0.02))
    ceiling = float(kb.vocabulary.get("confidence_ceiling", 0.95))
    scored = []
    for cause in kb.causes:
        score, evidence, critical = _score(cause, case, kb)
        if score >= floor and evidence:
            scored.append((score, cause, evidence, critical))
    scored.sort(key=lambda s: (-s[0], s[1].id))
    top = scored[:MAX_CAUSES]
    causes = [
        ProbableCause(id=c.id, title=c.title, system=c.system, area=c.area, confidence=round(min(ceiling, s), 3),
                      explanation=c.explanation, evidence=ev)
        for s, c, ev, _crit in top
    ]
    tests: list[NextTest] = []
    for _s, c, _ev, _crit in top[:3]:
        for t in c.tests:
            if len(tests) < MAX_TESTS and all(t["title"] != x.title for x in tests):
                tests.append(NextTest(title=t["title"], expected=t.get("expected", ""), tool=t.get("tool", "")))
    urgency: Urgency = "drive"
    urgency_reason = "No fault evidence that limits driving."
    if top:
        first, critical = top[0][1], top[0][3]
        urgency = first.urgency_if_critical if critical else first.urgency
        urgency_reason = f"{first.title}: {first.urgency_reason}".strip()
    minimum = float(kb.vocabulary.get("min_confidence_for_urgency", 0.3))
    for s, c, _ev, critical in top:
        if s < minimum and c is not top[0][1]:
            continue
        level = c.urgency_if_critical if critical else c.urgency
        if URGENCY_ORDER.index(level) > URGENCY_ORDER.index(urgency):
            urgency, urgency_reason = level, f"{c.title}: {c.urgency_reason}".strip()
    job = None
    if top:
        j = top[0][1].job
        job = RepairJob(title=j["title"], labour_hours=float(j["labour_hours"]), skill=j["skill"],
                        bay_type=j["bay_type"], parts=list(j.get("parts", [])))
    summary = (f"Most likely: {causes[0].title} ({causes[0].confidence:.0%})." if causes
               else "No code or finding points to a known cause; run the general tests and a road test.")
    return Diagnosis(
        summary=summary, causes=causes, tests=tests, urgency=urgency, urgency_reason=urgency_reason, job=job,
        source="offline", model=OFFLINE_MODEL, areas=list(route(case, kb)), fallback_reason=reason,
    )
