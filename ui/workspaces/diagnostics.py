"""Diagnostics: the identified car, MIL, trouble codes, readiness monitors, freeze frame,
mode 06 test results and calibration ids; rescan and clear codes (after a confirmation).
The "All modules (UDS)" tab lists every module of the car with its codes, status bits and
snapshot, and clears one module or all (role-checked, after a confirmation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QMessageBox, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ui.table_model import Column, RowTableModel
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
    number,
)

if TYPE_CHECKING:
    from carvrooom_desktop.uds.scanner import ConnectedSource, LinkSpec, ModuleScanner
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
        self.tabs = QTabWidget()
        self.tabs.addTab(vertical, "Engine (OBD-II)")
        self.modules = ModulesPanel(self)
        self.tabs.addTab(self.modules, "All modules (UDS)")
        layout.addWidget(self.tabs, 1)
        self._update_buttons()
        if model is not None:
            self.bind(model)

    def bind(self, model: BenchModel) -> None:
        """Follow the session: scans, clears, connection; show the current scan once."""
        c = model.controller
        c.connected.connect(self._on_connected)
        c.disconnected.connect(lambda: self.set_connected(False))
        c.disconnected.connect(self.modules.close_link)
        c.connected.connect(lambda _report: self.modules.refresh())
        c.disconnected.connect(self.modules.refresh)
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


# -- every module of the car (UDS) ------------------------------------------------------------------


_STATE_SHORT = {"READ": "read", "PARTIAL": "partly read", "NO_ANSWER": "no answer", "BUSY": "busy (0x78 without end)",
                "TRANSPORT": "ISO-TP error", "BLOCKED": "blocked by gateway", "REFUSED": "refused"}


def _module_tone(module: Any) -> str:
    key = module.state.name
    return "good" if key == "READ" else "warn" if key == "PARTIAL" else "bad"


def _status_short(status: int) -> str:
    """The status byte in two or three words; every bit is in the tooltip and the detail table."""
    now = "active" if status & 0x01 else "confirmed" if status & 0x08 else "pending" if status & 0x04 else "history"
    return now + (" · lamp on" if status & 0x80 else "")


MODULE_COLUMNS: tuple[Column[Any], ...] = (
    Column("Module", lambda m: m.short),
    Column("Name", lambda m: m.name),
    Column("Address", lambda m: m.address.label),
    Column("Codes", lambda m: str(len(m.dtcs)), align_right=True, tone=lambda m: "bad" if m.dtcs else ""),
    Column("State", lambda m: _STATE_SHORT.get(m.state.name, m.state.value), tone=_module_tone,
           tooltip=lambda m: f"{m.state.value}: {m.detail}" if m.detail else m.state.value),
    Column("Part number", lambda m: m.ident("part_number"),
           tooltip=lambda m: f"software {m.ident('software_number')} {m.ident('software_version')}".strip()),
)
MODULE_CODE_COLUMNS: tuple[Column[Any], ...] = (
    Column("Code", lambda d: d.dtc.display),
    Column("Description", lambda d: d.dtc.description, tooltip=lambda d: f"{d.dtc.description}: {d.dtc.failure_text}"),
    Column("Failure type", lambda d: d.dtc.failure_text),
    Column("Status", lambda d: _status_short(d.dtc.status), tooltip=lambda d: f"{d.dtc.status:02X}: " + ", ".join(d.dtc.status_words),
           tone=lambda d: "bad" if d.dtc.status & 0x01 else "warn"),
)
# Detail rows are (name, reading, unit) tuples: the status bits, the snapshot values, the extended data counters.
MODULE_DETAIL_COLUMNS: tuple[Column[Any], ...] = (
    Column("Value", lambda r: r[0]),
    Column("Reading", lambda r: r[1], align_right=True),
    Column("Unit", lambda r: r[2]),
)


def _detail_rows(code: Any) -> list[tuple[str, str, str]]:
    rows = [("Status bit", word, "") for word in code.dtc.status_words]
    rows += [(f"Snapshot: {s.name}", number(s.value) if s.value is not None else s.raw, s.unit) for s in code.snapshot]
    rows += [(name.capitalize(), value, "") for name, value in code.extended]
    return rows


class ModulesPanel(QWidget):
    """The module list: one scan of every module, codes of the selected one, clear one or all.

    The scan runs on a worker (``TaskRunner``) through a ``ModuleScanner`` made by the factory the
    composition root gives (``set_scanner``), on the worker at the first scan: the UDS stack loads
    then, not with the page. The panel only shows what comes back."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.workers import TaskRunner

        self.runner = TaskRunner(self, max_threads=1)  # scan and clears in the order asked for
        self.scanner: ModuleScanner | None = None  # made on the worker by the first scan
        self._make_scanner: Callable[[], ModuleScanner] | None = None
        self._source: Callable[[], ConnectedSource | None] = lambda: None
        self._role: Callable[[], str] = lambda: "technician"
        self.scan: Any = None
        self.module_faults: tuple[str, ...] = ()  # the simulated car's module faults (abs_wheel_speed_open, busy:HVAC, ...)
        self._busy = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        top = QHBoxLayout()
        self.status = QLabel("Scan every module of the car: engine, ABS, airbag, body, cluster, climate, gateway…")
        self.status.setObjectName("PageSubtitle")
        self.status.setWordWrap(True)
        top.addWidget(self.status, 1)
        self.faults_button = QPushButton("Module faults")
        self.faults_button.setToolTip("The simulated car only: faults its modules have at the next scan")
        self.faults_menu = QMenu(self.faults_button)
        self.faults_menu.triggered.connect(self._fault_toggled)
        self.faults_menu.aboutToShow.connect(self._fill_faults_menu)
        self.faults_button.setMenu(self.faults_menu)
        top.addWidget(self.faults_button, 0, Qt.AlignmentFlag.AlignTop)
        self.scan_button = QPushButton("Scan all modules")
        self.scan_button.setToolTip("Find every module that answers (11-bit and 29-bit ids) and read its codes over UDS")
        self.scan_button.clicked.connect(self.start_scan)
        self.clear_one_button = QPushButton("Clear module…")
        self.clear_one_button.setToolTip("0x14: clear the selected module's codes, snapshots and counters (asks first)")
        self.clear_one_button.clicked.connect(lambda: self._on_clear(all_modules=False))
        self.clear_all_button = QPushButton("Clear all modules…")
        self.clear_all_button.setObjectName("DangerButton")
        self.clear_all_button.clicked.connect(lambda: self._on_clear(all_modules=True))
        for button in (self.scan_button, self.clear_one_button, self.clear_all_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        self.module_model: RowTableModel = RowTableModel(MODULE_COLUMNS, self)
        self.code_model: RowTableModel = RowTableModel(MODULE_CODE_COLUMNS, self)
        self.detail_model: RowTableModel = RowTableModel(MODULE_DETAIL_COLUMNS, self)
        modules_frame, self.modules_title, self.module_view = _table_card("Modules: not scanned yet", self.module_model, 1)
        codes_frame, self.codes_title, self.code_view = _table_card("Codes of the selected module", self.code_model, 1)
        detail_frame, self.detail_title, self.detail_view = _table_card("Status, snapshot and counters", self.detail_model, 0)
        self.module_view.selectionModel().selectionChanged.connect(self._module_selected)
        self.code_view.selectionModel().selectionChanged.connect(self._code_selected)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(codes_frame)
        right.addWidget(detail_frame)
        right.setChildrenCollapsible(False)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 2)  # a code's status bits, snapshot and counters need the room
        layout.addWidget(_row(modules_frame, right, (3, 2)), 1)
        self._update_buttons()

    def set_scanner(self, make_scanner: Callable[[], ModuleScanner], source: Callable[[], ConnectedSource | None],
                    role: Callable[[], str]) -> None:
        """``source``: what the connected session was opened from (None: not connected); ``role``: the workstation's role."""
        self._make_scanner, self._source, self._role = make_scanner, source, role
        self._update_buttons()

    def refresh(self) -> None:
        """The connection changed: what the buttons offer follows it."""
        self._update_buttons()

    def _simulated(self) -> bool:
        source = self._source()
        return source is not None and source.kind in ("sim", "sim-elm")

    def _fill_faults_menu(self) -> None:
        from carvrooom_desktop.uds.faults import simulated_module_faults

        self.faults_menu.clear()
        for text, description in simulated_module_faults():
            action = self.faults_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(text in self.module_faults)
            action.setToolTip(description)
            action.setData(text)
        self.faults_menu.setToolTipsVisible(True)

    def _fault_toggled(self, action: Any) -> None:
        text = str(action.data())
        faults = [f for f in self.module_faults if f != text]
        self.module_faults = tuple(faults + [text]) if action.isChecked() else tuple(faults)
        self.show_message(f"Module faults at the next scan: {', '.join(self.module_faults) or 'none'}"
                          " (the simulated car starts again with them)")

    def _work(self, source: ConnectedSource) -> tuple[ModuleScanner, LinkSpec]:
        """On the worker: the scanner (made once) and the link for ``source`` with the panel's module faults."""
        from carvrooom_desktop.uds.scanner import link_spec_of

        if self.scanner is None:
            assert self._make_scanner is not None
            self.scanner = self._make_scanner()
        spec = link_spec_of(source, module_faults=self.module_faults)
        assert spec is not None
        return self.scanner, spec

    # -- scan ----------------------------------------------------------------------------

    def start_scan(self) -> None:
        source = self._source()
        if self._make_scanner is None or source is None:
            self.show_message("Connect to a car (or the simulated car) first.")
            return
        self._busy = "scan"
        self.show_message("Scanning every module…")
        self._update_buttons()

        def work() -> Any:
            scanner, spec = self._work(source)
            return scanner.scan(spec)

        self.runner.submit(work, self.show_scan, self.show_failure, name="scan all modules")

    def show_scan(self, scan: Any) -> None:
        self.scan, self._busy = scan, ""
        modules = list(scan.modules)
        self.module_model.set_rows(modules)
        codes = sum(len(m.dtcs) for m in modules)
        trouble = [m for m in modules if m.state.name not in ("READ", "PARTIAL")]
        self.modules_title.setText(f"Modules ({len(modules)}) · {codes} code{'s' if codes != 1 else ''}" if modules
                                   else "Modules: none answered (ignition on?)")
        text = f"{len(modules)} modules read in {scan.elapsed_s:.2f} s"
        if trouble:
            text += " · not fully read: " + ", ".join(f"{m.short} ({m.state.value})" for m in trouble)
        self.show_message(text)
        first = next((i for i, m in enumerate(modules) if m.dtcs), 0 if modules else None)
        if first is not None:
            self.module_view.selectRow(first)
        else:
            self._show_module(None)
        self._update_buttons()

    def show_failure(self, exc: BaseException) -> None:
        from ui.session_controller import describe_error, report_unexpected

        report_unexpected(exc)
        self._busy = ""
        self.show_message(f"Module scan failed: {describe_error(exc)}")
        self._update_buttons()

    # -- selection -----------------------------------------------------------------------

    def _module_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.module_view.selectionModel().selectedRows()
        self._show_module(self.module_model.row_at(rows[0].row()) if rows else None)

    def _show_module(self, module: Any) -> None:
        codes = list(module.dtcs) if module is not None else []
        self.code_model.set_rows(codes)
        if module is None:
            self.codes_title.setText("Codes of the selected module")
        elif module.state.name not in ("READ", "PARTIAL") and not codes:
            self.codes_title.setText(f"{module.short}: {module.state.value} — {module.detail}")
        else:
            self.codes_title.setText(f"Codes of {module.short} ({len(codes)})" if codes else f"{module.short}: no codes stored")
        if codes:
            self.code_view.selectRow(0)
        else:
            self._show_code(None)
        self._update_buttons()

    def _code_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.code_view.selectionModel().selectedRows()
        self._show_code(self.code_model.row_at(rows[0].row()) if rows else None)

    def _show_code(self, code: Any) -> None:
        rows = _detail_rows(code) if code is not None else []
        self.detail_model.set_rows(rows)
        self.detail_title.setText(f"Status, snapshot and counters of {code.dtc.display}" if code is not None
                                  else "Status, snapshot and counters")

    def selected_module(self) -> Any:
        rows = self.module_view.selectionModel().selectedRows()
        return self.module_model.row_at(rows[0].row()) if rows else None

    # -- clear ---------------------------------------------------------------------------

    def _on_clear(self, *, all_modules: bool) -> None:
        from carvrooom_desktop.domain.roles import Permission, Role, allowed

        source = self._source()
        if self._make_scanner is None or source is None or self.scan is None:
            return
        chosen = list(self.scan.modules) if all_modules else [m for m in (self.selected_module(),) if m is not None]
        if not chosen:
            return
        role_name = self._role()
        role = Role(role_name) if role_name in {r.value for r in Role} else None
        if role is None or not allowed(role, Permission.CLEAR_CODES):
            self.show_message(f"A {role_name} may not clear trouble codes; ask a technician.")
            return
        if not self.confirm_clear(chosen):
            return
        self._busy = "clear"
        self.show_message("Clearing " + ", ".join(m.short for m in chosen) + "…")
        self._update_buttons()
        addresses = [m.address for m in chosen]

        def work() -> Any:
            scanner, spec = self._work(source)
            return scanner.clear(spec, addresses, role, confirmed=True)

        self.runner.submit(work, self.show_cleared, self.show_failure, name="clear modules")

    def confirm_clear(self, modules: list[Any]) -> bool:
        """The confirmation dialog (tests replace this)."""
        codes = [f"{m.short} {d.dtc.display}" for m in modules for d in m.dtcs]
        text = (f"Clear the codes of {', '.join(m.short for m in modules)}?\n\n"
                f"Codes now: {', '.join(codes) or 'none'}.\nTheir snapshots and counters are erased too.")
        answer = QMessageBox.question(self, "Clear module codes", text)
        return answer == QMessageBox.StandardButton.Yes

    def show_cleared(self, scan: Any) -> None:
        selected = self.selected_module()
        self.show_scan(scan)
        if selected is not None:
            row = next((i for i, m in enumerate(scan.modules) if m.address == selected.address), None)
            if row is not None:
                self.module_view.selectRow(row)
        left = [f"{m.short} {d.dtc.display}" for m in scan.modules for d in m.dtcs]
        self.show_message("Codes cleared." + (f" Still reported: {', '.join(left)}." if left else " No module reports a code."))

    # -- state ---------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.status.setText(text)

    def close_link(self) -> None:
        """The car went away: end the scanner's link (on the worker, after what it is doing)."""
        self.runner.submit(lambda: self.scanner.close() if self.scanner is not None else None, name="close module link")

    def shutdown(self) -> None:
        """The window closes: let the worker finish, then end the link (a simulated car it started stops)."""
        self.runner.wait()
        if self.scanner is not None:
            self.scanner.close()

    def _update_buttons(self) -> None:
        ready = self._make_scanner is not None and not self._busy
        self.scan_button.setEnabled(ready)
        self.faults_button.setVisible(self._simulated())
        has_codes = self.scan is not None and any(m.dtcs for m in self.scan.modules)
        self.clear_all_button.setEnabled(ready and has_codes)
        selected = self.selected_module() if self.scan is not None else None
        self.clear_one_button.setEnabled(ready and selected is not None and bool(selected.dtcs))
        self.scan_button.setText("Scanning…" if self._busy == "scan" else "Scan all modules")
        self.clear_all_button.setText("Clearing…" if self._busy == "clear" else "Clear all modules…")
