"""The LangGraph team with a fake chat model on the real structured-output path."""

from __future__ import annotations

import json
import threading

from agent_fakes import ScriptedChatModel, area_of, expert_reply, factory

from agents.models import ModelConfig
from agents.runner import run_diagnosis
from agents.schema import DiagnosisInput, FindingFacts, TroubleCode

CONFIG = ModelConfig(flash_model="flash-test", pro_model="pro-test", flash_price=(1.0, 2.0), pro_price=(10.0, 20.0))

MULTI = DiagnosisInput(
    dtcs=[TroubleCode(code="P0171", system="fuel and air metering", description="System Too Lean"),
          TroubleCode(code="C0035", system="chassis", description="Left Front Wheel Speed Circuit"),
          TroubleCode(code="P0700", system="transmission", description="Transmission Control System"),
          TroubleCode(code="U0100", system="network communication", description="Lost Communication With ECM/PCM")],
    findings=[FindingFacts(system="fuel and air", check="fuel trim at idle", severity="CRITICAL", signal="stft_b1", t_start=1.0, t_end=9.0)],
)


def test_uses_the_real_structured_output_binding(lean_case):
    model = ScriptedChatModel(reply=expert_reply)
    result = run_diagnosis(lean_case, factory(model), CONFIG)
    assert result.diagnosis.source == "model" and result.diagnosis.model == "flash-test"
    assert [c["schema"] for c in model.calls] == ["AreaReport", "DiagnosisDraft"]
    assert all(c["mime"] == "application/json" for c in model.calls)  # ChatGoogleGenerativeAI's own binding
    assert result.diagnosis.causes[0].id == "vacuum_leak"
    assert result.diagnosis.summary.startswith("model:")


def test_routes_to_the_workers_and_runs_them_in_parallel():
    model = ScriptedChatModel(reply=expert_reply)
    model.barrier = threading.Barrier(4, timeout=20)  # sequential workers would never all meet here
    progress: list[tuple[str, str]] = []
    result = run_diagnosis(MULTI, factory(model), CONFIG, budget_s=30, progress=lambda a, s, d: progress.append((a, s)))
    workers = [area_of(c["system"]) for c in model.calls if c["schema"] == "AreaReport"]
    assert sorted(workers) == ["Brakes and chassis", "Electrical, network and body", "Engine, fuel and ignition", "Transmission"]
    assert len({c["thread"] for c in model.calls if c["schema"] == "AreaReport"}) == 4
    assert result.diagnosis.areas == ["engine", "brakes_chassis", "transmission", "electrical"]
    for agent in ("intake", "supervisor", "engine", "brakes_chassis", "transmission", "electrical", "synthesis", "review"):
        assert (agent, "done") in progress


def test_skipped_workers_are_reported_and_not_called(lean_case):
    model = ScriptedChatModel(reply=expert_reply)
    progress: list[tuple[str, str]] = []
    run_diagnosis(lean_case, factory(model), CONFIG, progress=lambda a, s, d: progress.append((a, s)))
    assert [area_of(c["system"]) for c in model.calls if c["schema"] == "AreaReport"] == ["Engine, fuel and ignition"]
    assert ("transmission", "skipped") in progress and ("brakes_chassis", "skipped") in progress


def test_several_systems_go_to_pro_from_the_start():
    flash, pro = ScriptedChatModel(reply=expert_reply), ScriptedChatModel(reply=expert_reply)
    result = run_diagnosis(MULTI, factory(flash, pro), CONFIG, budget_s=30)
    assert flash.calls == [] and len(pro.calls) == 5 and result.diagnosis.model == "pro-test"


def _unsure(title: str, system: str, user: str) -> str:
    data = json.loads(expert_reply(title, system, user))
    for c in data["causes"]:
        c["confidence"] = round(c["confidence"] * 0.3, 3)
    return json.dumps(data)


def test_unsure_flash_synthesis_escalates_to_pro(lean_case):
    flash, pro = ScriptedChatModel(reply=_unsure), ScriptedChatModel(reply=expert_reply)
    result = run_diagnosis(lean_case, factory(flash, pro), CONFIG)
    assert [c["schema"] for c in flash.calls] == ["AreaReport", "DiagnosisDraft"]
    assert [c["schema"] for c in pro.calls] == ["DiagnosisDraft"]
    d = result.diagnosis
    assert d.model == "pro-test" and d.causes[0].confidence > 0.4
    flash_in = sum(len(c["system"] + c["user"]) // 4 for c in flash.calls)
    pro_in = sum(len(c["system"] + c["user"]) // 4 for c in pro.calls)
    assert d.input_tokens == flash_in + pro_in  # every call's usage is counted
    assert d.cost_usd > 0 and abs(d.cost_usd - round(d.cost_usd, 6)) < 1e-12


def test_technician_asks_for_pro(lean_case):
    flash, pro = ScriptedChatModel(reply=expert_reply), ScriptedChatModel(reply=expert_reply)
    run_diagnosis(lean_case.model_copy(update={"wants_pro": True}), factory(flash, pro), CONFIG)
    assert flash.calls == [] and pro.calls


def test_model_citations_get_the_inputs_time_range(lean_case):
    def vague(title, system, user):
        data = json.loads(expert_reply(title, system, user))
        for c in data["causes"]:
            for e in c["evidence"]:
                e["t_start"], e["t_end"], e["signal"] = None, None, ""
        return json.dumps(data)

    d = run_diagnosis(lean_case, factory(ScriptedChatModel(reply=vague)), CONFIG).diagnosis
    finding = next(e for e in d.causes[0].evidence if e.kind == "finding")
    assert (finding.signal, finding.t_start, finding.t_end) == ("stft_b1", 120.0, 153.0)
