"""The diagnosis graph (LangGraph 1.x).

intake -> supervisor (rule-based routing by DTC family, findings and complaint; picks
Flash or Pro) -> one worker per routed area, in parallel (``Send``) -> synthesis (re-run
on Pro when Flash is unsure) -> review (validation against the input).

LangGraph is imported inside :func:`build_graph`, so importing this module is cheap.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from agents.knowledge import Knowledge, default_knowledge
from agents.models import FLASH, LOW_CONFIDENCE, PRO, ModelConfig, ModelFactory, Usage, ask_structured, choose_tier
from agents.offline_expert import offline_diagnosis
from agents.prompts import synthesis_messages, worker_messages
from agents.schema import AreaReport, Diagnosis, DiagnosisDraft, DiagnosisInput
from agents.validation import validate

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

AgentProgress = Callable[[str, str, str], None]  # (agent, state: running|done|skipped|failed, detail); not domain.Progress
AGENTS = ("intake", "supervisor", "engine", "brakes_chassis", "transmission", "electrical", "synthesis", "review")


class GraphState(TypedDict, total=False):
    case: DiagnosisInput
    offline: Diagnosis
    routes: dict[str, list[str]]
    tier: str
    tier_reason: str
    reports: Annotated[list[tuple[str, AreaReport]], operator.add]
    usage: Annotated[list[Usage], operator.add]
    draft: DiagnosisDraft
    draft_tier: str
    diagnosis: Diagnosis


class WorkerState(TypedDict):
    case: DiagnosisInput
    area: str
    reasons: list[str]
    tier: str
    offline: Diagnosis


def _no_progress(_agent: str, _state: str, _detail: str = "") -> None:
    pass


def build_graph(models: ModelFactory, config: ModelConfig, *, progress: AgentProgress | None = None,
                knowledge: Knowledge | None = None, allow_escalation: bool = True,
                ) -> CompiledStateGraph[GraphState, None, GraphState, GraphState]:
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    kb = knowledge or default_knowledge()
    report = progress or _no_progress

    def intake(state: GraphState) -> dict[str, Any]:
        report("intake", "running", "")
        case = state["case"]
        offline = offline_diagnosis(case, kb)
        report("intake", "done", f"{len(case.dtcs)} codes, {len(case.abnormal_findings())} findings, {len(case.signals)} signals")
        return {"offline": offline}

    def supervisor(state: GraphState) -> dict[str, Any]:
        report("supervisor", "running", "")
        routes = _routes(state)
        top = state["offline"].top
        tier, why = choose_tier(state["case"], routes, top.confidence if top else None)
        for area in ("engine", "brakes_chassis", "transmission", "electrical"):
            if area not in routes:
                report(area, "skipped", "not routed")
        report("supervisor", "done", f"{', '.join(routes)} on {config.model_id(tier)} ({why})")
        return {"routes": routes, "tier": tier, "tier_reason": why}

    def _routes(state: GraphState) -> dict[str, list[str]]:
        from agents.routing import route

        return route(state["case"], kb)

    def fan_out(state: GraphState) -> list[Any]:
        return [Send("worker", {"case": state["case"], "area": area, "reasons": why, "tier": state["tier"],
                                "offline": state["offline"]}) for area, why in state["routes"].items()]

    def worker(state: WorkerState) -> dict[str, Any]:
        area, tier = state["area"], state["tier"]
        report(area, "running", config.model_id(tier))
        candidates = [{"id": c.id, "title": c.title, "system": c.system, "offline_confidence": c.confidence}
                      for c in state["offline"].causes if c.area == area]
        messages = worker_messages(state["case"], area, state["reasons"], candidates, kb)
        try:
            parsed, usage = ask_structured(models(tier), AreaReport, messages, tier, config.model_id(tier))
        except Exception as e:
            report(area, "failed", type(e).__name__)
            raise
        for cause in parsed.causes:
            cause.area = cause.area or area
        report(area, "done", f"{len(parsed.causes)} cause(s)")
        return {"reports": [(area, parsed)], "usage": [usage]}

    def synthesis(state: GraphState) -> dict[str, Any]:
        tier = state["tier"]
        report("synthesis", "running", config.model_id(tier))
        reports = dict(state.get("reports", []))
        messages = synthesis_messages(state["case"], reports, kb)
        usage: list[Usage] = []
        draft, u = ask_structured(models(tier), DiagnosisDraft, messages, tier, config.model_id(tier))
        usage.append(u)
        top = max((c.confidence for c in draft.causes), default=0.0)
        if allow_escalation and tier == FLASH and top < LOW_CONFIDENCE:
            report("synthesis", "running", f"escalating to {config.model_id(PRO)} (Flash confidence {top:.0%})")
            draft, u = ask_structured(models(PRO), DiagnosisDraft, messages, PRO, config.model_id(PRO))
            usage.append(u)
            tier = PRO
        report("synthesis", "done", f"{len(draft.causes)} cause(s)")
        return {"draft": draft, "draft_tier": tier, "usage": usage}

    def review(state: GraphState) -> dict[str, Any]:
        report("review", "running", "")
        usage: list[Usage] = state.get("usage", [])
        tokens_in = sum(u.input_tokens for u in usage)
        tokens_out = sum(u.output_tokens for u in usage)
        cost = sum(config.cost_usd(u.tier, u.input_tokens, u.output_tokens) for u in usage)
        draft = state["draft"]
        full = Diagnosis(**draft.model_dump(), source="model", model=config.model_id(state["draft_tier"]),
                         areas=list(state["routes"]), input_tokens=tokens_in, output_tokens=tokens_out,
                         cost_usd=round(cost, 6))
        checked = validate(full, state["case"], kb, floor=state["offline"])
        report("review", "done", f"{len(checked.dropped)} item(s) removed" if checked.dropped else "all causes cite evidence")
        return {"diagnosis": checked}

    graph = StateGraph(GraphState)
    graph.add_node("intake", intake)
    graph.add_node("supervisor", supervisor)
    graph.add_node("worker", worker)
    graph.add_node("synthesis", synthesis)
    graph.add_node("review", review)
    graph.add_edge(START, "intake")
    graph.add_edge("intake", "supervisor")
    graph.add_conditional_edges("supervisor", fan_out, ["worker"])
    graph.add_edge("worker", "synthesis")
    graph.add_edge("synthesis", "review")
    graph.add_edge("review", END)
    return graph.compile()
