"""Whatever a model replies, validation keeps only citations present in the input and never crashes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.offline_expert import offline_diagnosis
from agents.schema import Diagnosis, DiagnosisInput, Evidence, FindingFacts, ProbableCause, SignalStats, TroubleCode
from agents.validation import UnusableReply, validate

CASE = DiagnosisInput(
    dtcs=[TroubleCode(code="P0171", system="fuel and air metering"), TroubleCode(code="P0300", kind="pending")],
    findings=[FindingFacts(system="fuel and air", check="fuel trim at idle", severity="WARNING", signal="stft_b1", t_start=5, t_end=9)],
    signals=[SignalStats(name="stft_b1", unit="%", count=10, minimum=0, maximum=30, mean=10, last=12, t_start=0, t_end=100)],
)
REFS = ["P0171", "p0300", "P0420", "fuel and air: fuel trim at idle", "brakes: front brake pads", "stft_b1", "rpm", "complaint", "", "21/82"]
evidence = st.builds(Evidence, kind=st.sampled_from(["dtc", "finding", "signal", "freeze_frame", "mode06", "readiness", "complaint"]),
                     ref=st.sampled_from(REFS) | st.text(max_size=20),
                     t_start=st.none() | st.floats(-1e6, 1e6), t_end=st.none() | st.floats(-1e6, 1e6))
cause = st.builds(ProbableCause, title=st.text(min_size=1, max_size=40), system=st.text(max_size=20),
                  confidence=st.floats(0, 1), evidence=st.lists(evidence, max_size=5))


@settings(max_examples=200, deadline=None)
@given(st.lists(cause, max_size=6), st.sampled_from(["drive", "drive with care", "do not drive"]))
def test_only_input_evidence_survives(causes, urgency):
    refs = CASE.evidence_refs()
    try:
        out = validate(Diagnosis(causes=causes, urgency=urgency), CASE, floor=offline_diagnosis(CASE))
    except UnusableReply:
        return
    for c in out.causes:
        assert c.evidence and not all(e.kind == "complaint" for e in c.evidence)
        for e in c.evidence:
            assert e.ref.strip().upper() in refs[e.kind] or e.ref.strip().lower() in refs[e.kind] or e.ref.strip() in refs[e.kind]
            if e.kind == "signal" and e.t_start is not None:
                assert 0 <= e.t_start <= e.t_end <= 100
    assert [c.confidence for c in out.causes] == sorted((c.confidence for c in out.causes), reverse=True)
    assert out.urgency != "drive"  # the knowledge base says at least "drive with care" for a lean engine
