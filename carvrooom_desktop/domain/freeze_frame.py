"""A snapshot of live data the ECU stored when a trouble code was set (mode 02)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FreezeFrame:
    """Values (by signal name) with their units, captured for ``dtc_code``."""

    dtc_code: str
    frame_number: int = 0
    values: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
