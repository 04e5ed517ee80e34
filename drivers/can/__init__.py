"""CAN buses over python-can: one source class, a lazy registry of every interface, discovery and
bus statistics. Importing this package imports no interface module (see registry)."""

from drivers.can.discovery import (
    DiscoveryResult,
    InterfaceConfig,
    discover,
    discover_interfaces,
)
from drivers.can.filters import CanFilter
from drivers.can.frame_bits import frame_bits, wire_time
from drivers.can.frames import frames_from_messages
from drivers.can.registry import (
    INTERFACES,
    InterfaceInfo,
    interface_info,
    load_bus_class,
)
from drivers.can.source import CanSource
from drivers.can.statistics import BusSnapshot, BusStatistics, IdStatistics

__all__ = [
    "INTERFACES",
    "BusSnapshot",
    "BusStatistics",
    "CanFilter",
    "CanSource",
    "DiscoveryResult",
    "IdStatistics",
    "InterfaceConfig",
    "InterfaceInfo",
    "discover",
    "discover_interfaces",
    "frame_bits",
    "frames_from_messages",
    "interface_info",
    "load_bus_class",
    "wire_time",
]
