"""A bus to scan a car's modules on: a python-can interface (``socketcan:can0``), or the simulated car.

The module scan opens its own bus connection beside the live session's: on SocketCAN and the
virtual bus several connections see the same frames. The simulated car is started here the way
``acquisition.source`` starts it for the live session (on a private virtual channel), with the
per-module faults of ``module_faults``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import can

from drivers.can import CanSource
from drivers.errors import AdapterNotFound
from drivers.simulator.can_face import SimulatedCar
from drivers.simulator.faults import parse_fault
from drivers.simulator.module_faults import parse_module_fault


@dataclass
class ModuleLink:
    """An open bus for a module scan; ``close()`` is safe to call twice."""

    bus: can.BusABC
    label: str
    _closers: list[object] = field(default_factory=list)

    def close(self) -> None:
        closers, self._closers = self._closers, []
        for closer in reversed(closers):
            if isinstance(closer, CanSource | SimulatedCar):
                closer.close()
            elif isinstance(closer, can.BusABC):
                closer.shutdown()

    def __enter__(self) -> ModuleLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_can(interface_channel: str, *, bitrate: int | None = None) -> ModuleLink:
    """``"socketcan:can0"``, ``"virtual:bench"``, ``"pcan:PCAN_USBBUS1"``: as ``scan --can`` takes it."""
    interface, _, channel = interface_channel.partition(":")
    if not interface or not channel:
        raise AdapterNotFound(f"CAN source must be INTERFACE:CHANNEL (e.g. socketcan:can0), got {interface_channel!r}")
    source = CanSource(interface, channel, bitrate=bitrate).open()
    return ModuleLink(source.bus, f"{source.info.label} {channel}", [source])


def open_simulated(*, seed: int = 0, faults: Iterable[str] = (), module_faults: Iterable[str] = (), extended: bool = False) -> ModuleLink:
    """The simulated car with its eight UDS modules on a private virtual bus; faults as their texts."""
    from drivers.obd.addressing import ELEVEN_BIT, TWENTY_NINE_BIT

    engine_faults = [parse_fault(t) for t in faults]
    parsed = [parse_module_fault(t) for t in module_faults]  # before anything starts
    channel = f"carvrooom-uds-{uuid.uuid4().hex[:8]}"
    car = SimulatedCar(channel=channel, seed=seed, faults=engine_faults, module_faults=parsed, speed=1.0,
                       addressing=TWENTY_NINE_BIT if extended else ELEVEN_BIT).start()
    try:
        bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
    except Exception:
        car.close()
        raise
    return ModuleLink(bus, "simulated car (virtual CAN, UDS modules)", [car, bus])
