"""Gemini models for the graph: which model for which case, how to call it, what it cost.

langchain-google-genai is imported only when a model is built (start-up stays light).
Explicit ``timeout`` and ``max_retries=1`` (one attempt): the library's defaults wait
~34 s for an unreachable host and forever for a silent one (NOTES.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agents.schema import DiagnosisInput

FLASH, PRO = "flash", "pro"
COMPLEX_AREAS = 2  # several systems involved
LOW_CONFIDENCE = 0.4  # the knowledge base is unsure: ask the stronger model


@dataclass(frozen=True)
class ModelConfig:
    """Plain settings for the agents (the config layer fills it; agents never read settings)."""

    api_key: str = field(default="", repr=False)
    flash_model: str = "gemini-3.5-flash"
    pro_model: str = "gemini-3.1-pro-preview"
    timeout_s: float = 20.0
    max_retries: int = 1
    base_url: str | None = None  # tests point the real client at a local server
    # The Gemini REST version we speak. Stated, never the SDK's default: google-genai 3.6.1
    # moved its default from v1beta to v1, which lacks the JSON-schema output we ask for.
    api_version: str = "v1beta"
    # USD per million tokens (input, output); settings, because price lists change
    flash_price: tuple[float, float] = (0.30, 2.50)
    pro_price: tuple[float, float] = (2.00, 12.00)

    def model_id(self, tier: str) -> str:
        return self.pro_model if tier == PRO else self.flash_model

    def cost_usd(self, tier: str, input_tokens: int, output_tokens: int) -> float:
        price_in, price_out = self.pro_price if tier == PRO else self.flash_price
        return (input_tokens * price_in + output_tokens * price_out) / 1_000_000


ModelFactory = Callable[[str], Any]  # tier -> a LangChain chat model


class GeminiModels:
    """Builds (once per tier) ChatGoogleGenerativeAI clients from a ModelConfig."""

    def __init__(self, config: ModelConfig) -> None:
        if not config.api_key:
            raise ValueError("no Gemini API key: enter one in Settings (it is kept in the OS keyring)")
        self.config = config
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()  # parallel workers ask at the same moment: one client per tier

    def __call__(self, tier: str) -> Any:
        with self._lock:
            return self._client(tier)

    def _client(self, tier: str) -> Any:
        if tier not in self._cache:
            from langchain_google_genai import ChatGoogleGenerativeAI

            c = self.config
            self._cache[tier] = ChatGoogleGenerativeAI(
                model=c.model_id(tier), google_api_key=c.api_key, timeout=c.timeout_s,
                max_retries=max(1, c.max_retries), base_url=c.base_url,
                api_version=c.api_version,
            )
        return self._cache[tier]


def choose_tier(case: DiagnosisInput, routes: dict[str, list[str]], offline_top: float | None) -> tuple[str, str]:
    """(tier, why): Pro when the technician asks, several systems are involved or the knowledge base is unsure."""
    if case.wants_pro:
        return PRO, "the technician asked for the stronger model"
    with_evidence = [a for a, why in routes.items() if any(not w.startswith(("complaint", "no codes")) for w in why)]
    if len(with_evidence) >= COMPLEX_AREAS:
        return PRO, f"{len(with_evidence)} systems involved"
    if offline_top is not None and offline_top < LOW_CONFIDENCE:
        return PRO, f"low confidence ({offline_top:.0%}) in the knowledge base's best cause"
    return FLASH, "single system, clear evidence"


@dataclass
class Usage:
    tier: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0


class InvalidReply(ValueError):
    """The model answered, but not with JSON that fits the schema (or with values out of range)."""


def ask_structured(model: Any, schema: type, messages: list[tuple[str, str]], tier: str, model_id: str) -> tuple[Any, Usage]:
    """One structured call through the model's own ``with_structured_output`` (JSON schema + Pydantic parser)."""
    runnable = model.with_structured_output(schema, include_raw=True)
    out = runnable.invoke(messages)
    raw = out.get("raw")
    meta = getattr(raw, "usage_metadata", None) or {}
    usage = Usage(tier, model_id, int(meta.get("input_tokens", 0) or 0), int(meta.get("output_tokens", 0) or 0))
    if out.get("parsing_error") is not None or out.get("parsed") is None:
        error = out.get("parsing_error")
        text = str(error or "empty reply")
        detail = text.split("Got:", 1)[1].strip() if "Got:" in text else text
        raise InvalidReply(f"{schema.__name__}: {detail.splitlines()[0][:160]}") from error
    return out["parsed"], usage
