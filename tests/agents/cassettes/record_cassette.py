"""Record the Gemini contract cassette used by tests/agents/test_contract_vcr.py.

Default (what is committed): the real ChatGoogleGenerativeAI talks to the local fake
Gemini server (tests/agents/fake_gemini.py); vcrpy records the HTTP exchange. This proves
the client <-> REST shape as we understand it, not Google's live behaviour.

With a real key (costs a few cents, needs the network):
    GEMINI_API_KEY=... .venv/bin/python tests/agents/cassettes/record_cassette.py --real
records against Google's endpoint into gemini_real.yaml; the contract test replays that
file too when it exists. The key header is replaced by "REDACTED" before anything is
written; check the file with `grep -i key` before committing it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[2])]

import vcr  # noqa: E402

from agents.models import GeminiModels, ModelConfig  # noqa: E402
from agents.runner import run_diagnosis  # noqa: E402
from agents.schema import DiagnosisInput, FindingFacts, TroubleCode  # noqa: E402

CASE = DiagnosisInput(
    dtcs=[TroubleCode(code="P0171", kind="stored", description="System Too Lean (Bank 1)", system="fuel and air metering")],
    findings=[FindingFacts(system="fuel and air", check="fuel trim at idle", severity="CRITICAL", summary="trim +32 % at idle",
                           measured=32.0, unit="%", signal="stft_b1", t_start=120.0, t_end=153.0)],
)
FILTERS = dict(filter_headers=[("x-goog-api-key", "REDACTED"), ("authorization", "REDACTED")],
               filter_query_parameters=[("key", "REDACTED")])


def record(path: Path, config: ModelConfig) -> None:
    path.unlink(missing_ok=True)
    with vcr.use_cassette(str(path), record_mode="all", **FILTERS):
        result = run_diagnosis(CASE, GeminiModels(config), config, budget_s=120)
    print(f"{path.name}: {result.diagnosis.source} {result.diagnosis.model} {result.diagnosis.fallback_reason}")
    assert result.diagnosis.source == "model", "the model did not answer; nothing useful recorded"
    assert config.api_key not in path.read_text(), "the key leaked into the cassette"


def main() -> None:
    if "--real" in sys.argv:
        key = os.environ.get("GEMINI_API_KEY", "")
        if not key:
            sys.exit("set GEMINI_API_KEY to record against the real Gemini API")
        record(HERE / "gemini_real.yaml", ModelConfig(api_key=key, timeout_s=60))
        return
    from fake_gemini import FakeGemini

    with FakeGemini() as server:
        record(HERE / "gemini_fake_server.yaml", ModelConfig(api_key="recorded-with-a-fake-key", base_url=server.url))


if __name__ == "__main__":
    main()
