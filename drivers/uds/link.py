"""Where to scan a car's modules: a python-can interface (``socketcan:can0``), an ELM327 that takes
raw headers, or the simulated car (on virtual CAN, or behind its simulated ELM327).

The module scan opens its own bus connection beside the live session's: on SocketCAN and the
virtual bus several connections see the same frames. The simulated car is started here the way
``acquisition.source`` starts it for the live session (on a private virtual channel), with the
per-module faults of ``module_faults``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import can

from carvrooom_desktop.domain.roles import Permission, Role
from drivers.can import CanSource
from drivers.errors import AdapterNotFound
from drivers.simulator.can_face import SimulatedCar
from drivers.simulator.faults import parse_fault
from drivers.simulator.module_faults import parse_module_fault
from drivers.uds.addressing import ModuleAddress
from drivers.uds.elm_client import UdsElm327, clear_module_elm, scan_car_elm
from drivers.uds.module_scan import CarScan, ModuleReport, Progress, clear_module, scan_car


@dataclass
class ModuleLink:
    """An open bus for a module scan; ``close()`` is safe to call twice."""

    bus: can.BusABC
    label: str
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def scan(self, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> CarScan:
        return scan_car(self.bus, progress=progress, cancelled=cancelled)

    def clear(self, address: ModuleAddress, permissions: Role | AbstractSet[Permission], *, confirmed: bool) -> ModuleReport:
        return clear_module(self.bus, address, permissions, confirmed=confirmed)

    def close(self) -> None:
        closers, self._closers = self._closers, []
        for close in reversed(closers):  # the tester's side first, then the car
            close()

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
    return ModuleLink(source.bus, f"{source.info.label} {channel}", [source.close])


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
    return ModuleLink(bus, "simulated car (virtual CAN, UDS modules)", [car.close, bus.shutdown])


@dataclass
class ElmModuleLink:
    """The modules through an ELM327 (``ATSH``/``ATCRA``); ``close()`` is safe to call twice."""

    elm: UdsElm327
    label: str
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def scan(self, progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> CarScan:
        return scan_car_elm(self.elm, progress=progress, cancelled=cancelled)

    def clear(self, address: ModuleAddress, permissions: Role | AbstractSet[Permission], *, confirmed: bool) -> ModuleReport:
        return clear_module_elm(self.elm, address, permissions, confirmed=confirmed)

    def close(self) -> None:
        closers, self._closers = self._closers, []
        for close in reversed(closers):
            close()

    def __enter__(self) -> ElmModuleLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_elm(port: str) -> ElmModuleLink:
    """An ELM327/STN on a serial port, Bluetooth serial port or ``socket://host:port``."""
    elm = UdsElm327(port)
    info = elm.open()
    return ElmModuleLink(elm, f"{info.firmware} on {port} (raw headers)", [elm.close])


def open_simulated_elm(*, seed: int = 0, faults: Iterable[str] = (), module_faults: Iterable[str] = ()) -> ElmModuleLink:
    """The simulated car behind its simulated ELM327 on a pseudo-terminal (POSIX; imported when asked for)."""
    from drivers.simulator.elm_face import SimulatedElm327

    engine_faults = [parse_fault(t) for t in faults]
    parsed = [parse_module_fault(t) for t in module_faults]
    car = SimulatedElm327.on_pty(seed=seed, faults=engine_faults, module_faults=parsed)
    try:
        link = open_elm(car.port)
    except Exception:
        car.close()
        raise
    link.label = f"simulated car via ELM327 ({link.label})"
    link._closers.insert(0, car.close)
    return link


AnyModuleLink = ModuleLink | ElmModuleLink
