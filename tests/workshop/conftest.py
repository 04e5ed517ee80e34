"""Fixtures for the scheduling tests; the small hand-checked workshops are in sched_helpers.py."""

from __future__ import annotations

import pytest


@pytest.fixture
def deterministic():
    """The solver's deterministic settings (one worker, deterministic time, fixed seed)."""
    return {"deterministic": True, "random_seed": 1, "time_limit_s": 5.0}
