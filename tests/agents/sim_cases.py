"""Simulated-car cases (scanned over virtual CAN, driven for the checks), built once per test session."""

from __future__ import annotations

_CASES: dict[str, object] = {}


def sim_case(fault: str):
    """One Case per simulator fault ("" = healthy): scan + a 15-minute simulated drive."""
    if fault not in _CASES:
        from carvrooom_desktop.diagnosis.cases import case_from_simulator

        _CASES[fault] = case_from_simulator((fault,) if fault else ())
    return _CASES[fault]
