"""How long until the technician sees a diagnosis when Gemini fails, per failure mode.

The real ChatGoogleGenerativeAI (our settings: timeout, max_retries=1) is pointed at local
peers (tests/agents/fake_gemini.py): a closed port, an unresolvable .invalid host, a socket
that never answers, HTTP 429/503, broken JSON, out-of-range values, and a good answer.
Medians of several runs of ``run_diagnosis`` (5 s budget). ``--baseline`` also times the
library's defaults on a refused connection once (NOTES.md: ~34 s), for the ratio.

    .venv/bin/python -m benchmarks.bench_fallback [--repeats 5] [--baseline]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "agents"))


def _case():
    from agents.schema import DiagnosisInput, FindingFacts, TroubleCode

    return DiagnosisInput(
        dtcs=[TroubleCode(code="P0171", kind="stored", description="System Too Lean (Bank 1)", system="fuel and air metering")],
        findings=[FindingFacts(system="fuel and air", check="fuel trim at idle", severity="CRITICAL", signal="stft_b1", t_start=1, t_end=9)],
    )


def _time(url: str, timeout_s: float, budget_s: float = 5.0) -> tuple[float, str, bool]:
    from agents.models import GeminiModels, ModelConfig
    from agents.runner import run_diagnosis

    config = ModelConfig(api_key="bench-key", base_url=url, timeout_s=timeout_s, max_retries=1)
    started = time.perf_counter()
    result = run_diagnosis(_case(), GeminiModels(config), config, budget_s=budget_s)
    return time.perf_counter() - started, result.diagnosis.source, result.pending


def main(repeats: int = 5, baseline: bool = False) -> dict[str, float]:
    from fake_gemini import DNS_FAILURE_URL, FakeGemini, SilentServer, closed_port_url

    from agents.offline_expert import offline_diagnosis

    import subprocess

    code = "import time; t=time.perf_counter(); import langgraph.graph, langchain_google_genai; print(time.perf_counter()-t)"
    import_s = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    started = time.perf_counter()
    for _ in range(100):
        offline_diagnosis(_case())
    offline_ms = (time.perf_counter() - started) * 10
    with FakeGemini() as warm:
        _time(warm.url, 5.0)

    results: dict[str, tuple[float, str, bool]] = {}

    def measure(name: str, url: str, timeout_s: float = 20.0) -> None:
        runs = [_time(url, timeout_s) for _ in range(repeats)]
        results[name] = (statistics.median(r[0] for r in runs), runs[-1][1], runs[-1][2])

    measure("connection refused", closed_port_url())
    measure("DNS failure (.invalid)", DNS_FAILURE_URL)
    for mode, name in (("429", "HTTP 429 rate limit"), ("503", "HTTP 503 unavailable"), ("invalid_json", "invalid JSON"),
                       ("out_of_range", "out-of-range values"), ("expert", "model answers (no failure)")):
        with FakeGemini(mode) as server:
            measure(name, server.url)
    with SilentServer() as silent:
        measure("silent socket, request timeout 3 s", silent.url, timeout_s=3.0)
        measure("silent socket, request timeout 20 s", silent.url, timeout_s=20.0)

    print(f"\nFallback to the offline expert (median of {repeats}; budget 5 s; first run also imports LangGraph+Gemini: {import_s:.2f} s;"
          f" offline expert alone: {offline_ms:.2f} ms)")
    for name, (median_s, source, pending) in results.items():
        note = " (model still pending: replaced if it answers)" if pending else ""
        print(f"  {name:<38} {median_s:7.2f} s   -> {source}{note}")
    if baseline:
        from langchain_google_genai import ChatGoogleGenerativeAI

        model = ChatGoogleGenerativeAI(model="gemini-3.5-flash", google_api_key="bench-key", base_url=closed_port_url())
        started = time.perf_counter()
        try:
            model.invoke("hello")
        except Exception as e:  # expected: the defaults retry before they give up
            kind = type(e).__name__
        base_s = time.perf_counter() - started
        ours = results["connection refused"][0]
        print(f"  library defaults, connection refused   {base_s:7.2f} s   ({kind}); ours is {base_s / ours:,.0f}x faster")
    return {name: r[0] for name, r in results.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", action="store_true", help="also time the library's defaults once (~35 s)")
    args = parser.parse_args()
    main(args.repeats, args.baseline)
