"""Connect: choose a source (simulated car, ELM327 adapter or CAN interface), then connect.

After connecting the page shows the adapter's self-test (firmware, clone verdict,
protocol, battery voltage, chosen settings); with the simulated car it also offers the
ignition key. The page only emits ``*_requested`` signals; the workbench does the work.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.session_controller import SIMULATED_KINDS, ConnectRequest, SessionController
from ui.widgets.common import card, page_header, repolish, section_title
from ui.widgets.sim_car_panel import FULL_SEVERITY, SimulatedCarPanel
from ui.widgets.source_picker import SourcePicker

if TYPE_CHECKING:
    from ui.adapter_finder import AdapterFinder
    from ui.bench_model import BenchModel

__all__ = ["FULL_SEVERITY", "ConnectWorkspace"]

SELF_TEST_HINT = ("Connect to see the adapter's self-test: firmware and whether it looks like a clone, "
                  "the protocol found, the battery voltage and the settings chosen.")


class ConnectWorkspace(QWidget):
    connect_requested = Signal(object)  # ConnectRequest
    disconnect_requested = Signal()
    find_adapters_requested = Signal()
    find_interfaces_requested = Signal()
    ignition_requested = Signal(bool)

    def __init__(self, faults: Sequence[tuple[str, str]] = (), seed: int = 0, parent: QWidget | None = None, *,
                 model: BenchModel | None = None, finder: AdapterFinder | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._state = "idle"
        self._connected_kind = ""
        self._controller: SessionController | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)
        layout.addWidget(page_header("Connect", "Pick what to talk to and connect. The car is identified and scanned first."))

        self.source = SourcePicker()
        self.source_buttons = self.source.buttons
        self.source.kind_changed.connect(self._on_kind)
        self.source.find_adapters_requested.connect(self.find_adapters_requested)
        self.source.find_interfaces_requested.connect(self.find_interfaces_requested)
        self.car = SimulatedCarPanel(faults, seed)
        self.car.ignition_requested.connect(self.ignition_requested)
        self.fault_list = self.car.fault_list
        self.severity = self.car.severity
        self.seed = self.car.seed

        left = QVBoxLayout()
        left.setSpacing(14)
        left.addWidget(self.source)
        left.addWidget(self._build_self_test(), 1)
        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addLayout(left, 1)
        columns.addWidget(self.car, 1)
        layout.addLayout(columns, 1)

        actions = QHBoxLayout()
        self.connect_button = QPushButton("Connect")
        self.connect_button.setObjectName("PrimaryButton")
        self.connect_button.setMinimumWidth(140)
        self.connect_button.clicked.connect(self._on_button)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions.addWidget(self.connect_button)
        actions.addWidget(self.busy)
        actions.addWidget(self.message, 1)
        layout.addLayout(actions)
        self._on_kind(self.source.kind())
        if model is not None:
            self.bind(model, finder)

    def bind(self, model: BenchModel, finder: AdapterFinder | None = None) -> None:
        """Ask the session controller to connect; follow its state; show the current connection once."""
        c = self._controller = model.controller
        self.connect_requested.connect(c.connect_to)
        self.disconnect_requested.connect(c.disconnect_session)
        self.ignition_requested.connect(c.set_ignition)
        c.connecting.connect(lambda: self.set_state("connecting"))
        c.connected.connect(self._on_connected)
        c.connect_failed.connect(self.show_error)
        c.disconnected.connect(lambda: self.set_state("idle", "Disconnected."))
        c.ignition_changed.connect(self.set_ignition)
        c.ignition_failed.connect(self.show_ignition_error)
        if finder is not None:
            self.find_adapters_requested.connect(finder.find)
            self.find_interfaces_requested.connect(finder.find_can)
            finder.started.connect(lambda: self.set_finding(True))
            finder.found.connect(self.set_ports)
            finder.failed.connect(self.show_find_error)
            finder.can_started.connect(lambda: self.set_finding(True, "can"))
            finder.can_found.connect(self.set_can_channels)
            finder.can_failed.connect(lambda text: self.show_find_error(text, "can"))
        if c.session is not None and c.request is not None:
            self.set_state("connected", kind=c.request.kind)
            if c.last_report is not None:
                self.show_self_test(c.last_report)
        elif c.is_connecting:
            self.set_state("connecting")

    def _on_connected(self, report: Any) -> None:
        vehicle = report.vehicle
        request = self._controller.request if self._controller is not None else None
        self.set_state("connected", f"Connected to {vehicle.label}.", kind=request.kind if request else None)
        self.show_self_test(report)

    def _build_self_test(self) -> QWidget:
        frame, body = card()
        self.self_test_title = section_title("Adapter self-test")
        body.addWidget(self.self_test_title)
        self.self_test = QLabel(SELF_TEST_HINT)
        self.self_test.setObjectName("Muted")
        self.self_test.setWordWrap(True)
        self.self_test.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.self_test.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.self_test, 1)
        return frame

    # -- faults (the simulated car's card) -------------------------------------------------------

    def set_faults(self, faults: Sequence[tuple[str, str]]) -> None:
        self.car.set_faults(faults)

    def check_fault(self, name: str, checked: bool = True, severity: float | None = None) -> None:
        self.car.check_fault(name, checked, severity)

    def selected_faults(self) -> tuple[str, ...]:
        return self.car.selected_faults()

    def request(self) -> ConnectRequest:
        """Raises ValueError for a bitrate that is not a number."""
        kind = self.source.kind()
        simulated = kind in SIMULATED_KINDS
        return ConnectRequest(kind=kind, faults=self.selected_faults() if simulated else (), seed=self.seed.value(),
                              channel=self.source.channel(), bitrate=self.source.bitrate_value(),
                              data_bitrate=self.source.data_bitrate_value())

    # -- discovery and ignition (results from the workbench) --------------------------------------

    def set_finding(self, finding: bool, kind: str = "elm") -> None:
        self.source.set_finding(finding, kind)

    def set_ports(self, found: Sequence[tuple[Any, str | None]]) -> None:
        self.source.set_ports(found)

    def set_can_channels(self, result: Any) -> None:
        self.source.set_can_channels(result)

    def show_find_error(self, text: str, kind: str = "elm") -> None:
        self.source.show_find_error(text, kind)

    def set_ignition(self, on: bool) -> None:
        self.car.set_ignition(on)

    # -- self-test ---------------------------------------------------------------------------

    def show_self_test(self, report: Any) -> None:
        """The adapter's self-test lines of a ScanReport, and how long the first scan took."""
        details = tuple(getattr(report, "adapter_details", ()) or ())
        adapter = getattr(report, "adapter", "") or "the adapter"
        pids = len(getattr(report, "supported_pids", ()) or ())
        if details and details[0].startswith(adapter):  # "ELM327 v1.5 on COM3 at 38400 baud" names it already
            adapter, details = details[0], details[1:]
        lines = [f"<b>{html.escape(adapter)}</b>"]
        lines += [("⚠ " if "clone" in d.lower() and "genuine" not in d.lower() else "• ") + html.escape(d) for d in details]
        lines.append(f"• first scan {getattr(report, 'elapsed_s', 0.0):.2f} s, {pids} live PIDs supported")
        self.self_test.setObjectName("")
        self.self_test.setText("<br>".join(lines))
        repolish(self.self_test)
        self.self_test_title.setText("Adapter self-test")

    def self_test_lines(self) -> list[str]:
        """The shown lines as plain text (tests, copy to a report)."""
        text = self.self_test.text().replace("<b>", "").replace("</b>", "")
        return [html.unescape(line).lstrip("•⚠ ").strip() for line in text.split("<br>")]

    # -- state -------------------------------------------------------------------------

    def _on_kind(self, kind: str) -> None:
        self.car.set_editable(self._state == "idle" and kind in SIMULATED_KINDS)

    def _on_button(self) -> None:
        if self._state == "connected":
            self.disconnect_requested.emit()
        elif self._state == "idle":
            problem = self.source.problem()
            if problem:
                self._set_message(problem, "ErrorText")
                return
            self._set_message("", "Muted")
            request = self.request()
            self._connected_kind = request.kind
            self.connect_requested.emit(request)

    def set_state(self, state: str, detail: str = "", *, kind: str | None = None) -> None:
        """``idle``, ``connecting`` or ``connected`` (to a source of ``kind``); the button and inputs follow."""
        self._state = state
        if kind is not None:
            self._connected_kind = kind
        self.busy.setVisible(state == "connecting")
        self.connect_button.setEnabled(state != "connecting")
        self.connect_button.setText({"connected": "Disconnect", "connecting": "Connecting…"}.get(state, "Connect"))
        editable = state == "idle"
        self.source.set_editable(editable)
        self.car.set_editable(editable and self.source.kind() in SIMULATED_KINDS)
        self.car.set_ignition_available(state == "connected" and self._connected_kind in SIMULATED_KINDS)
        if detail:
            self._set_message(detail, "Muted")

    @property
    def state(self) -> str:
        return self._state

    def show_error(self, text: str) -> None:
        self.set_state("idle")
        self._set_message(f"Could not connect: {text}", "ErrorText")

    def show_ignition_error(self, text: str) -> None:
        self._set_message(f"Ignition: {text}", "ErrorText")

    def _set_message(self, text: str, style: str) -> None:
        self.message.setObjectName(style)
        self.message.setText(text)
        repolish(self.message)
