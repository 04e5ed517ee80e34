"""What the technician connected to, and opening it: the simulated car, a CAN interface or an ELM327."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import can

from carvrooom_desktop.acquisition.live_source import SIMULATED_KINDS, SourceControls
from carvrooom_desktop.acquisition.signal_databases import SourceDatabase
from drivers.can import CanSource, interface_info
from drivers.elm327.client import Elm327Client
from drivers.elm327.python_obd import PythonObdClient
from drivers.errors import AdapterNotFound, DriverError, UnsupportedProtocol
from drivers.obd.client import ObdClient
from drivers.simulator.can_face import SimulatedCar
from drivers.simulator.faults import parse_fault

if TYPE_CHECKING:
    from drivers.simulator.elm_face import SimulatedElm327


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """``kind``: "sim" (the simulated car on virtual CAN), "sim-elm" (the simulated car behind a
    simulated ELM327 on a pseudo-terminal), "can" (``channel`` = "interface:channel") or "elm"
    (``channel`` = serial port, Bluetooth serial port or ``socket://host:port``)."""

    kind: str = "sim"
    faults: tuple[str, ...] = ()
    seed: int = 0
    speed: float | None = 1.0
    channel: str = ""
    bitrate: int | None = None
    data_bitrate: int | None = None  # "can": CAN FD with this data-phase bit rate (BRS); None = classic CAN

    @property
    def label(self) -> str:
        if self.kind in SIMULATED_KINDS:
            faults = ", ".join(self.faults) or "healthy"
            via = " via ELM327" if self.kind == "sim-elm" else ""
            return f"Simulated car{via} (seed {self.seed}, {faults})"
        return f"{'ELM327' if self.kind == 'elm' else 'CAN'} {self.channel}"


@dataclass
class OpenSource:
    """A CAN bus to talk on (the session builds the OBD client on it) or a ready OBD client
    (ELM327), the self-test lines for the technician, and what the source itself offers:
    its own clock (``epoch``: the simulated car stamps frames with its simulation time), its
    own signal database (the simulator's DBC) and its controls (ignition, faults)."""

    adapter: str
    bus: can.BusABC | None = None
    client: ObdClient | None = None
    details: tuple[str, ...] = ()
    car: SimulatedCar | SimulatedElm327 | None = None  # closed with the source; read it through the fields below
    can_source: CanSource | None = None
    kind: str = ""  # the SourceSpec kind it was opened from ("sim", "sim-elm", "can", "elm")
    epoch: float | None = None  # the source's time origin when it has its own clock
    signal_database: SourceDatabase | None = None  # the database the source itself brings (the simulator's DBC)
    controls: SourceControls | None = None

    def close(self) -> None:
        try:
            if self.can_source is not None:
                self.can_source.close()
            elif self.bus is not None:
                self.bus.shutdown()
            if isinstance(self.client, Elm327Client | PythonObdClient):
                self.client.close()
        finally:
            if self.car is not None:
                self.car.close()


def open_source(spec: SourceSpec) -> OpenSource:
    """Raises UnknownFault/ValueError for a bad fault, AdapterNotFound for a bus that will not open."""
    if spec.kind == "sim":
        faults = [parse_fault(text) for text in spec.faults]  # before anything is started
        channel = f"carvrooom-sim-{uuid.uuid4().hex[:8]}"  # private: parallel sessions never cross
        car = SimulatedCar(channel=channel, seed=spec.seed, faults=faults, speed=spec.speed).start()
        try:
            bus = can.Bus(interface="virtual", channel=channel, receive_own_messages=False)
        except Exception:
            car.close()
            raise
        from drivers.simulator.broadcast import SIM_DBC, load_sim_dbc
        from resources import resource_path

        return OpenSource(adapter="simulated car (virtual CAN, ISO 15765-4 11-bit)", bus=bus, car=car,
                          details=("python-can virtual bus", "ISO 15765-4, 11-bit ids, 500 kbit/s nominal"),
                          kind=spec.kind, epoch=car.epoch, signal_database=SourceDatabase(load_sim_dbc(), resource_path(*SIM_DBC)), controls=car)
    if spec.kind == "sim-elm":
        from drivers.simulator.elm_face import SimulatedElm327  # its pty face is POSIX-only: loaded when asked for

        elm = SimulatedElm327.on_pty(seed=spec.seed, faults=[parse_fault(text) for text in spec.faults], speed=spec.speed)
        try:
            opened = _open_elm(elm.port)
        except Exception:
            elm.close()
            raise
        opened.car = elm
        opened.kind, opened.controls = spec.kind, elm
        return opened
    if spec.kind == "elm":
        return _open_elm(spec.channel)
    if spec.kind == "can":
        interface, _, channel = spec.channel.partition(":")
        if not interface or not channel:
            raise AdapterNotFound(f"CAN source must be INTERFACE:CHANNEL (e.g. socketcan:can0), got {spec.channel!r}")
        fd: dict[str, Any] = {"fd": True, "data_bitrate": spec.data_bitrate} if spec.data_bitrate else {}
        source = CanSource(interface, channel, bitrate=spec.bitrate, **fd).open()  # typed errors, install hints
        info = interface_info(interface)
        bitrate = f"{spec.bitrate // 1000} kbit/s" if spec.bitrate else "bitrate as configured"
        if spec.data_bitrate:
            bitrate += f", CAN FD data phase {spec.data_bitrate // 1000} kbit/s"
        return OpenSource(adapter=f"{info.label} {channel}", bus=source.bus, can_source=source,
                          details=(f"python-can {interface} ({info.label})", bitrate, "OBD-II over ISO 15765-4, 11-bit ids"))
    raise AdapterNotFound(f"unknown source kind {spec.kind!r}")


def _open_elm(port: str) -> OpenSource:
    client = Elm327Client(port)
    try:
        info = client.open()
    except UnsupportedProtocol as e:
        # Pre-CAN cars (K-line, J1850): python-OBD speaks their protocol; our services still decode.
        legacy = PythonObdClient(port)
        protocol = legacy.open()
        return OpenSource(adapter=f"ELM327 on {port} (python-OBD)", client=legacy,
                          details=(str(e), f"protocol {protocol} through python-OBD", "one PID per request"))
    details = (
        f"{info.firmware} on {info.port}" + (f" at {info.baudrate} baud" if info.baudrate else ""),
        "likely a clone: " + "; ".join(info.clone_reasons) if info.likely_clone else "genuine firmware",
        f"protocol {info.protocol}",
        f"battery {info.voltage:.1f} V" if info.voltage is not None else "battery voltage unknown",
        "settings: " + ", ".join(info.settings),
        _measured_rate(client),
    )
    return OpenSource(adapter=f"{info.firmware} on {port}", client=client, details=details)


SELF_TEST_PIDS = [0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0B]  # rpm, speed, coolant, load, throttle, MAP: what live data polls first
SELF_TEST_SECONDS = 0.25  # a few requests: enough for the figure, short enough not to delay the scan noticeably


def _measured_rate(client: Elm327Client) -> str:
    """The self-test's measured figure: PID values per second this adapter and car deliver, as polled live."""
    try:
        # Only PIDs the car has (cached; the scan needs them anyway): an unsupported one in a
        # multi-PID request could make the client fall back to smaller requests for good.
        pids = [pid for pid in SELF_TEST_PIDS if pid in client.supported_pids()]
        if not pids:
            return "live rate not measured: the car supports none of the common live PIDs"
        rate = client.measure_pids_per_second(pids, SELF_TEST_SECONDS)
    except DriverError as e:
        return f"live rate not measured: {e}"
    return f"measured {rate:.0f} PIDs/s ({client.pids_per_request} PIDs per request)"
