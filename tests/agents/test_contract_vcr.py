"""Contract tests: recorded Gemini HTTP replayed through the real client with recording disabled.

gemini_fake_server.yaml was recorded from the local fake Gemini server (no real key can be
used here), so it pins our client <-> REST-shape assumptions (path, headers, the JSON
schema request, the candidates/usageMetadata reply), not Google's live behaviour.
gemini_real.yaml, recorded with ``record_cassette.py --real``, is replayed too when present.
Tests needing the live API carry the ``live`` marker and skip without GEMINI_API_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import vcr
import yaml

from agents.models import GeminiModels, ModelConfig
from agents.runner import run_diagnosis

CASSETTES = Path(__file__).resolve().parent / "cassettes"


def _case():
    import sys

    sys.path.insert(0, str(CASSETTES))
    try:
        from record_cassette import CASE
    finally:
        sys.path.remove(str(CASSETTES))
    return CASE


def _cassettes() -> list[Path]:
    return [p for p in (CASSETTES / "gemini_fake_server.yaml", CASSETTES / "gemini_real.yaml") if p.exists()]


@pytest.mark.parametrize("cassette", _cassettes(), ids=lambda p: p.stem)
def test_replayed_reply_parses_into_a_diagnosis(cassette):
    config = ModelConfig(api_key="replay-key", base_url="http://127.0.0.1:9", timeout_s=5)  # port 9: nothing listens
    with vcr.use_cassette(str(cassette), record_mode="none", match_on=["method", "path"], allow_playback_repeats=False) as tape:
        result = run_diagnosis(_case(), GeminiModels(config), config, budget_s=30)
        assert tape.play_count == len(tape.data) == 2  # one worker, one synthesis: no other request was made
    d = result.diagnosis
    assert d.source == "model", d.fallback_reason
    assert d.causes and all(c.evidence for c in d.causes) and d.input_tokens > 0
    assert d.causes[0].system == "fuel and air metering"


@pytest.mark.parametrize("cassette", _cassettes(), ids=lambda p: p.stem)
def test_cassette_holds_no_key_and_the_request_shape_we_rely_on(cassette):
    text = cassette.read_text()
    data = yaml.safe_load(text)
    for interaction in data["interactions"]:
        request = interaction["request"]
        assert request["headers"].get("x-goog-api-key") in (None, ["REDACTED"])
        assert request["method"] == "POST" and request["uri"].endswith(":generateContent")
        body = __import__("json").loads(request["body"])
        assert body["generationConfig"]["responseMimeType"] == "application/json"
        assert body["generationConfig"]["responseJsonSchema"]["title"] in ("AreaReport", "DiagnosisDraft")
    assert "recorded-with-a-fake-key" not in text


@pytest.mark.live
@pytest.mark.skipif(not os.environ.get("GEMINI_API_KEY"), reason="needs GEMINI_API_KEY (a real Gemini key)")
def test_live_gemini_diagnoses_a_lean_engine():
    config = ModelConfig(api_key=os.environ["GEMINI_API_KEY"], timeout_s=60)
    result = run_diagnosis(_case(), GeminiModels(config), config, budget_s=120)
    d = result.diagnosis
    assert d.source == "model", d.fallback_reason
    assert d.causes[0].system in ("fuel and air metering", "auxiliary emission controls")
    assert d.input_tokens > 0 and d.cost_usd > 0
