"""A vehicle system's short key (stored space-separated in a visit) and its words for people."""

from __future__ import annotations

from functools import cache

from carvrooom_desktop.domain.dtc import DtcSystem

_BY_VALUE = {s.value: s for s in DtcSystem}
# The systems every fleet visit looks at (the seeded fleet's checks, the owner report's traffic lights).
CHECKED_SYSTEMS = (DtcSystem.IGNITION, DtcSystem.FUEL_AIR, DtcSystem.COOLING, DtcSystem.CHARGING, DtcSystem.EMISSIONS, DtcSystem.CHASSIS)
# What an owner reads for each system (the report's traffic lights).
PLAIN_NAMES = {
    DtcSystem.IGNITION: "Engine (ignition)", DtcSystem.FUEL_AIR: "Engine (fuel and air)", DtcSystem.COOLING: "Cooling",
    DtcSystem.CHARGING: "Battery and charging", DtcSystem.EMISSIONS: "Exhaust and emissions", DtcSystem.CHASSIS: "Brakes and chassis",
}


# The health checks' own system names (analysis/checks) -> the system a visit files them under.
CHECK_SYSTEMS = {"ignition": DtcSystem.IGNITION, "fuel and air": DtcSystem.FUEL_AIR, "O2 sensors": DtcSystem.EMISSIONS,
                 "catalyst": DtcSystem.EMISSIONS, "cooling": DtcSystem.COOLING, "battery": DtcSystem.CHARGING,
                 "charging": DtcSystem.CHARGING, "brakes": DtcSystem.CHASSIS}


@cache
def system_key(system: str | DtcSystem) -> str:
    """``"charging / electrical"`` (or the checks' ``"battery"``) -> ``"charging"``; an unknown system keeps its words."""
    found = system if isinstance(system, DtcSystem) else _BY_VALUE.get(system) or CHECK_SYSTEMS.get(system)
    return found.name.lower() if found is not None else str(system).replace(" ", "_")


def system_of_key(key: str) -> DtcSystem | None:
    return DtcSystem.__members__.get(key.upper())


def plain_name(system: str | DtcSystem) -> str:
    found = system if isinstance(system, DtcSystem) else _BY_VALUE.get(system) or CHECK_SYSTEMS.get(system) or system_of_key(system)
    if found is None:
        return str(system).replace("_", " ").capitalize()
    return PLAIN_NAMES.get(found, found.value.capitalize())


__all__ = ["CHECKED_SYSTEMS", "CHECK_SYSTEMS", "PLAIN_NAMES", "plain_name", "system_key", "system_of_key"]
