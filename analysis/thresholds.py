"""The limits the health checks compare against, loaded from ``resources/health/thresholds.json``.

Limits are data, not code: each has a value, a unit and the source it comes from, so every
finding can say why its threshold is what it is, and a workshop can override a number with
the car maker's own specification without touching the checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "resources" / "health" / "thresholds.json"


@dataclass(frozen=True, slots=True)
class Threshold:
    name: str
    value: float | list[list[float]]  # a number, or a [[x, y], ...] table (see table())
    unit: str
    source: str
    note: str = ""


class Thresholds:
    """Named limits. ``limits["fuel.trim_warning_pct"]`` -> value; :meth:`source` -> citation."""

    def __init__(self, entries: dict[str, Threshold]) -> None:
        self._entries = dict(entries)

    @classmethod
    def from_json(cls, path: str | Path) -> Thresholds:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = {
            name: Threshold(name, e["value"], e.get("unit", ""), e.get("source", ""), e.get("note", ""))
            for name, e in raw["thresholds"].items()
        }
        return cls(entries)

    def overridden(self, **values: float) -> Thresholds:
        """A copy with some values replaced (keys use ``__`` for ``.``), e.g. ``fuel__trim_watch_pct=8``."""
        entries = dict(self._entries)
        for key, value in values.items():
            name = key.replace("__", ".")
            old = entries[name]
            entries[name] = Threshold(name, value, old.unit, f"override of: {old.source}", old.note)
        return Thresholds(entries)

    def __getitem__(self, name: str) -> float:
        value = self._entries[name].value
        # A table comes back as its list (battery.py hands it to numpy); every other name is a number.
        return cast(float, value) if isinstance(value, list) else float(value)

    def entry(self, name: str) -> Threshold:
        return self._entries[name]

    def source(self, name: str) -> str:
        return self._entries[name].source

    def names(self) -> list[str]:
        return list(self._entries)

    def table(self, name: str, x: float) -> float:
        """Linear interpolation in a ``[[x, y], ...]`` table entry, clamped at its ends."""
        pts = np.asarray(self._entries[name].value, dtype=float)
        return float(np.interp(x, pts[:, 0], pts[:, 1]))


@lru_cache(maxsize=4)
def _load(path: str) -> Thresholds:
    return Thresholds.from_json(path)


def default_thresholds() -> Thresholds:
    """The limits shipped with the application."""
    return _load(str(DEFAULT_PATH))
