"""Run a diagnosis within a time budget: the model if it answers in time, else the offline expert.

The offline answer is computed first (milliseconds), so there is always something to
show. The model graph runs on a daemon thread; if it fails (no key, no network, timeout,
429/503, a reply that does not validate) the offline answer stands with the reason; if it
is still working when the budget is spent, the offline answer is returned now and
``on_late`` receives the model's answer when (if) it arrives, to replace it in place.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.knowledge import Knowledge, default_knowledge
from agents.models import ModelConfig, ModelFactory
from agents.offline_expert import offline_diagnosis
from agents.schema import Diagnosis, DiagnosisInput

log = logging.getLogger(__name__)

DEFAULT_BUDGET_S = 5.0

LateHandler = Callable[[Diagnosis | None, str], None]  # (model diagnosis or None, failure reason)


@dataclass
class RunResult:
    diagnosis: Diagnosis
    pending: bool = False  # the model is still working; on_late will be called
    elapsed_s: float = 0.0


def describe_failure(exc: BaseException) -> str:
    """A technician-readable reason, from the exception chain (httpx, google-genai, parsers)."""
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in seen:
        seen.append(e)
        e = e.__cause__ or e.__context__
    for err in seen:
        name = type(err).__name__
        text = str(err)
        code = getattr(err, "code", None) or getattr(err, "status_code", None)
        if code == 429 or "429" in text[:40] or "RESOURCE_EXHAUSTED" in text:
            return "Gemini rate limit reached (429)"
        if code == 503 or "503" in text[:40] or "UNAVAILABLE" in text:
            return "Gemini is unavailable (503)"
        if code in (401, 403) or "API_KEY_INVALID" in text or "API key not valid" in text:
            return "the Gemini API key was rejected"
        if name in ("ReadTimeout", "ConnectTimeout", "WriteTimeout", "PoolTimeout", "TimeoutException", "TimeoutError"):
            return "Gemini did not answer within the timeout"
        if name == "ConnectError" or isinstance(err, ConnectionError):
            lowered = text.lower()
            if any(s in lowered for s in ("name or service", "nodename", "getaddrinfo", "name resolution", "no address")):
                return "no network: the Gemini host name does not resolve"
            return "no network: the connection to Gemini failed"
        if name == "InvalidReply":
            return f"the model's reply did not validate ({text})"
        if name in ("OutputParserException", "ValidationError", "JSONDecodeError"):
            return f"the model's reply did not validate ({text.splitlines()[0][:120] if text else name})"
        if name == "UnusableReply":
            return f"the model's reply was unusable: {text}"
        if isinstance(code, int) and code >= 400:
            return f"Gemini answered HTTP {code}"
    return f"the model failed ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"


def run_diagnosis(
    case: DiagnosisInput,
    models: ModelFactory | None,
    config: ModelConfig | None = None,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    progress: Callable[[str, str, str], None] | None = None,
    on_late: LateHandler | None = None,
    knowledge: Knowledge | None = None,
    no_model_reason: str = "no Gemini API key (Settings)",
) -> RunResult:
    started = time.monotonic()
    kb = knowledge or default_knowledge()
    if models is None:
        offline = offline_diagnosis(case, kb, reason=no_model_reason)
        if progress:
            progress("review", "done", f"offline expert: {no_model_reason}")
        return RunResult(offline, False, time.monotonic() - started)
    config = config or ModelConfig()
    done = threading.Event()
    lock = threading.Lock()
    box: dict[str, Any] = {}

    def work() -> None:
        try:  # importing LangGraph/Gemini (1-3 s cold) happens here too, inside the budget
            from agents.graph import build_graph

            graph = build_graph(models, config, progress=progress, knowledge=kb)
            result: Any = graph.invoke({"case": case})["diagnosis"]
            error = None
        except Exception as e:  # every failure becomes "offline, because ..."
            result, error = None, e
        with lock:
            box["result"], box["error"] = result, error
            late = box.get("late", False)
        done.set()
        if late and on_late is not None:
            try:
                on_late(result, describe_failure(error) if error is not None else "")
            except Exception:  # the caller's handler (store, GUI) failed: logged, the thread ends cleanly
                log.exception("handling the model's late diagnosis failed")

    threading.Thread(target=work, name="diagnosis-model", daemon=True).start()
    remaining = max(0.0, budget_s - (time.monotonic() - started))
    finished = done.wait(remaining)
    with lock:
        if not finished and "result" not in box:
            box["late"] = True
    if "late" in box:
        reason = f"Gemini had not answered after {budget_s:g} s; its answer replaces this one if it arrives"
        return RunResult(offline_diagnosis(case, kb, reason=reason), True, time.monotonic() - started)
    if box["error"] is not None:
        offline = offline_diagnosis(case, kb, reason=describe_failure(box["error"]))
        return RunResult(offline, False, time.monotonic() - started)
    return RunResult(box["result"], False, time.monotonic() - started)
