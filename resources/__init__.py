"""Data shipped with the application: DBC files, DTC knowledge, themes."""

from __future__ import annotations

from pathlib import Path


def resource_path(*parts: str) -> Path:
    return Path(__file__).parent.joinpath(*parts)
