"""Find adapters on a worker: ELM327s on the serial ports, and CAN interface channels.

Probing opens every serial port at a few baud rates and asks every python-can interface
for its channels, which takes seconds, so it never runs on the GUI thread; results come
back as the ``found`` and ``can_found`` signals.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.session_controller import describe_error, report_unexpected
from ui.workers import TaskRunner

PROBE_TIMEOUT_S = 0.5


def find_serial_adapters(timeout: float = PROBE_TIMEOUT_S) -> list[tuple[Any, str | None]]:
    """Every serial port with the firmware line of the ELM327 that answered on it, or None."""
    from drivers.elm327 import ports  # pyserial loads when someone looks for adapters

    from drivers.errors import AdapterNotFound

    found: list[tuple[Any, str | None]] = []
    refused: list[AdapterNotFound] = []
    for port in ports.list_serial_ports():
        try:
            found.append((port, ports.probe_elm327(port.device, timeout)))
        except AdapterNotFound as e:  # one port we may not open (permissions, in use) must not end the search
            refused.append(e)
            found.append((port, None))
    if refused and not any(firmware for _port, firmware in found):
        raise refused[0]  # nothing answered and something was refused: the refusal (dialout) is the news
    return found


def find_can_channels() -> Any:
    """``drivers.can.DiscoveryResult``: the channels found and why other interfaces were skipped."""
    import drivers.can  # python-can's interface registry loads when someone looks for interfaces

    return drivers.can.discover()


class AdapterFinder(QObject):
    started = Signal()
    found = Signal(object)  # list[(SerialPortInfo, firmware | None)]
    failed = Signal(str)
    can_started = Signal()
    can_found = Signal(object)  # drivers.can.DiscoveryResult
    can_failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = TaskRunner(self, max_threads=1)
        self._running = False
        self._can_running = False

    @property
    def running(self) -> bool:
        return self._running

    def find(self) -> None:
        if self._running:
            return
        self._running = True
        self.started.emit()
        self._runner.submit(find_serial_adapters, self._on_found, self._on_error, name="find ELM327 adapters")

    def _on_found(self, found: list[tuple[Any, str | None]]) -> None:
        self._running = False
        self.found.emit(found)

    def _on_error(self, exc: BaseException) -> None:
        self._running = False
        report_unexpected(exc)
        self.failed.emit(describe_error(exc))

    def find_can(self) -> None:
        if self._can_running:
            return
        self._can_running = True
        self.can_started.emit()
        self._runner.submit(find_can_channels, self._on_can_found, self._on_can_error, name="find CAN interfaces")

    def _on_can_found(self, result: Any) -> None:
        self._can_running = False
        self.can_found.emit(result)

    def _on_can_error(self, exc: BaseException) -> None:
        self._can_running = False
        report_unexpected(exc)
        self.can_failed.emit(describe_error(exc))

    def wait(self, msecs: int = 10_000) -> bool:
        return self._runner.wait(msecs)
