"""COVESA VSS names in a payload -> the project's signals, in the project's units (the map is data:
``resources/telematics/vss_signals.json``).

A payload's signal is a number (in the map's VSS unit) or ``{"value": v, "unit": u}``; another
unit is converted when the map knows how, refused otherwise. Each refusal names the VSS name and
why, and the rest of the message still counts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from resources import resource_path

Value = float | list[str] | bool


@dataclass(frozen=True, slots=True)
class VssSignal:
    name: str
    signal: str
    unit: str
    project_unit: str
    kind: str = "number"  # number | codes | flag
    odometer: str = ""  # obd | gps | ""


@dataclass(frozen=True, slots=True)
class VssMap:
    signals: dict[str, VssSignal]
    conversions: dict[str, dict[str, tuple[float, float]]]

    def vss_name(self, project_signal: str) -> str | None:
        """The first VSS name for a project signal (what a publisher sends)."""
        return next((n for n, s in self.signals.items() if s.signal == project_signal), None)


@cache
def default_map() -> VssMap:
    with resource_path("telematics", "vss_signals.json").open(encoding="utf-8") as f:
        doc = json.load(f)
    signals = {name: VssSignal(name, e["signal"], e.get("unit", ""), e.get("project_unit", ""), e.get("kind", "number"), e.get("odometer", ""))
               for name, e in doc["signals"].items()}
    conversions = {src: {dst: (float(k[0]), float(k[1])) for dst, k in targets.items()} for src, targets in doc["conversions"].items()}
    return VssMap(signals, conversions)


@dataclass
class Mapped:
    values: dict[str, Value]
    problems: list[tuple[str, str]]  # (reason, detail)


def map_signals(raw: Any, vss: VssMap | None = None) -> Mapped:
    """The payload's ``signals`` object mapped; unknown names and bad values listed with their reason."""
    vss = vss or default_map()
    out = Mapped({}, [])
    if not isinstance(raw, dict):
        out.problems.append(("bad_payload", "'signals' must be an object of VSS name -> value"))
        return out
    for name, item in raw.items():
        spec = vss.signals.get(name)
        if spec is None:
            out.problems.append(("unknown_vss", f"{name} is not a VSS name this workshop maps"))
            continue
        value, unit = (item.get("value"), item.get("unit")) if isinstance(item, dict) else (item, None)
        if spec.kind == "codes":
            if isinstance(value, list) and all(isinstance(c, str) for c in value):
                out.values[spec.signal] = [c.strip().upper() for c in value]
            else:
                out.problems.append(("bad_value", f"{name} must be a list of trouble codes"))
            continue
        if spec.kind == "flag":
            if isinstance(value, bool):
                out.values[spec.signal] = value
            else:
                out.problems.append(("bad_value", f"{name} must be true or false"))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            out.problems.append(("bad_value", f"{name} must be a finite number, got {value!r}"))
            continue
        number = float(value)
        if unit not in (None, "", spec.unit):
            factor = vss.conversions.get(str(unit), {}).get(spec.unit)
            if factor is None:
                out.problems.append(("bad_unit", f"{name} in {unit!r}: only {spec.unit!r} (or a unit convertible to it)"))
                continue
            number = number * factor[0] + factor[1]
        out.values[spec.signal] = number
    return out


__all__ = ["Mapped", "Value", "VssMap", "VssSignal", "default_map", "map_signals"]
