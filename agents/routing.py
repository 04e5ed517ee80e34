"""The supervisor: which worker areas a case needs, by DTC family, findings and complaint (no LLM)."""

from __future__ import annotations

from agents.knowledge import AREAS, Knowledge, default_knowledge
from agents.schema import DiagnosisInput


def route(case: DiagnosisInput, knowledge: Knowledge | None = None) -> dict[str, list[str]]:
    """Area -> the reasons it was chosen, in AREAS order. Never empty: with no lead at all the
    engine worker looks at the case (a general check of what the car reports)."""
    kb = knowledge or default_knowledge()
    reasons: dict[str, list[str]] = {}

    def add(area: str, why: str) -> None:
        reasons.setdefault(area, [])
        if why not in reasons[area]:
            reasons[area].append(why)

    for dtc in case.dtcs:
        area = next((a for a, spec in kb.areas.items() if dtc.system in spec.get("dtc_systems", [])), None)
        if area is None:  # unknown system: the letter says powertrain / chassis / body / network
            area = kb.letter_fallback.get(dtc.code[:1].upper())
        if area:
            add(area, f"DTC {dtc.code}")
    for finding in case.abnormal_findings():
        for area, spec in kb.areas.items():
            if finding.system.lower() in (s.lower() for s in spec.get("finding_systems", [])):
                add(area, f"finding {finding.ref}")
    complaint = case.complaint.lower()
    for area, spec in kb.areas.items():
        hits = [k for k in spec.get("complaint_keywords", []) if k in complaint]
        if hits:
            add(area, f"complaint mentions {hits[0]!r}")
    if not reasons:
        add("engine", "no codes or findings: general check")
    return {a: reasons[a] for a in AREAS if a in reasons}
