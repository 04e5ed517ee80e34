"""A vehicle system's short key (stored space-separated in a visit) and its words for people."""

from __future__ import annotations

from functools import cache

from carvrooom_desktop.domain.dtc import DtcSystem

_BY_VALUE = {s.value: s for s in DtcSystem}
# What an owner reads for each system (the report's traffic lights).
PLAIN_NAMES = {
    DtcSystem.IGNITION: "Engine (ignition)", DtcSystem.FUEL_AIR: "Engine (fuel and air)", DtcSystem.COOLING: "Cooling",
    DtcSystem.CHARGING: "Battery and charging", DtcSystem.EMISSIONS: "Exhaust and emissions", DtcSystem.CHASSIS: "Brakes and chassis",
}


@cache
def system_key(system: str | DtcSystem) -> str:
    """``"charging / electrical"`` -> ``"charging"``; an unknown system keeps its own words, spaces made ``_``."""
    found = system if isinstance(system, DtcSystem) else _BY_VALUE.get(system)
    return found.name.lower() if found is not None else str(system).replace(" ", "_")


def system_of_key(key: str) -> DtcSystem | None:
    return DtcSystem.__members__.get(key.upper())


def plain_name(system: str | DtcSystem) -> str:
    found = system if isinstance(system, DtcSystem) else _BY_VALUE.get(system) or system_of_key(system)
    if found is None:
        return str(system).replace("_", " ").capitalize()
    return PLAIN_NAMES.get(found, found.value.capitalize())


__all__ = ["PLAIN_NAMES", "plain_name", "system_key", "system_of_key"]
