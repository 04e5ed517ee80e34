"""Every CAN interface python-can knows, by name, imported only when it is used.

The names and ``(module, class)`` pairs are python-can's own ``can.interfaces.BACKENDS``
(plug-ins registered through the ``can.interface`` entry point included), so a new
python-can release brings its new interfaces with it. This module adds what the
adapter picker needs: a label the technician recognises, whether a bitrate must be
chosen, and what to install when the driver is missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from can.interfaces import BACKENDS

from drivers.errors import AdapterNotFound

if TYPE_CHECKING:
    from collections.abc import Mapping

    import can


@dataclass(frozen=True, slots=True)
class InterfaceInfo:
    """One python-can interface: ``name`` as given to ``can.Bus(interface=...)``."""

    name: str
    module: str
    class_name: str
    label: str
    needs_bitrate: bool
    requirement: str  # what to install or set up when it cannot be loaded or opened


# name -> (label, needs_bitrate, requirement). Interfaces python-can adds later fall back to a generic entry.
_KNOWN: dict[str, tuple[str, bool, str]] = {
    "socketcan": ("SocketCAN (Linux)", False,
                  ("Linux with SocketCAN (can/vcan kernel modules); set the bitrate with "
                   "`ip link set can0 up type can bitrate 500000`")),
    "pcan": ("PEAK-System PCAN", True,
             ("the PEAK PCAN-Basic driver/library (PCANBasic.dll, libpcanbasic.so or PCBUSB on macOS); "
              "optional: pip install python-can[pcan]")),
    "kvaser": ("Kvaser CANlib", True, "the Kvaser drivers and CANlib SDK (canlib32.dll / libcanlib.so)"),
    "vector": ("Vector (XL Driver Library)", True, "the Vector XL Driver Library (vxlapi64.dll), Windows only"),
    "slcan": ("SLCAN / LAWICEL serial (CANable, USBtin, ...)", True, "pip install pyserial, and the adapter's serial port"),
    "gs_usb": ("gs_usb / candleLight (CANable, CANtact, ...)", True, "pip install python-can[gs-usb] (gs_usb, pyusb) and libusb"),
    "virtual": ("Virtual bus (in-process, for tests and the simulator)", False, "nothing: part of python-can"),
    "ixxat": ("HMS IXXAT", True, "the IXXAT VCI driver (vcinpl.dll / libvcinpl.so)"),
    "neovi": ("Intrepid neoVI / ValueCAN", True, "pip install python-can[neovi] (python-ics) and the Intrepid drivers"),
    "nican": ("National Instruments NI-CAN", True, "the NI-CAN driver (nican.dll), Windows only"),
    "nixnet": ("National Instruments NI-XNET", True, "pip install python-can[nixnet] (nixnet) and the NI-XNET driver"),
    "canalystii": ("CANalyst-II", True, "pip install python-can[canalystii] (canalystii)"),
    "cantact": ("CANtact", True, "pip install python-can[cantact] (cantact)"),
    "seeedstudio": ("Seeed Studio USB-CAN Analyzer", True, "pip install python-can[seeedstudio] (pyserial)"),
    "serial": ("Serial CAN bridge (python-can serial protocol)", False, "pip install python-can[serial] (pyserial)"),
    "systec": ("SYS TEC USB-CANmodul", True, "the SYS TEC USB-CANmodul driver (usbcan64.dll), Windows only"),
    "udp_multicast": ("UDP multicast (network bus between processes)", False, "pip install python-can[multicast] (msgpack)"),
    "usb2can": ("8devices USB2CAN", True, "the 8devices USB2CAN driver (usb2can.dll), Windows only"),
    "etas": ("ETAS (BOA)", True, "the ETAS BOA driver (Basic Open API)"),
    "robotell": ("Robotell USB-CAN", True, "pip install pyserial, and the adapter's serial port"),
    "iscan": ("isCAN", True, "the isCAN driver (iscandrv.dll), Windows only"),
    "neousys": ("Neousys", True, "the Neousys WDT_DIO driver (wdt_dio.dll / libwdt_dio.so)"),
    "socketcand": ("socketcand (CAN over TCP/IP)", False, "a socketcand server on the network"),
}


def _build() -> Mapping[str, InterfaceInfo]:
    entries: dict[str, InterfaceInfo] = {}
    for name, (module, class_name) in sorted(BACKENDS.items()):
        label, needs_bitrate, requirement = _KNOWN.get(
            name, (name, True, f"the driver of the python-can plug-in '{name}' ({module})"))
        entries[name] = InterfaceInfo(name, module, class_name, label, needs_bitrate, requirement)
    return MappingProxyType(entries)


INTERFACES: Mapping[str, InterfaceInfo] = _build()
"""All python-can interfaces by name, sorted by name. Nothing here is imported yet."""


def interface_info(name: str) -> InterfaceInfo:
    """The registry entry for ``name``; AdapterNotFound when python-can has no such interface."""
    try:
        return INTERFACES[name]
    except KeyError:
        raise AdapterNotFound(
            f"unknown CAN interface {name!r}; python-can knows: {', '.join(INTERFACES)}") from None


def load_bus_class(name: str) -> type[can.BusABC]:
    """Import the bus class of ``name`` now; AdapterNotFound naming what to install when that fails."""
    info = interface_info(name)
    try:
        module = importlib.import_module(info.module)
        bus_class: type[can.BusABC] = getattr(module, info.class_name)
        return bus_class
    # Interface modules fail to import in many ways (ImportError, OSError from a missing shared
    # library, AttributeError from a half-loaded vendor binding): all mean "driver not usable here".
    except Exception as e:
        raise AdapterNotFound(
            f"{info.label} ({name}) cannot be loaded: {e}. Install {info.requirement}") from e
