"""The simulated car's UDS modules on a private virtual bus, and a tester's bus beside them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import can

from drivers.simulator.module_faults import parse_module_fault
from drivers.simulator.uds_bus import ModuleBus
from drivers.simulator.uds_car import SimulatedModules
from drivers.uds.client import Timing

VIN = "2HGFA16509H531807"
FAST = Timing(p2_s=0.3, p2_star_s=1.0, request_s=0.6)  # a module busy forever ends in 0.6 s, not 2


@contextmanager
def modules_on_bus(*faults: str, extended: bool = False) -> Iterator[tuple[SimulatedModules, can.BusABC]]:
    """The eight modules (no engine model behind the ECM: its memory is a plain module memory)."""
    channel = f"uds-test-{uuid.uuid4().hex[:8]}"
    modules = SimulatedModules(VIN, extended=extended)
    for text in faults:
        modules.inject(parse_module_fault(text))
    with ModuleBus(modules, channel=channel):
        bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        try:
            yield modules, bus
        finally:
            bus.shutdown()
