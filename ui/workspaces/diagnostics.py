"""Diagnostics: the identified car, MIL, trouble codes, readiness monitors, freeze frame,
mode 06 test results and calibration ids; rescan and clear codes (after a confirmation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import RowTableModel
from ui.widgets.clear_codes_dialog import confirm_clear_codes
from ui.widgets.common import card, page_header, repolish, section_title, table_view
from ui.widgets.vehicle_card import VehicleCard
from ui.workspaces.diagnostic_columns import (
    DTC_COLUMNS,
    FREEZE_COLUMNS,
    NOT_READ_COLUMNS,
    RAW_PID_COLUMNS,
    READINESS_COLUMNS,
    TEST_COLUMNS,
    freeze_rows,
)

if TYPE_CHECKING:
    from ui.bench_model import BenchModel

__all__ = ["DiagnosticsWorkspace"]


class DiagnosticsWorkspace(QWidget):
    rescan_requested = Signal()
    clear_codes_requested = Signal()  # asked only after the technician confirmed

    def __init__(self, model: BenchModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.report: Any = None
        self._connected = False
        self._busy = ""  # "scan" or "clear" while the session works for this page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)

        top = QHBoxLayout()
        self.header = page_header("Diagnostics", "Not connected. Connect to a car to read its codes.")
        top.addWidget(self.header, 1)
        self.rescan_button = QPushButton("Rescan")
        self.rescan_button.setToolTip("Read VIN, trouble codes, readiness, freeze frame and test results again")
        self.rescan_button.clicked.connect(self.rescan_requested)
        self.clear_button = QPushButton("Clear codes…")
        self.clear_button.setObjectName("DangerButton")
        self.clear_button.setToolTip("Mode 04: clears stored and pending codes, freeze frames and readiness (asks first)")
        self.clear_button.clicked.connect(self._on_clear)
        top.addWidget(self.rescan_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.subtitle = cast(QLabel, self.header.findChild(QLabel, "PageSubtitle"))  # page_header made it (a subtitle was given)

        self.vehicle = VehicleCard()
        self.vin_label = self.vehicle.vin_label
        self.vin_detail = self.vehicle.vin_detail
        self.vehicle_label = self.vehicle.vehicle_label
        self.mil_label = self.vehicle.mil_label
        self.count_label = self.vehicle.count_label
        self.calibration_label = self.vehicle.calibration_label
        layout.addWidget(self.vehicle)

        self.banner = QLabel("")
        self.banner.setObjectName("Banner")
        self.banner.setProperty("tone", "idle")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        layout.addWidget(self.banner)

        self.dtc_model: RowTableModel = RowTableModel(DTC_COLUMNS, self)
        self.readiness_model: RowTableModel = RowTableModel(READINESS_COLUMNS, self)
        self.freeze_model: RowTableModel = RowTableModel(FREEZE_COLUMNS, self)
        self.test_model: RowTableModel = RowTableModel(TEST_COLUMNS, self)
        dtc_frame, self.dtc_title, self.dtc_view = _table_card("Trouble codes", self.dtc_model, 3)
        ready_frame, self.readiness_title, self.readiness_view = _table_card("Readiness monitors", self.readiness_model, 0)
        test_frame, self.test_title, self.test_view = _table_card("On-board test results (mode 06)", self.test_model, 1)
        freeze_frame, self.freeze_title, self.freeze_view = _table_card("Freeze frame", self.freeze_model, 0)
        self.not_read_model: RowTableModel = RowTableModel(NOT_READ_COLUMNS, self)
        self.raw_model: RowTableModel = RowTableModel(RAW_PID_COLUMNS, self)
        not_read_frame, self.not_read_title, self.not_read_view = _table_card("Not read", self.not_read_model, 2)
        raw_frame, self.raw_title, self.raw_view = _table_card("PIDs without a decoder", self.raw_model, 2)
        self._dropped: dict[str, str] = {}

        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(_row(dtc_frame, ready_frame, (3, 2)))
        vertical.addWidget(_row(test_frame, freeze_frame, (3, 2)))
        vertical.addWidget(_row(not_read_frame, raw_frame, (3, 2)))
        vertical.setStretchFactor(0, 1)
        vertical.setStretchFactor(1, 1)
        vertical.setStretchFactor(2, 1)
        vertical.setChildrenCollapsible(False)
        layout.addWidget(vertical, 1)
        self._update_buttons()
        if model is not None:
            self.bind(model)

    def bind(self, model: BenchModel) -> None:
        """Follow the session: scans, clears, connection; show the current scan once."""
        c = model.controller
        c.connected.connect(self._on_connected)
        c.disconnected.connect(lambda: self.set_connected(False))
        c.scan_started.connect(lambda: self.set_busy(True))
        c.scan_ready.connect(self.show_report)
        c.scan_failed.connect(self.show_error)
        c.clear_started.connect(self.set_clearing)
        c.codes_cleared.connect(self.show_cleared)
        c.clear_failed.connect(self.show_clear_error)
        model.signals_dropped.connect(self.show_dropped)
        self.rescan_requested.connect(c.rescan)
        if c.last_report is not None:
            self.show_report(c.last_report)
            self.set_connected(c.session is not None)
            self.show_dropped(model.dropped_signals)

    def _on_connected(self, report: Any) -> None:
        self.show_report(report)
        self.set_connected(True)
        self.show_message("", "idle")

    # -- showing a scan ----------------------------------------------------------------

    def show_report(self, report: Any) -> None:
        """Fill every panel from a ScanReport."""
        self.report = report
        self._connected = True
        self._busy = ""
        self.vehicle.show_report(report)
        dtcs = list(report.dtcs)
        self.dtc_model.set_rows(dtcs)
        self.dtc_title.setText(f"Trouble codes ({len(dtcs)})" if dtcs else "Trouble codes: none stored, pending or permanent")
        readiness = report.readiness
        self.readiness_model.set_rows(list(readiness.monitors) if readiness is not None else [])
        self._show_tests(tuple(getattr(report, "tests", ()) or ()))
        frames = tuple(report.freeze_frames)
        self.freeze_model.set_rows(freeze_rows(frames))
        codes = ", ".join(f.dtc_code for f in frames if f.dtc_code)
        self.freeze_title.setText(f"Freeze frame · set by {codes}" if codes else "Freeze frame: none stored")
        pids = len(report.supported_pids)
        ecus = len(report.ecus)
        self.subtitle.setText(
            f"Read through {report.adapter or 'the adapter'} in {report.elapsed_s:.2f} s · {pids} live PIDs supported"
            + (f" by {ecus} control units" if ecus > 1 else "")
        )
        if report.readiness is None:
            self.readiness_title.setText("Readiness monitors: not read")
        else:
            self.readiness_title.setText("Readiness monitors")
        if any(n.item.endswith(("(mode 03)", "(mode 07)", "(mode 0A)")) for n in report.not_read):
            self.dtc_title.setText(f"Trouble codes ({len(dtcs)}); some memories not read, see below" if dtcs
                                   else "Trouble codes: not read (see below)")
        self._dropped = {}
        self._show_not_read()
        raw = list(report.raw_pids)
        self.raw_model.set_rows(raw)
        self.raw_title.setText(f"PIDs without a decoder ({len(raw)})" if raw else "PIDs without a decoder: none")
        self._update_buttons()

    def show_dropped(self, dropped: dict[str, str]) -> None:
        """Live signals taken off the poll list (their PID kept failing) join the not-read list."""
        self._dropped.update(dropped)
        self._show_not_read()

    def _show_not_read(self) -> None:
        rows = [(n.item, n.ecu, n.reason) for n in (self.report.not_read if self.report is not None else ())]
        rows += [(f"live signal {name} (dropped from polling)", "", why) for name, why in self._dropped.items()]
        self.not_read_model.set_rows(rows)
        self.not_read_title.setText(f"Not read ({len(rows)}): the scan went on without these" if rows
                                    else "Not read: nothing, every item answered")

    def _show_tests(self, tests: tuple[Any, ...]) -> None:
        self.test_model.set_rows(tests)
        failed = sum(1 for t in tests if not t.passed)
        if not tests:
            self.test_title.setText("On-board test results (mode 06): none reported")
        elif failed:
            self.test_title.setText(f"On-board test results (mode 06): {failed} of {len(tests)} FAILED")
        else:
            self.test_title.setText(f"On-board test results (mode 06): all {len(tests)} passed")

    def set_mil(self, on: bool | None) -> None:
        self.vehicle.set_mil(on)

    # -- clear codes ---------------------------------------------------------------------

    def _on_clear(self) -> None:
        if self.report is not None and self.confirm_clear(self.report):
            self.clear_codes_requested.emit()

    def confirm_clear(self, report: Any) -> bool:
        """The confirmation dialog (tests replace this)."""
        return confirm_clear_codes(self, report)

    def set_clearing(self) -> None:
        self._busy = "clear"
        self.show_message("Clearing trouble codes…", "idle")
        self._update_buttons()

    def show_cleared(self, report: Any) -> None:
        self.show_report(report)
        left = list(report.dtcs)
        if not left:
            self.show_message("Trouble codes cleared. Freeze frames are erased and readiness monitors start again.", "good")
            return
        names = ", ".join(f"{d.code} ({d.kind})" for d in left)
        why = " Permanent codes stay until the ECU sees the fault gone." if any(str(d.kind) == "permanent" for d in left) else ""
        self.show_message(f"Codes cleared; the ECU still reports {names}.{why}", "warn")

    def show_clear_error(self, text: str) -> None:
        self._busy = ""
        self._update_buttons()
        self.show_message(f"Codes not cleared: {text}. Nothing was changed in the car.", "bad")

    def show_message(self, text: str, tone: str) -> None:
        """A banner under the vehicle ("good", "warn", "bad" or "idle"); empty text hides it."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        if self.banner.property("tone") != tone:
            self.banner.setProperty("tone", tone)
            repolish(self.banner)

    # -- state ---------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """A rescan is running (or finished)."""
        self._busy = "scan" if busy else ""
        self._update_buttons()

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.subtitle.setText(f"Scan failed: {text}. The last results are kept below.")

    def set_connected(self, connected: bool) -> None:
        self._connected = connected
        self._busy = ""
        self._update_buttons()
        if not connected and self.report is not None:
            self.subtitle.setText("Disconnected. These are the results of the last scan.")

    def _update_buttons(self) -> None:
        ready = self._connected and self.report is not None and not self._busy
        self.rescan_button.setEnabled(ready)
        self.clear_button.setEnabled(ready)
        self.rescan_button.setText("Scanning…" if self._busy == "scan" else "Rescan")
        self.clear_button.setText("Clearing…" if self._busy == "clear" else "Clear codes…")


def _table_card(title: str, model: RowTableModel, stretch_column: int) -> tuple[QWidget, QLabel, Any]:
    frame, body = card()
    label = section_title(title)
    body.addWidget(label)
    view = table_view(model, stretch_column=stretch_column)
    body.addWidget(view)
    return frame, label, view


def _row(left: QWidget, right: QWidget, stretch: tuple[int, int]) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    return splitter
