"""The offline expert: the right system first for every simulated fault, deterministic, history-aware."""

from __future__ import annotations

import pytest
from sim_cases import sim_case

from agents.knowledge import default_knowledge, load_knowledge
from agents.offline_expert import offline_diagnosis
from agents.schema import DiagnosisInput, PastFix, TroubleCode
from agents.validation import forbidden
from drivers.simulator.faults import FAULT_CATALOGUE


@pytest.mark.parametrize("fault", sorted(FAULT_CATALOGUE))
def test_each_simulated_fault_ranks_its_system_first(fault):
    case = sim_case(fault)
    d = offline_diagnosis(case.input)
    assert d.source == "offline" and d.causes, f"{fault}: no cause"
    assert d.causes[0].system == FAULT_CATALOGUE[fault].system, [(c.id, c.system, c.confidence) for c in d.causes[:3]]
    assert all(c.evidence for c in d.causes)
    refs = case.input.evidence_refs()
    for c in d.causes:
        for e in c.evidence:
            assert e.ref.upper() in refs[e.kind] or e.ref.lower() in refs[e.kind] or e.ref in refs[e.kind]
    assert d.job is not None and d.job.labour_hours > 0 and "{n}" not in d.job.title
    text = " ".join([d.summary, d.urgency_reason, d.job.title, *(t.title + " " + t.expected for t in d.tests)])
    assert not forbidden(text)


def test_misfire_names_the_cylinder_and_keeps_the_car_off_the_road():
    d = offline_diagnosis(sim_case("misfire_cyl3").input)
    assert d.causes[0].id in ("ignition_coil_cyl3", "spark_plug_cyl3")
    assert d.urgency == "do not drive"  # a critical misfire finding: catalyst at risk


def test_healthy_car_gets_no_cause_and_may_drive():
    d = offline_diagnosis(sim_case("").input)
    assert d.causes == [] and d.urgency == "drive" and d.job is None


def test_same_input_same_answer(lean_case):
    assert offline_diagnosis(lean_case).model_dump() == offline_diagnosis(lean_case).model_dump()


def test_one_code_read_from_three_memories_counts_once():
    one = DiagnosisInput(dtcs=[TroubleCode(code="P0128", kind="stored")])
    three = DiagnosisInput(dtcs=[TroubleCode(code="P0128", kind=k) for k in ("stored", "pending", "permanent")])
    assert offline_diagnosis(one).causes[0].confidence == offline_diagnosis(three).causes[0].confidence


def test_shop_history_reorders_close_causes():
    base = DiagnosisInput(dtcs=[TroubleCode(code="P0562", kind="stored")])
    plain = offline_diagnosis(base)
    assert plain.causes[0].id == "battery_weak"
    history = [PastFix(cause="alternator_failing", verdict="confirmed", same_vehicle=True),
               PastFix(cause="battery_weak", verdict="rejected", same_vehicle=True)]
    learned = offline_diagnosis(base.model_copy(update={"history": history}))
    assert learned.causes[0].id == "alternator_failing"


def test_prefix_codes_route_network_faults():
    d = offline_diagnosis(DiagnosisInput(dtcs=[TroubleCode(code="U0001", kind="stored", system="network communication")]))
    assert d.causes[0].id == "can_bus_fault" and d.areas == ["electrical"]


def test_knowledge_files_load_and_are_safe():
    kb = default_knowledge()
    assert len(kb.causes) > 20
    for c in kb.causes:
        assert c.job["skill"] in kb.vocabulary["skills"], c.id
        assert c.job["bay_type"] in kb.vocabulary["bay_types"], c.id
        for t in c.tests:
            assert not forbidden(t["title"] + ". " + t.get("expected", "")), (c.id, t)


def test_broken_knowledge_file_names_the_file(tmp_path):
    from agents.knowledge import KNOWLEDGE_DIR, KnowledgeError

    for name in ("areas.json", "vocabulary.json", "safety.json"):
        (tmp_path / name).write_text((KNOWLEDGE_DIR / name).read_text())
    (tmp_path / "causes.json").write_text('{"causes": {"x": {"title": "t"}}}')
    with pytest.raises(KnowledgeError, match="causes.json x: missing field"):
        load_knowledge(tmp_path)


@pytest.mark.parametrize(("fault", "ref"), [("degraded_catalyst", "21/82"), ("lazy_o2_upstream", "01/81")])
def test_failed_on_board_tests_are_cited(fault, ref):
    d = offline_diagnosis(sim_case(fault).input)
    assert any(e.kind == "mode06" and e.ref == ref for e in d.causes[0].evidence)
