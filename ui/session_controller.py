"""The GUI side of one live session: connect, rescan, clear codes, record and disconnect on a worker thread.

The controller owns the ``LiveSession`` (built by a factory the composition root
supplies), runs every blocking call through a :class:`~ui.workers.TaskRunner` with one
thread, so session calls happen in the order they were asked for, and reports outcomes
as Qt signals. It knows no widgets; the workbench wires it to pages.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from carvrooom_desktop.acquisition.live_source import SIMULATED_KINDS, BenchSession
from carvrooom_desktop.domain.progress import Cancelled
from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.errors import CarVrooomError, PermissionDenied
from drivers.errors import DriverError
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from carvrooom_desktop.acquisition.scan import ScanReport

log = logging.getLogger(__name__)

# Failures a user can act on are the project's own types (adapter and file: DriverError; store,
# settings, a request to correct: CarVrooomError): shown as a message on the page. Cancelled is an
# outcome the user asked for. Anything else, a bare ValueError or OSError included, is a bug: it
# also goes to the global error handler, so a boundary that forgot to wrap one gets noticed.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (CarVrooomError, DriverError, Cancelled)


@dataclass(frozen=True)
class ConnectRequest:
    """What the Connect page asks for; the composition root turns it into a SourceSpec."""

    kind: str = "sim"  # "sim", "sim-elm", "elm" or "can" (SourceSpec.kind)
    faults: tuple[str, ...] = ()  # simulated kinds only
    seed: int = 0
    channel: str = ""  # "elm": serial port or socket://host:port; "can": "interface:channel"
    bitrate: int | None = None  # "can" only; None keeps the interface's own setting
    data_bitrate: int | None = None  # "can" only: CAN FD with this data-phase bit rate; None = classic CAN

    @property
    def simulated(self) -> bool:
        return self.kind in SIMULATED_KINDS


SessionFactory = Callable[[ConnectRequest], BenchSession]


def describe_error(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, EXPECTED_ERRORS) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _role(name: str) -> Role:
    """The workstation's role from its settings name; an unknown name may do nothing."""
    try:
        return Role(name)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise PermissionDenied(f"the workstation role {name!r} is not a known role ({known})") from None


def report_unexpected(exc: BaseException) -> None:
    """A bug (not an adapter or store problem) also goes to the global error handler."""
    if not isinstance(exc, EXPECTED_ERRORS):
        sys.excepthook(type(exc), exc, exc.__traceback__)


class SessionController(QObject):
    connecting = Signal()
    connected = Signal(object)  # ScanReport
    connect_failed = Signal(str)
    disconnected = Signal()
    scan_started = Signal()
    scan_ready = Signal(object)  # ScanReport
    scan_failed = Signal(str)
    recording_changed = Signal(bool)  # True while recording
    recording_stopped = Signal(object)  # Recording | None
    recording_failed = Signal(str)
    clear_started = Signal()
    codes_cleared = Signal(object)  # ScanReport read after the clear
    clear_failed = Signal(str)
    ignition_changed = Signal(bool)  # the simulated car took the key position
    ignition_failed = Signal(str)

    def __init__(self, factory: SessionFactory, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._runner = runner
        self._session: BenchSession | None = None
        self._attempt = 0  # a disconnect during connect makes the late result stale
        self._connecting = False
        self._recording_since: float | None = None
        self.last_report: ScanReport | None = None
        self.request: ConnectRequest | None = None  # what the open session was asked to connect to

    # -- state -----------------------------------------------------------------------

    @property
    def session(self) -> BenchSession | None:
        return self._session

    @property
    def is_connecting(self) -> bool:
        return self._connecting

    @property
    def recording_elapsed_s(self) -> float | None:
        return None if self._recording_since is None else time.monotonic() - self._recording_since

    # -- connect / disconnect ----------------------------------------------------------

    def connect_to(self, request: ConnectRequest) -> None:
        if self._connecting:
            return
        if self._session is not None:
            self.disconnect_session()
        self._attempt += 1
        attempt = self._attempt
        self._connecting = True
        self.connecting.emit()

        def work() -> tuple[BenchSession, Any]:
            session = self._factory(request)
            try:
                return session, session.connect()
            except BaseException:
                session.close()
                raise

        self._runner.submit(
            work,
            lambda outcome: self._on_connected(attempt, outcome, request),
            lambda exc: self._on_connect_error(attempt, exc),
            name="connect",
        )

    def _on_connected(self, attempt: int, outcome: tuple[BenchSession, Any], request: ConnectRequest) -> None:
        session, report = outcome
        if attempt != self._attempt:  # the user gave up meanwhile
            self._runner.submit(session.close, name="close stale session")
            return
        self._connecting = False
        self._session = session
        self.request = request
        self.last_report = report
        self.connected.emit(report)

    def _on_connect_error(self, attempt: int, exc: BaseException) -> None:
        if attempt != self._attempt:
            return
        self._connecting = False
        report_unexpected(exc)
        self.connect_failed.emit(describe_error(exc))

    def disconnect_session(self) -> None:
        """Forget the session now (the live view stops pulling) and close it on the worker."""
        self._attempt += 1
        was_active = self._session is not None or self._connecting
        session, self._session = self._session, None
        self.request = None
        self._connecting = False
        if self._recording_since is not None:
            self._recording_since = None
            self.recording_changed.emit(False)
        if session is not None:
            self._runner.submit(session.close, None, report_unexpected, name="disconnect")
        if was_active:
            self.disconnected.emit()

    # -- scan --------------------------------------------------------------------------

    def rescan(self) -> None:
        session = self._session
        if session is None:
            self.scan_failed.emit("Not connected: connect to a car first.")
            return
        self.scan_started.emit()
        self._runner.submit(session.rescan, self._on_scan, self._on_scan_error, name="rescan")

    def _on_scan(self, report: Any) -> None:
        self.last_report = report
        self.scan_ready.emit(report)

    def _on_scan_error(self, exc: BaseException) -> None:
        report_unexpected(exc)
        self.scan_failed.emit(describe_error(exc))

    # -- clear codes (mode 04) --------------------------------------------------------

    def clear_codes(self, role_name: str) -> None:
        """Clear codes as ``role_name`` (the workstation's role); the page has asked for confirmation."""
        session = self._session
        if session is None:
            self.clear_failed.emit("Not connected: connect to a car first.")
            return
        self.clear_started.emit()

        def work() -> Any:
            acting = getattr(session, "acting", None)
            signed_in = acting() if callable(acting) else None
            if signed_in is not None:  # a signed-in user (a custom role too): the core checks their permissions and audits
                return session.clear_codes(signed_in, confirmed=True)
            return session.clear_codes(_role(role_name), confirmed=True)

        self._runner.submit(work, self._on_cleared, self._on_clear_error, name="clear codes")

    def _on_cleared(self, report: Any) -> None:
        self.last_report = report
        self.codes_cleared.emit(report)

    def _on_clear_error(self, exc: BaseException) -> None:
        report_unexpected(exc)
        self.clear_failed.emit(describe_error(exc))

    # -- simulated car -----------------------------------------------------------------

    def set_ignition(self, on: bool) -> None:
        """Turn the simulated car's key (on the session's worker); a real car has no such switch."""
        session = self._session
        controls = session.controls if session is not None else None
        if controls is None:
            self.ignition_failed.emit("Only the simulated car has an ignition switch here.")
            return

        def work() -> bool:
            controls.set_ignition(on)
            return on

        self._runner.submit(work, self.ignition_changed.emit, self._on_ignition_error, name="ignition")

    def _on_ignition_error(self, exc: BaseException) -> None:
        report_unexpected(exc)
        self.ignition_failed.emit(describe_error(exc))

    # -- recording ---------------------------------------------------------------------

    def start_recording(self, notes: str = "") -> None:
        session = self._session
        if session is None or self._recording_since is not None:
            return
        self._recording_since = time.monotonic()
        self.recording_changed.emit(True)
        self._runner.submit(lambda: session.start_recording(notes), None, self._on_recording_error, name="record")

    def stop_recording(self) -> None:
        session = self._session
        if session is None or self._recording_since is None:
            return
        self._recording_since = None
        self.recording_changed.emit(False)
        self._runner.submit(session.stop_recording, self.recording_stopped.emit, self._on_recording_error, name="stop")

    def mark(self, label: str) -> None:
        """Queued behind ``start_recording`` on the session's worker, so an early mark is not lost."""
        session = self._session
        if session is not None and self._recording_since is not None:
            self._runner.submit(lambda: session.mark(label), None, self._on_mark_error, name="mark")

    def _on_mark_error(self, exc: BaseException) -> None:
        report_unexpected(exc)
        self.recording_failed.emit(f"the mark was not saved: {describe_error(exc)}")

    def _on_recording_error(self, exc: BaseException) -> None:
        if self._recording_since is not None:
            self._recording_since = None
            self.recording_changed.emit(False)
        report_unexpected(exc)
        self.recording_failed.emit(describe_error(exc))

    # -- shutdown ----------------------------------------------------------------------

    def shutdown(self, wait_ms: int = 10_000) -> None:
        """Stop any recording, close the session and wait for the worker (window closing)."""
        if self._recording_since is not None:
            self.stop_recording()
        self.disconnect_session()
        if not self._runner.wait(wait_ms):
            log.warning("workers still running after %d ms at shutdown", wait_ms)
