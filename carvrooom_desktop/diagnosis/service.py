"""Run, store and follow up a diagnosis: the one place that joins agents, settings, keyring and store.

- The API key comes from the OS keyring here and goes only into the model client; it is
  never logged, stored or exported (results and events carry no settings).
- The offline answer is stored at once; a late model answer replaces it in the same row
  and is published again (``decision.made`` with ``replaced: True``).
- Follow-up chat history lives in a LangGraph SQLite checkpointer file next to the
  local store; the diagnosis row keeps its thread id.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from agents.graph import AgentProgress
from agents.models import ModelConfig, ModelFactory
from agents.runner import run_diagnosis
from agents.schema import Diagnosis
from carvrooom_desktop import events as ev
from carvrooom_desktop.config.secret_store import GEMINI_API_KEY, get_secret
from carvrooom_desktop.config.settings import Settings
from carvrooom_desktop.diagnosis.cases import Case
from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.paths import data_dir, ensure_dir

log = logging.getLogger(__name__)

CHAT_FILE = "diagnosis_chat.sqlite"

Replaced = Callable[[uuid.UUID | None, Diagnosis | None, str], None]  # (id, model diagnosis or None, failure reason)


def model_config(settings: Settings, api_key: str) -> ModelConfig:
    return ModelConfig(
        api_key=api_key, flash_model=settings.gemini_flash_model, pro_model=settings.gemini_pro_model,
        timeout_s=settings.gemini_timeout_s, max_retries=settings.gemini_max_retries,
        base_url=settings.gemini_base_url or None,
        # Settings.validate keeps each price list at [input, output]
        flash_price=cast(tuple[float, float], tuple(settings.gemini_flash_price_usd)),
        pro_price=cast(tuple[float, float], tuple(settings.gemini_pro_price_usd)),
    )


@dataclass
class Outcome:
    diagnosis: Diagnosis
    diagnosis_id: uuid.UUID | None  # None without a store
    pending: bool  # the model is still working; ``on_replaced`` will be called
    thread_id: str
    elapsed_s: float


def chat_path(store: Any) -> Path:
    """Next to the embedded SQLite store; in the data folder when the store is PostgreSQL (or absent)."""
    url = getattr(getattr(store, "engine", None), "url", None)
    if url is not None and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / CHAT_FILE
    return ensure_dir(data_dir()) / CHAT_FILE


class DiagnosisService:
    def __init__(self, settings: Settings, *, store: Any = None, events: ev.EventBus | None = None,
                 models: ModelFactory | None = None, api_key: Callable[[], str | None] = lambda: get_secret(GEMINI_API_KEY)) -> None:
        """``models`` replaces Gemini (tests: a fake chat model); otherwise Gemini is used when a key is stored."""
        self.settings = settings
        self.store = store
        self.events = events
        self._models_override = models
        self._api_key = api_key
        self._chat_lock = threading.Lock()
        self._saver: Any = None
        self._chat_graphs: dict[bool, Any] = {}
        self.repo = None
        if store is not None:
            from carvrooom_desktop.storage.diagnoses import DiagnosisRepository

            self.repo = DiagnosisRepository(store.engine, store.origin)

    # -- models ------------------------------------------------------------------------------------

    def models(self) -> tuple[ModelFactory | None, ModelConfig, str]:
        """(factory or None, config, why there is no model)."""
        if self._models_override is not None:
            return self._models_override, model_config(self.settings, ""), ""
        key = self._api_key()
        if not key:
            return None, model_config(self.settings, ""), "no Gemini API key (enter one in Settings)"
        from agents.models import GeminiModels

        config = model_config(self.settings, key)
        return GeminiModels(config), config, ""

    # -- diagnosis ---------------------------------------------------------------------------------

    def diagnose(self, case: Case, *, offline_only: bool = False, progress: AgentProgress | None = None,
                 on_replaced: Replaced | None = None) -> Outcome:
        factory, config, why = self.models()
        if offline_only:
            factory, why = None, "offline only (asked for)"
        holder: dict[str, Any] = {}
        ready = threading.Event()

        def late(result: Diagnosis | None, reason: str) -> None:
            ready.wait(10)  # the row must exist before it can be replaced
            diagnosis_id = holder.get("id")
            if result is not None and self.repo is not None and diagnosis_id is not None:
                try:
                    self.repo.replace_result(diagnosis_id, source="model", model=result.model, result=result.model_dump(mode="json"),
                                             input_tokens=result.input_tokens, output_tokens=result.output_tokens, cost_usd=result.cost_usd)
                except Exception:  # the answer is still shown; the store problem is logged
                    log.exception("could not store the model's late diagnosis")
            if result is not None:
                self._publish(diagnosis_id, case, result, replaced=True)
            if on_replaced is not None:
                on_replaced(diagnosis_id, result, reason)

        run = run_diagnosis(case.input, factory, config, budget_s=self.settings.diagnosis_budget_s, progress=progress,
                            on_late=late, no_model_reason=why or "no model")
        d = run.diagnosis
        thread_id = uuid.uuid4().hex
        if self.repo is not None:
            holder["id"] = self.repo.add(
                vin=case.input.vehicle.vin, source=d.source, model=d.model, result=d.model_dump(mode="json"),
                complaint=case.input.complaint, vehicle_id=case.vehicle_id, recording_id=case.recording_id,
                input_tokens=d.input_tokens, output_tokens=d.output_tokens, cost_usd=d.cost_usd, thread_id=thread_id)
        ready.set()
        self._publish(holder.get("id"), case, d, replaced=False)
        return Outcome(d, holder.get("id"), run.pending, thread_id, run.elapsed_s)

    def _publish(self, diagnosis_id: uuid.UUID | None, case: Case, d: Diagnosis, *, replaced: bool) -> None:
        if self.events is None:
            return
        top = d.top
        self.events.publish(ev.DECISION_MADE, {
            "kind": "diagnosis", "diagnosis_id": str(diagnosis_id) if diagnosis_id else None, "vin": case.input.vehicle.vin,
            "source": d.source, "model": d.model, "urgency": d.urgency, "replaced": replaced,
            "top_cause": top.title if top else None, "system": top.system if top else None,
            "job": d.job.model_dump() if d.job else None,
        })

    # -- verdicts ----------------------------------------------------------------------------------

    def record_verdict(self, diagnosis_id: uuid.UUID, *, cause: str, system: str, verdict: str, note: str = "", vin: str = "") -> uuid.UUID:
        if self.repo is None:
            raise InvalidRequest("verdicts need the store, which is not open")
        verdict_id = self.repo.add_verdict(diagnosis_id, cause=cause, system=system, verdict=verdict, note=note)
        if self.events is not None:
            self.events.publish(ev.DECISION_MADE, {"kind": "verdict", "diagnosis_id": str(diagnosis_id), "vin": vin,
                                                   "cause": cause, "system": system, "verdict": verdict})
        return verdict_id

    # -- follow-up chat ----------------------------------------------------------------------------

    def _chat_graph(self, use_model: bool) -> Any:
        with self._chat_lock:
            if self._saver is None:
                from langgraph.checkpoint.sqlite import SqliteSaver

                path = chat_path(self.store)
                conn = sqlite3.connect(str(path), check_same_thread=False)
                self._saver = SqliteSaver(conn)
            if use_model not in self._chat_graphs:
                from agents.chat import build_chat_graph

                model = None
                if use_model:
                    factory, _config, _why = self.models()
                    model = factory("flash") if factory is not None else None
                self._chat_graphs[use_model] = build_chat_graph(model, self._saver)
            return self._chat_graphs[use_model]

    def ask(self, thread_id: str, question: str, diagnosis: Diagnosis, case: Case | None = None, *, offline_only: bool = False) -> str:
        if not question.strip():
            raise InvalidRequest("type a question first")
        from agents.chat import ask
        from agents.prompts import case_json

        graph = self._chat_graph(not offline_only)
        return ask(graph, thread_id, question.strip(), diagnosis, case_json(case.input) if case is not None else "")

    def chat_history(self, thread_id: str) -> list[tuple[str, str]]:
        from agents.chat import history

        return history(self._chat_graph(False), thread_id)

    def close(self) -> None:
        with self._chat_lock:
            if self._saver is not None:
                self._saver.conn.close()
                self._saver = None
                self._chat_graphs.clear()
