"""Fixtures for the agents tests (simulated-car cases: sim_cases.py)."""

from __future__ import annotations

import pytest

from agents.schema import DiagnosisInput, FindingFacts, TroubleCode


@pytest.fixture
def lean_case() -> DiagnosisInput:
    """A small hand-made case: P0171 and a critical idle-trim finding."""
    return DiagnosisInput(
        dtcs=[TroubleCode(code="P0171", kind="stored", description="System Too Lean (Bank 1)", system="fuel and air metering")],
        findings=[FindingFacts(system="fuel and air", check="fuel trim at idle", severity="CRITICAL", summary="trim +32 % at idle",
                               measured=32.0, unit="%", signal="stft_b1", t_start=120.0, t_end=153.0)],
        complaint="rough idle when cold",
    )
