"""Fixtures of the driver tests."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def virtual_channel() -> str:
    """A private python-can virtual channel: tests never see each other's frames."""
    return f"carvrooom-test-{uuid.uuid4().hex[:8]}"
