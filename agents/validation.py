"""Checks every diagnosis against its input before anyone sees it.

- A cause may cite only evidence that is in the input; citations that are not are
  removed, and a cause left with none is dropped (with the reason kept in ``dropped``).
- No advice to clear or hide codes, defeat monitors or cover lamps (safety.json).
- The proposed job uses the scheduler's words for skill and bay type.
- Urgency is never below what the knowledge base says for the evidence present (a
  model, or text in the input, cannot talk a "do not drive" case down).
"""

from __future__ import annotations

from agents.knowledge import Knowledge, default_knowledge
from agents.schema import URGENCY_ORDER, Diagnosis, DiagnosisInput, Evidence, NextTest, ProbableCause


class UnusableReply(ValueError):
    """The model's reply survived parsing but nothing in it can be shown (e.g. no cause cites evidence)."""


def forbidden(text: str, kb: Knowledge | None = None) -> bool:
    kb = kb or default_knowledge()
    return any(p.search(text or "") for p in kb.forbidden_advice)


def _norm(kind: str, ref: str) -> str:
    ref = ref.strip()
    if kind in ("dtc", "freeze_frame") or (kind == "mode06" and "/" in ref):
        return ref.upper()
    return ref if kind == "signal" else ref.lower()


def _check_evidence(ev: Evidence, case: DiagnosisInput, refs: dict[str, set[str]]) -> Evidence | None:
    key = _norm(ev.kind, ev.ref)
    known = refs.get(ev.kind, set())
    if ev.kind == "mode06":
        if key not in known and ev.ref.strip().lower() not in known:
            return None
    elif key not in known:
        return None
    if ev.kind == "finding":  # a finding brings its own signal and time range: use the input's, not a guess
        f = next(f for f in case.findings if f.ref.lower() == key)
        return ev.model_copy(update={"signal": f.signal, "t_start": f.t_start, "t_end": f.t_end})
    if ev.kind == "signal":
        stats = next((s for s in case.signals if s.name == key), None)
        if stats is not None and stats.t_start is not None and stats.t_end is not None:
            t0 = ev.t_start if ev.t_start is not None else stats.t_start
            t1 = ev.t_end if ev.t_end is not None else stats.t_end
            t0, t1 = max(t0, stats.t_start), min(t1, stats.t_end)  # a range outside the data is clipped to it
            if t0 > t1:
                t0, t1 = stats.t_start, stats.t_end
            return ev.model_copy(update={"signal": key, "t_start": t0, "t_end": t1})
        return ev.model_copy(update={"signal": key})
    return ev


def validate(diagnosis: Diagnosis, case: DiagnosisInput, knowledge: Knowledge | None = None,
             floor: Diagnosis | None = None) -> Diagnosis:
    """The diagnosis with unsupported causes and unsafe advice removed.

    ``floor`` is the offline expert's answer for the same input: its urgency is the
    lowest the result may carry. Raises UnusableReply when no cause is left although the
    input holds evidence (a reply that cites nothing is not a diagnosis).
    """
    kb = knowledge or default_knowledge()
    refs = case.evidence_refs()
    dropped = list(diagnosis.dropped)
    causes: list[ProbableCause] = []
    for cause in diagnosis.causes:
        kept = [e for e in (_check_evidence(ev, case, refs) for ev in cause.evidence) if e is not None]
        lost = len(cause.evidence) - len(kept)
        if forbidden(cause.title, kb) or forbidden(cause.explanation, kb):
            dropped.append(f"{cause.title}: advises clearing or hiding a fault")
            continue
        if not kept or all(e.kind == "complaint" for e in kept):
            dropped.append(f"{cause.title}: cites no evidence present in the input")
            continue
        if lost:
            dropped.append(f"{cause.title}: {lost} citation(s) not found in the input removed")
        causes.append(cause.model_copy(update={"evidence": kept}))
    causes.sort(key=lambda c: -c.confidence)
    tests: list[NextTest] = []
    for test in diagnosis.tests:
        if forbidden(f"{test.title}. {test.expected}", kb):
            dropped.append(f"test {test.title!r}: advises clearing or hiding a fault")
        else:
            tests.append(test)
    has_evidence = any(refs[k] for k in ("dtc", "finding", "freeze_frame", "mode06")) or bool(case.abnormal_findings())
    if not causes and diagnosis.causes and has_evidence:
        raise UnusableReply("no cause in the reply cites evidence present in the input")
    job = diagnosis.job
    vocab = kb.vocabulary
    if job is not None:
        if forbidden(job.title, kb):
            dropped.append(f"job {job.title!r}: advises clearing or hiding a fault")
            job = floor.job if floor is not None else None
        else:
            area = causes[0].area if causes else ""
            skill = job.skill if job.skill in vocab.get("skills", []) else vocab.get("default_skill_by_area", {}).get(area, "general service")
            bay = job.bay_type if job.bay_type in vocab.get("bay_types", []) else "diagnostic bay"
            job = job.model_copy(update={"skill": skill, "bay_type": bay})
    urgency, reason = diagnosis.urgency, diagnosis.urgency_reason
    if floor is not None and URGENCY_ORDER.index(floor.urgency) > URGENCY_ORDER.index(urgency):
        urgency, reason = floor.urgency, f"{floor.urgency_reason} (raised to the knowledge base's level)"
    if forbidden(reason, kb):
        reason = floor.urgency_reason if floor is not None else ""
    summary = diagnosis.summary if not forbidden(diagnosis.summary, kb) else ""
    return diagnosis.model_copy(update={"causes": causes, "tests": tests, "job": job, "urgency": urgency,
                                        "urgency_reason": reason, "summary": summary, "dropped": dropped})
