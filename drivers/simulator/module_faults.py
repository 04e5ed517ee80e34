"""Faults of the simulated car's UDS modules, injectable per module.

``abs_wheel_speed_open``, ``airbag_squib_resistance_high`` and ``lost_communication_abs`` set
codes; ``busy``, ``broken_isotp``, ``odd_dids`` and ``gateway_block`` change how a module
talks (the bad-input cases). Written ``name`` or ``name:MODULE`` (``busy:HVAC``) where the
fault needs a module.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.simulator.errors import FaultError, UnknownFault


@dataclass(frozen=True, slots=True)
class ModuleFaultSpec:
    name: str
    description: str
    module: str  # the module it hits; "" = give one (busy:HVAC)
    codes: tuple[str, ...] = ()  # "C0035-13", for menus and tests


MODULE_FAULTS: dict[str, ModuleFaultSpec] = {
    s.name: s
    for s in (
        ModuleFaultSpec("abs_wheel_speed_open", "Left front wheel-speed sensor circuit open (ABS and ESC lamps on)", "ABS", ("C0035-13",)),
        ModuleFaultSpec("airbag_squib_resistance_high", "Driver airbag squib circuit resistance above threshold (airbag lamp on)", "SRS", ("B0001-1B",)),
        ModuleFaultSpec("lost_communication_abs", "The ABS module dropped off the bus for a while: cluster and body module logged U0121", "IPC", ("U0121-87",)),
        ModuleFaultSpec("busy", "The module answers every request with 'response pending' (0x78) and never finishes", ""),
        ModuleFaultSpec("broken_isotp", "The module's multi-frame replies skip a consecutive frame (ISO-TP sequence error)", ""),
        ModuleFaultSpec("odd_dids", "The module sends its serial number and name in a format no standard gives", ""),
        ModuleFaultSpec("gateway_block", "The security gateway refuses diagnostics to the modules behind it (BCM, HVAC)", "GWM"),
    )
}


@dataclass(frozen=True, slots=True)
class ModuleFault:
    name: str
    module: str

    def __str__(self) -> str:
        return f"{self.name}:{self.module}" if not MODULE_FAULTS[self.name].module else self.name


def parse_module_fault(text: str) -> ModuleFault:
    name, _, module = text.strip().partition(":")
    name, module = name.strip().lower(), module.strip().upper()
    spec = MODULE_FAULTS.get(name)
    if spec is None:
        raise UnknownFault(name, MODULE_FAULTS)
    if spec.module:
        if module and module != spec.module:
            raise FaultError(f"module fault {name!r} is in the {spec.module} module, not {module}")
        return ModuleFault(name, spec.module)
    if not module:
        raise FaultError(f"module fault {name!r} needs a module: {name}:ABS, {name}:HVAC, ...")
    return ModuleFault(name, module)
