"""Which CAN adapters are there? ``can.detect_available_configs`` per interface, in parallel,
with one time limit for all, and never an exception: an interface whose driver is missing or
whose probe fails is skipped and the reason logged and returned.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import can

from drivers.can.registry import INTERFACES, load_bus_class
from drivers.errors import AdapterNotFound

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.5  # socketcand servers announce themselves every 3 s
DEFAULT_VIRTUAL_CHANNEL = "virtual0"


@dataclass(frozen=True, slots=True)
class InterfaceConfig:
    """One adapter channel that can be opened: ``CanSource(interface, channel, **extra)``."""

    interface: str
    channel: str | int | None
    label: str
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    @property
    def spec(self) -> str:
        """``interface:channel`` as the CLI's ``--can`` takes it."""
        return f"{self.interface}:{self.channel}"


@dataclass(frozen=True, slots=True)
class DiscoveryResult:
    configs: tuple[InterfaceConfig, ...]
    skipped: Mapping[str, str]  # interface -> why it was not probed or gave nothing usable
    elapsed: float


def discover(interfaces: Iterable[str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> DiscoveryResult:
    """Probe ``interfaces`` (default: all python-can knows) for at most ``timeout`` s in total.

    Never raises. The virtual interface is always in the result.
    """
    started = time.monotonic()
    names = list(INTERFACES) if interfaces is None else list(dict.fromkeys(interfaces))
    skipped: dict[str, str] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    lock = threading.Lock()

    def probe(name: str) -> None:
        try:
            load_bus_class(name)  # clear reason when the driver is missing; python-can would only say "cannot be loaded"
            configs = can.detect_available_configs(interfaces=[name], timeout=timeout)
        except AdapterNotFound as e:
            reason = str(e)
        # A probe runs vendor code: whatever it raises means "nothing usable from this one".
        except Exception as e:  # noqa: BLE001
            reason = f"probe failed: {type(e).__name__}: {e}"
        else:
            with lock:
                found[name] = [dict(c) for c in configs]
            return
        with lock:
            skipped[name] = reason

    threads = []
    for name in names:
        if name not in INTERFACES:
            skipped[name] = "unknown interface"
            continue
        # Daemon threads: a probe stuck in a driver must not keep the application from exiting.
        thread = threading.Thread(target=probe, args=(name,), name=f"can-discover-{name}", daemon=True)
        thread.start()
        threads.append((name, thread))
    deadline = started + timeout
    for name, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    configs: list[InterfaceConfig] = []
    with lock:
        for name, thread in threads:
            if name in found:
                configs.extend(_config(name, raw) for raw in found[name])
            elif name not in skipped:
                skipped[name] = f"no answer within {timeout:g} s"
        result_skipped = dict(skipped)
    for name, reason in sorted(result_skipped.items()):
        log.debug("CAN discovery skipped %s: %s", name, reason)
    if not any(c.interface == "virtual" for c in configs):
        configs.append(InterfaceConfig("virtual", DEFAULT_VIRTUAL_CHANNEL, _label("virtual", DEFAULT_VIRTUAL_CHANNEL)))
    configs.sort(key=lambda c: (c.interface == "virtual", c.interface, str(c.channel)))
    elapsed = time.monotonic() - started
    log.info("CAN discovery: %d channel(s) in %.2f s, %d interface(s) skipped", len(configs), elapsed, len(result_skipped))
    return DiscoveryResult(tuple(configs), MappingProxyType(result_skipped), elapsed)


def discover_interfaces(interfaces: Iterable[str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> list[InterfaceConfig]:
    """The channels found (virtual always among them); see :func:`discover` for the skip reasons."""
    return list(discover(interfaces, timeout).configs)


def _config(name: str, raw: dict[str, Any]) -> InterfaceConfig:
    raw.pop("interface", None)
    channel = raw.pop("channel", None)
    return InterfaceConfig(name, channel, _label(name, channel, raw), MappingProxyType(raw))


def _label(name: str, channel: object, extra: Mapping[str, Any] | None = None) -> str:
    label = f"{INTERFACES[name].label} — {channel}"
    detail = next((str(extra[k]) for k in ("label", "device_id", "serial", "serial_number", "description")
                   if extra and extra.get(k) not in (None, "")), "")
    return f"{label} ({detail})" if detail else label
