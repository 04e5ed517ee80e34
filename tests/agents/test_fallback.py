"""Every failure mode of the real ChatGoogleGenerativeAI falls back to the offline expert.

The real client is pointed (``base_url``) at local peers: a closed port, an unresolvable
``.invalid`` host, a socket that accepts and never answers, and a Gemini-shaped HTTP
server answering 429, 503, broken JSON or out-of-range values. Times are measured in
benchmarks/bench_fallback.py, not asserted here; the silent socket shows the budget at
work structurally: the call returns while the model is still pending.
"""

from __future__ import annotations

import threading

import pytest
from fake_gemini import DNS_FAILURE_URL, FakeGemini, SilentServer, closed_port_url

from agents.models import GeminiModels, ModelConfig
from agents.offline_expert import offline_diagnosis
from agents.runner import run_diagnosis

pytestmark = pytest.mark.timeout(60)


def _config(url: str, timeout_s: float = 3.0) -> ModelConfig:
    return ModelConfig(api_key="test-key-not-real", base_url=url, timeout_s=timeout_s, max_retries=1)


def _run(case, url: str, timeout_s: float = 3.0, budget_s: float = 5.0, on_late=None):
    config = _config(url, timeout_s)
    return run_diagnosis(case, GeminiModels(config), config, budget_s=budget_s, on_late=on_late)


def _assert_offline(result, case, reason: str):
    d = result.diagnosis
    assert d.source == "offline" and reason in d.fallback_reason, d.fallback_reason
    expected = offline_diagnosis(case).model_dump(exclude={"fallback_reason"})
    assert d.model_dump(exclude={"fallback_reason"}) == expected


def test_model_answers_through_the_real_client(lean_case):
    with FakeGemini() as server:
        result = _run(lean_case, server.url)
    d = result.diagnosis
    assert d.source == "model" and d.model == "gemini-3.5-flash" and d.input_tokens > 0 and d.cost_usd > 0
    request = server.requests[0]
    assert request["path"] == "/v1beta/models/gemini-3.5-flash:generateContent"
    assert request["body"]["generationConfig"]["responseMimeType"] == "application/json"
    assert request["headers"]["x-goog-api-key"] == "test-key-not-real"


def test_connection_refused(lean_case):
    _assert_offline(_run(lean_case, closed_port_url()), lean_case, "connection to Gemini failed")


def test_dns_failure(lean_case):
    _assert_offline(_run(lean_case, DNS_FAILURE_URL), lean_case, "does not resolve")


@pytest.mark.parametrize(("mode", "reason"), [("429", "rate limit"), ("503", "unavailable (503)"),
                                              ("invalid_json", "did not validate"), ("out_of_range", "did not validate")])
def test_bad_answers(lean_case, mode, reason):
    with FakeGemini(mode) as server:
        result = _run(lean_case, server.url)
    _assert_offline(result, lean_case, reason)
    assert len(server.requests) == 1  # max_retries=1: one attempt, no retry storm


def test_silent_socket_within_the_request_timeout(lean_case):
    with SilentServer() as server:
        result = _run(lean_case, server.url, timeout_s=1.0)
    _assert_offline(result, lean_case, "did not answer within the timeout")


def test_silent_socket_beyond_the_budget_returns_offline_while_the_model_is_pending(lean_case):
    late: list[tuple[object, str]] = []
    arrived = threading.Event()
    with SilentServer() as server:
        result = _run(lean_case, server.url, timeout_s=4.0, budget_s=0.5,
                      on_late=lambda d, why: (late.append((d, why)), arrived.set()))
        assert result.pending and result.diagnosis.source == "offline"
        assert "had not answered" in result.diagnosis.fallback_reason
        assert arrived.wait(30)
    assert late[0][0] is None and "timeout" in late[0][1]  # the model failed later: the offline answer stands


def test_a_late_model_answer_replaces_the_offline_one(lean_case):
    late: list[tuple[object, str]] = []
    arrived = threading.Event()
    with FakeGemini() as server:
        server.gate = threading.Event()
        result = _run(lean_case, server.url, timeout_s=30, budget_s=0.3,
                      on_late=lambda d, why: (late.append((d, why)), arrived.set()))
        assert result.pending and result.diagnosis.source == "offline"
        server.gate.set()
        assert arrived.wait(30)
    model_answer, reason = late[0]
    assert reason == "" and model_answer.source == "model" and model_answer.causes[0].id == "vacuum_leak"


def test_no_key_is_offline_without_any_request(lean_case):
    with pytest.raises(ValueError, match="no Gemini API key"):
        GeminiModels(ModelConfig(api_key=""))
    result = run_diagnosis(lean_case, None, no_model_reason="no Gemini API key (Settings)")
    _assert_offline(result, lean_case, "no Gemini API key")
