"""Follow-up chat on a diagnosis: a LangGraph messages graph whose history lives in a checkpointer.

The caller passes the checkpointer (the desktop uses a SQLite file next to the local store)
and the thread id stored with the diagnosis; the agents never open files themselves. With
no model, or when the model fails, the offline expert answers from the diagnosis itself and
says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from agents.prompts import chat_system_prompt
from agents.schema import Diagnosis
from agents.validation import forbidden

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

    from agents.schema import ProbableCause

OFFLINE_PREFIX = "[offline expert] "
_WORD = re.compile(r"[a-z0-9]+")


def offline_answer(question: str, diagnosis: Diagnosis) -> str:
    """Answer from the diagnosis by word overlap: the matching cause, its evidence and the tests."""
    words = set(_WORD.findall(question.lower())) - {"the", "a", "is", "it", "what", "how", "why", "do", "i", "to", "of"}
    if any(w in words for w in ("clear", "erase", "reset", "delete")) and any(w in words for w in ("code", "codes", "dtc", "dtcs", "light", "lamp")):
        return OFFLINE_PREFIX + ("Clear codes only after the repair, to verify it: clearing them before hides the fault "
                                 "and resets the readiness monitors an inspection needs.")
    if any(w in words for w in ("drive", "safe", "urgent", "urgency")):
        return OFFLINE_PREFIX + f"Urgency: {diagnosis.urgency}. {diagnosis.urgency_reason}"
    if any(w in words for w in ("job", "labour", "labor", "hours", "parts", "part", "cost", "bay", "book")) and diagnosis.job:
        j = diagnosis.job
        return OFFLINE_PREFIX + (f"Proposed job: {j.title}, {j.labour_hours:g} h, skill {j.skill}, {j.bay_type}; "
                                 f"likely parts: {', '.join(j.parts) or 'none listed'}.")

    def overlap(text: str) -> int:
        return len(words & set(_WORD.findall(text.lower())))

    def relevance(c: ProbableCause) -> int:  # the title names the cause; the explanation merely mentions parts
        return 3 * overlap(c.title) + overlap(f"{c.system} {c.explanation}")

    best = max(diagnosis.causes, key=relevance, default=None)
    if best is not None and relevance(best) == 0:
        best = diagnosis.causes[0]
    if best is None:
        return OFFLINE_PREFIX + "No cause was found in the codes and findings; run the listed tests and a road test."
    cited = "; ".join(e.detail or e.ref for e in best.evidence[:3])
    tests = " ".join(f"{t.title}: expect {t.expected}." for t in diagnosis.tests[:2])
    return OFFLINE_PREFIX + f"{best.title} ({best.confidence:.0%}). {best.explanation} Evidence: {cited}. Next: {tests}".strip()


def build_chat_graph(model: Any | None, checkpointer: Any) -> CompiledStateGraph[Any, None, Any, Any]:  # State is local
    """A one-node graph: the newest human message is answered with the diagnosis as context."""
    from langchain_core.messages import AIMessage, SystemMessage
    from langgraph.graph import END, START, StateGraph
    from langgraph.graph.message import add_messages

    # functional form: evaluated here, where add_messages is in scope (this module postpones annotations)
    State = TypedDict("State", {"messages": Annotated[list[Any], add_messages], "diagnosis": dict[str, Any], "case": str},
                      total=False)

    def answer(state: State) -> dict[str, Any]:
        diagnosis = Diagnosis.model_validate(state["diagnosis"])
        question = str(state["messages"][-1].content)
        if model is not None:
            prompt = [SystemMessage(chat_system_prompt(diagnosis.model_dump_json(), state.get("case", ""))), *state["messages"]]
            try:
                reply = model.invoke(prompt)
                text = str(reply.content)
                if forbidden(text):  # a reply that advises hiding a fault is replaced, never shown
                    text = offline_answer("clear codes", diagnosis)
                return {"messages": [AIMessage(text, usage_metadata=getattr(reply, "usage_metadata", None))]}
            except Exception as e:  # no network, 429, ...: the offline expert answers and says why
                return {"messages": [AIMessage(f"{offline_answer(question, diagnosis)} (model unavailable: {type(e).__name__})")]}
        return {"messages": [AIMessage(offline_answer(question, diagnosis))]}

    graph = StateGraph(State)
    graph.add_node("answer", answer)
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer)


def ask(graph: Any, thread_id: str, question: str, diagnosis: Diagnosis, case_text: str = "") -> str:
    from langchain_core.messages import HumanMessage

    state = graph.invoke({"messages": [HumanMessage(question)], "diagnosis": diagnosis.model_dump(), "case": case_text},
                         {"configurable": {"thread_id": thread_id}})
    return str(state["messages"][-1].content)


def history(graph: Any, thread_id: str) -> list[tuple[str, str]]:
    """(role, text) of every message in the thread, oldest first ("technician" / "assistant")."""
    snapshot = graph.get_state({"configurable": {"thread_id": thread_id}})
    messages = (snapshot.values or {}).get("messages", []) if snapshot else []
    return [("technician" if m.type == "human" else "assistant", str(m.content)) for m in messages]
