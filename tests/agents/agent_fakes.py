"""Test peers for the agents: a fake chat model on the real structured-output path, and answer makers.

langchain's own fakes raise NotImplementedError on ``with_structured_output`` (NOTES.md).
``ScriptedChatModel`` borrows ``ChatGoogleGenerativeAI.with_structured_output`` itself, so
the reply text goes through exactly the production path: a binding with
``response_mime_type``/``response_json_schema`` and the Pydantic output parser.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_google_genai import ChatGoogleGenerativeAI

from agents.offline_expert import offline_diagnosis
from agents.schema import DiagnosisInput

CASE = re.compile(r"<<<CASE\n(.*)\nCASE>>>", re.S)


def case_from_prompt(text: str) -> DiagnosisInput:
    """The case JSON the agents put into the user message."""
    m = CASE.search(text)
    assert m, "no CASE DATA block in the prompt"
    return DiagnosisInput.model_validate_json(m.group(1))


def area_of(system_prompt: str) -> str | None:
    m = re.search(r"You are the (.+?) specialist", system_prompt)
    return m.group(1) if m else None


def expert_reply(schema_title: str, system: str, user: str) -> str:
    """A correct answer, computed by the offline expert from the case in the prompt (what a good model says)."""
    if not schema_title:  # follow-up chat: plain text, from the diagnosis in the system prompt
        top = re.search(r'"title":"([^"]+)"', system)
        return f"(fake model) Start with the first test for {top.group(1) if top else 'the top cause'}; then re-check the evidence."
    case = case_from_prompt(user)
    d = offline_diagnosis(case)
    causes = [c.model_dump() for c in d.causes]
    if schema_title == "AreaReport":
        label = area_of(system) or ""
        from agents.knowledge import default_knowledge

        area = next((k for k, v in default_knowledge().areas.items() if v.get("label") == label), "")
        return json.dumps({"causes": [c for c in causes if c["area"] == area], "tests": [t.model_dump() for t in d.tests]})
    return json.dumps({"summary": "model: " + d.summary, "causes": causes, "tests": [t.model_dump() for t in d.tests],
                       "urgency": d.urgency, "urgency_reason": d.urgency_reason,
                       "job": d.job.model_dump() if d.job else None})


class ScriptedChatModel(BaseChatModel):
    """Answers with ``reply(schema_title, system_text, user_text) -> str`` and reports token use."""

    reply: Callable[[str, str, str], str]
    name_tag: str = "fake"
    calls: list[dict[str, Any]] = []
    barrier: Any = None  # a threading.Barrier the structured calls must pass (parallel-worker test)
    lock: Any = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls = []
        self.lock = threading.Lock()

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    with_structured_output = ChatGoogleGenerativeAI.with_structured_output  # the real path, not a copy

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        schema = kwargs.get("response_json_schema") or {}
        title = schema.get("title", "")
        system = "\n".join(str(m.content) for m in messages if m.type == "system")
        user = "\n".join(str(m.content) for m in messages if m.type == "human")
        with self.lock:
            self.calls.append({"schema": title, "mime": kwargs.get("response_mime_type"), "system": system, "user": user,
                               "thread": threading.get_ident()})
        if self.barrier is not None and title == "AreaReport":
            self.barrier.wait()
        text = self.reply(title, system, user)
        usage = {"input_tokens": len(system + user) // 4, "output_tokens": len(text) // 4,
                 "total_tokens": (len(system + user) + len(text)) // 4}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata=usage))])


def factory(flash: ScriptedChatModel, pro: ScriptedChatModel | None = None):
    pro = pro or flash
    return lambda tier: pro if tier == "pro" else flash
