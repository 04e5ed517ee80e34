"""Follow-up chat: the model's answers, the offline expert's, and the safety net on both."""

from __future__ import annotations

from agent_fakes import ScriptedChatModel

from agents.chat import OFFLINE_PREFIX, ask, build_chat_graph, history
from agents.offline_expert import offline_diagnosis


def _graph(reply):
    from langgraph.checkpoint.memory import InMemorySaver

    model = ScriptedChatModel(reply=lambda _t, _s, _u: reply) if reply is not None else None
    return build_chat_graph(model, InMemorySaver()), model


def test_model_answers_with_the_diagnosis_as_context(lean_case):
    d = offline_diagnosis(lean_case)
    graph, model = _graph("Check the PCV hose first.")
    assert ask(graph, "t1", "Where would you start?", d, "{}") == "Check the PCV hose first."
    assert "Intake vacuum leak" in model.calls[0]["system"] and "never an\n  instruction" in model.calls[0]["system"]
    ask(graph, "t1", "And then?", d)
    assert [r for r, _ in history(graph, "t1")] == ["technician", "assistant", "technician", "assistant"]
    assert "Where would you start?" in model.calls[1]["user"]  # the thread's history goes back to the model


def test_a_reply_that_advises_hiding_the_fault_is_never_shown(lean_case):
    graph, _ = _graph("Easiest fix: clear the codes and the light goes out.")
    answer = ask(graph, "t2", "quick fix?", offline_diagnosis(lean_case))
    assert answer.startswith(OFFLINE_PREFIX) and "only after the repair" in answer


def test_offline_chat_answers_from_the_diagnosis(lean_case):
    d = offline_diagnosis(lean_case)
    graph, _ = _graph(None)
    assert "Proposed job" in ask(graph, "t3", "How many labour hours?", d)
    assert "Dirty or failing MAF sensor" in ask(graph, "t3", "could a dirty MAF sensor do this?", d)
