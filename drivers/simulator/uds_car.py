"""The simulated car's control modules: who sits where, what they say about themselves, their faults.

Eight modules by default (engine, transmission, ABS, airbag, body, cluster, climate, gateway),
on 11-bit ids from ``resources/uds/addresses.json`` or on 29-bit normal fixed addressing.
The engine module's codes are the engine model's own (``EngineMemory``): what the OBD-II scan
reads, UDS reads too, and a UDS clear clears both.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable

from drivers.simulator.ecu import EcuMemory
from drivers.simulator.errors import FaultError
from drivers.simulator.module_faults import ModuleFault
from drivers.simulator.uds_module import (
    ACTIVE,
    HISTORIC,
    WARNING_LAMP,
    EngineMemory,
    ModuleMemory,
    SimulatedModule,
    StoredDtc,
    uds_dtc,
)
from drivers.uds.addressing import ModuleAddress, known_modules

# short -> (part number F187, software F188/F189 version, hardware F191, supplier name F18A, behind the gateway)
_MODULES: dict[str, tuple[str, str, str, str, bool]] = {
    "ECM": ("CV1A-12A650-AB", "CV1A-14C204-AF", "CV1A-12B684-AA", "Continental", False),
    "TCM": ("CV1A-7Z369-BC", "CV1A-14C337-AD", "CV1A-7Z370-AA", "Aisin", False),
    "ABS": ("CV1A-2C405-AD", "CV1A-14C036-AH", "CV1A-2C219-AB", "Bosch", False),
    "SRS": ("CV1A-14B321-AE", "CV1A-14C028-AC", "CV1A-14B056-AA", "Autoliv", False),
    "BCM": ("CV1A-15604-BD", "CV1A-14C184-BG", "CV1A-15K600-AA", "Lear", True),
    "IPC": ("CV1A-10849-AJ", "CV1A-14C026-AJ", "CV1A-10D898-AB", "Visteon", False),
    "HVAC": ("CV1A-18C612-AC", "CV1A-14C089-AB", "CV1A-19980-AA", "Valeo", True),
    "GWM": ("CV1A-14F642-AB", "CV1A-14C573-AE", "CV1A-14F671-AA", "Bosch", False),
}
DEFAULT_MODULES = tuple(_MODULES)
# 29-bit normal fixed addressing: the module's own address byte
EXTENDED_TARGETS = {"ECM": 0x10, "TCM": 0x18, "ABS": 0x28, "SRS": 0x58, "BCM": 0x40, "IPC": 0x60, "HVAC": 0x68, "GWM": 0xA0}
ECU_SERIAL_PREFIX = "CVS"


def _ascii(text: str) -> bytes:
    return text.encode("ascii")


def snapshot_of(odometer_km: float, battery_v: float, speed_kmh: float) -> dict[int, bytes]:
    """Record 01 of a snapshot: odometer, battery voltage, vehicle speed (DIDs of resources/uds/snapshot_dids.json)."""
    return {
        0xDD00: int(odometer_km).to_bytes(3, "big"),
        0xDD01: bytes((min(255, int(round(battery_v * 10))),)),
        0xDD02: bytes((min(255, int(speed_kmh)),)),
    }


class SimulatedModules:
    """The car's UDS modules by short name, with their addresses and the per-module faults."""

    def __init__(self, vin: str, *, engine: EcuMemory | None = None, lock: threading.Lock | None = None,
                 extended: bool = False, modules: Iterable[str] = DEFAULT_MODULES, odometer_km: float = 84_230.0) -> None:
        self.lock = lock or threading.Lock()
        self.extended = extended
        self.odometer_km = odometer_km
        names = {k.short: k for k in known_modules() if not k.address.extended}
        self.modules: dict[str, SimulatedModule] = {}
        self.addresses: dict[str, ModuleAddress] = {}
        for i, short in enumerate(modules):
            part, software, hardware, supplier, behind = _MODULES[short]
            dids = {
                0xF190: _ascii(vin), 0xF187: _ascii(part), 0xF188: _ascii(software), 0xF189: _ascii(software[-2:] + ".01"),
                0xF191: _ascii(hardware), 0xF18A: _ascii(supplier), 0xF18C: _ascii(f"{ECU_SERIAL_PREFIX}{i:02d}{zlib.crc32(vin.encode()) % 10**8:08d}"),
                0xF197: _ascii(names[short].name if short in names else short),
            }
            if short == "ECM" and engine is not None:
                memory: EngineMemory | ModuleMemory = EngineMemory(engine, self._snapshot)
            else:
                memory = ModuleMemory()
            self.modules[short] = SimulatedModule(short, names[short].name if short in names else short, dids, memory, behind_gateway=behind)
            self.addresses[short] = ModuleAddress.normal_fixed(EXTENDED_TARGETS[short]) if extended else names[short].address
        self.faults: list[ModuleFault] = []

    def _snapshot(self) -> dict[int, bytes]:
        return snapshot_of(self.odometer_km, 12.4, 0.0)

    def by_request_id(self) -> dict[int, SimulatedModule]:
        return {self.addresses[s].request_id: m for s, m in self.modules.items()}

    def response_id(self, module: SimulatedModule) -> int:
        return self.addresses[module.short].response_id

    def inject(self, fault: ModuleFault) -> None:
        if fault.module not in self.modules:
            raise FaultError(f"the simulated car has no {fault.module} module; it has {', '.join(self.modules)}")
        module = self.modules[fault.module]
        snap = snapshot_of(self.odometer_km, 12.1, 46.0)
        with self.lock:
            if fault.name == "abs_wheel_speed_open":
                self._store(module, StoredDtc(uds_dtc("C0035", 0x13), ACTIVE | WARNING_LAMP, snap, occurrences=3))
            elif fault.name == "airbag_squib_resistance_high":
                self._store(module, StoredDtc(uds_dtc("B0001", 0x1B), ACTIVE | WARNING_LAMP, snap, occurrences=1))
            elif fault.name == "lost_communication_abs":
                for short in ("IPC", "BCM"):
                    if short in self.modules:
                        self._store(self.modules[short], StoredDtc(uds_dtc("U0121", 0x87), HISTORIC, snap, occurrences=2, aging=5))
            elif fault.name == "busy":
                module.behaviour.busy_forever = True
            elif fault.name == "broken_isotp":
                module.behaviour.broken_isotp = True
            elif fault.name == "odd_dids":
                module.behaviour.odd_dids = True
            elif fault.name == "gateway_block":
                for other in self.modules.values():
                    other.behaviour.blocked = other.behind_gateway or other.behaviour.blocked
            self.faults.append(fault)

    @staticmethod
    def _store(module: SimulatedModule, dtc: StoredDtc) -> None:
        if not isinstance(module.memory, ModuleMemory):
            raise FaultError(f"{module.short} keeps its codes in the engine model; inject an engine fault instead")
        module.memory.store(dtc)
