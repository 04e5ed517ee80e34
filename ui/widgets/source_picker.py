"""The Connect page's "what do I talk to" card: simulated car, ELM327 port or CAN interface.

Discovery probes serial ports and CAN drivers, so the card only asks for it
(``find_adapters_requested``, ``find_interfaces_requested``); the workbench runs it on a
worker and hands the answer back through :meth:`SourcePicker.set_ports` and
:meth:`SourcePicker.set_can_channels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from ui.widgets.common import card, repolish, section_title

SOURCES = (
    ("sim", "Simulated car (CAN)", "An engine, battery and brake model with injectable faults, on a virtual CAN bus."),
    ("sim-elm", "Simulated car via ELM327", "The same car behind a simulated ELM327 adapter on a pseudo-terminal."),
    ("elm", "ELM327 adapter", "USB, Bluetooth serial or Wi-Fi (socket://host:port) OBD-II adapter."),
    ("can", "CAN interface", "SocketCAN, PCAN, Kvaser, Vector, SLCAN and other python-can interfaces."),
)
BITRATES = ("500000", "250000", "125000", "1000000")
DEFAULT_BITRATE_TEXT = "interface default"
CLASSIC_CAN_TEXT = "classic CAN"
DATA_BITRATES = ("2000000", "1000000", "4000000", "5000000", "8000000")  # CAN FD data phase, bit/s
PORT_ROLE = Qt.ItemDataRole.UserRole


class SourcePicker(QWidget):
    kind_changed = Signal(str)
    find_adapters_requested = Signal()
    find_interfaces_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, body = card()
        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        body.addWidget(section_title("Source"))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for kind, title, description in SOURCES:
            button = QRadioButton(title)
            button.setToolTip(description)
            button.setChecked(kind == "sim")
            button.toggled.connect(lambda on, k=kind: self._on_kind(k) if on else None)
            self.group.addButton(button)
            self.buttons[kind] = button
            text = QLabel(description)
            text.setObjectName("Muted")
            text.setWordWrap(True)
            text.setContentsMargins(22, 0, 0, 2)
            body.addWidget(button)
            body.addWidget(text)
            if kind == "elm":
                body.addWidget(self._build_elm_row())
            elif kind == "can":
                body.addWidget(self._build_can_row())
        body.addStretch(1)
        self._editable = True
        self._finding = {"elm": False, "can": False}
        self._update_enabled()

    def _build_elm_row(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(22, 0, 0, 6)
        grid.setHorizontalSpacing(8)
        self.port_combo = QComboBox()
        self.port_combo.setEditable(True)
        self.port_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        cast(QLineEdit, self.port_combo.lineEdit()).setPlaceholderText(  # editable: it has a line edit
            "/dev/ttyUSB0, COM3 or socket://host:port")
        self.port_combo.setMinimumContentsLength(24)
        self.port_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.port_combo.setToolTip("Pick a found port or type one; Wi-Fi adapters take socket://host:port")
        self.find_button = QPushButton("Find adapters")
        self.find_button.setToolTip("Lists the serial ports and asks each one for an ELM327 (takes a few seconds)")
        self.find_button.clicked.connect(self.find_adapters_requested)
        self.find_status = QLabel("")
        self.find_status.setObjectName("Muted")
        self.find_status.setWordWrap(True)
        self.find_status.hide()
        grid.addWidget(QLabel("Port"), 0, 0)
        grid.addWidget(self.port_combo, 0, 1)
        grid.addWidget(self.find_button, 0, 2)
        grid.addWidget(self.find_status, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        return box

    def _build_can_row(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(22, 0, 0, 6)
        grid.setHorizontalSpacing(8)
        self.can_channel = QComboBox()
        self.can_channel.setEditable(True)
        self.can_channel.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        cast(QLineEdit, self.can_channel.lineEdit()).setPlaceholderText(  # editable: it has a line edit
            "e.g. socketcan:can0")
        self.can_channel.setToolTip("interface:channel as python-can names them, e.g. socketcan:can0, "
                                    "pcan:PCAN_USBBUS1, kvaser:0, slcan:/dev/ttyACM0, virtual:bench")
        self.can_channel.setMinimumContentsLength(20)
        self.can_channel.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.find_can_button = QPushButton("Find interfaces")
        self.find_can_button.setToolTip("Asks every installed python-can interface for its channels (a few seconds)")
        self.find_can_button.clicked.connect(self.find_interfaces_requested)
        self.bitrate = QComboBox()
        self.bitrate.setEditable(True)
        self.bitrate.addItems([DEFAULT_BITRATE_TEXT, *BITRATES])
        self.bitrate.setCurrentText(BITRATES[0])
        self.bitrate.setToolTip("bit/s; OBD-II on CAN is 500000 (some cars 250000)")
        self.data_bitrate = QComboBox()
        self.data_bitrate.setEditable(True)
        self.data_bitrate.addItems([CLASSIC_CAN_TEXT, *DATA_BITRATES])
        self.data_bitrate.setToolTip("CAN FD: the data phase's bit/s (frames with bit rate switch); "
                                     "classic CAN for cars before CAN FD")
        self.can_status = QLabel("")
        self.can_status.setObjectName("Muted")
        self.can_status.setWordWrap(True)
        self.can_status.hide()
        grid.addWidget(QLabel("Interface"), 0, 0)
        grid.addWidget(self.can_channel, 0, 1)
        grid.addWidget(self.find_can_button, 0, 2)
        grid.addWidget(QLabel("Bitrate"), 1, 0)
        rates = QHBoxLayout()
        rates.setSpacing(8)
        rates.addWidget(self.bitrate)
        rates.addSpacing(10)
        rates.addWidget(QLabel("CAN FD data"))
        rates.addWidget(self.data_bitrate)
        rates.addStretch(1)
        grid.addLayout(rates, 1, 1, 1, 2)
        grid.addWidget(self.can_status, 2, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        return box

    # -- what was chosen -----------------------------------------------------------------

    def kind(self) -> str:
        return next(k for k, b in self.buttons.items() if b.isChecked())

    def set_kind(self, kind: str) -> None:
        self.buttons[kind].setChecked(True)

    def channel(self) -> str:
        """The ELM327 port (the device of a found adapter) or the CAN ``interface:channel``."""
        kind = self.kind()
        if kind == "elm":
            text = self.port_combo.currentText().strip()
            index = self.port_combo.findText(text)
            device = self.port_combo.itemData(index, PORT_ROLE) if index >= 0 else None
            return str(device) if device else text
        if kind == "can":
            text = self.can_channel.currentText().strip()
            index = self.can_channel.findText(text)
            spec = self.can_channel.itemData(index, PORT_ROLE) if index >= 0 else None
            return str(spec) if spec else text
        return ""

    def bitrate_value(self) -> int | None:
        """Raises ValueError for a bitrate that is not a positive whole number."""
        return self._bit_rate(self.bitrate, DEFAULT_BITRATE_TEXT, "500000")

    def data_bitrate_value(self) -> int | None:
        """The CAN FD data-phase bit rate, None for classic CAN; ValueError for one that is not a number."""
        return self._bit_rate(self.data_bitrate, CLASSIC_CAN_TEXT, "2000000")

    def _bit_rate(self, combo: QComboBox, none_text: str, example: str) -> int | None:
        if self.kind() != "can":
            return None
        text = combo.currentText().strip().replace("_", "").replace(" ", "")
        if not text or text.lower() == none_text.replace(" ", "").lower():
            return None
        try:
            if text.lower().endswith("k"):
                text = str(int(float(text[:-1]) * 1000))
            elif text.lower().endswith("m"):
                text = str(int(float(text[:-1]) * 1_000_000))
        except ValueError:
            pass  # reported below with the text as typed
        if not text.isdigit() or int(text) <= 0:
            raise ValueError(f"the bitrate must be a number of bit/s such as {example}, not {combo.currentText()!r}")
        return int(text)

    def problem(self) -> str:
        """Why the current choice cannot be connected, or "" when it can."""
        kind, channel = self.kind(), self.channel()
        if kind == "elm" and not channel:
            return "Choose the adapter's port (Find adapters) or type one, e.g. /dev/ttyUSB0, COM3 or socket://host:port."
        if kind == "can":
            interface, _, name = channel.partition(":")
            if not interface or not name:
                return "Type the CAN interface as interface:channel, e.g. socketcan:can0."
            try:
                self.bitrate_value()
                self.data_bitrate_value()
            except ValueError as exc:
                return f"Check the bitrate: {exc}."
        return ""

    # -- discovery ----------------------------------------------------------------------------

    def set_finding(self, finding: bool, kind: str = "elm") -> None:
        self._finding[kind] = finding
        if finding and kind == "elm":
            self._status("Looking for ELM327 adapters on the serial ports…", "Muted")
        elif finding:
            _show(self.can_status, "Asking the installed CAN interfaces for their channels…", "Muted")
        self._update_enabled()

    def set_ports(self, found: Sequence[tuple[Any, str | None]]) -> None:
        """``(SerialPortInfo, firmware or None)`` per port; adapters that answered come first."""
        self.set_finding(False, "elm")
        typed = self.port_combo.currentText().strip()
        ordered = sorted(found, key=lambda pf: (pf[1] is None, not pf[0].likely_obd, pf[0].device))
        self.port_combo.clear()
        for port, firmware in ordered:
            what = firmware or (f"no ELM327 answer · {port.description}" if port.description else "no ELM327 answer")
            self.port_combo.addItem(f"{port.device} — {what}", port.device)
            self.port_combo.setItemData(self.port_combo.count() - 1, port.description or port.device,
                                        Qt.ItemDataRole.ToolTipRole)
        answered = [p for p, f in ordered if f]
        if answered:
            self.port_combo.setCurrentIndex(0)
            self._status(f"{len(answered)} adapter(s) answered; {len(ordered)} port(s) found.", "Muted")
        else:
            self.port_combo.setCurrentIndex(-1)
            self.port_combo.setEditText(typed)
            note = f"{len(ordered)} serial port(s), none answered as an ELM327." if ordered else "No serial ports found."
            self._status(note + " Check the cable or Bluetooth pairing, or type socket://host:port.", "Muted")

    def show_find_error(self, text: str, kind: str = "elm") -> None:
        self.set_finding(False, kind)
        _show(self.find_status if kind == "elm" else self.can_status, f"Could not look for adapters: {text}", "ErrorText")

    def set_can_channels(self, result: Any) -> None:
        """A ``drivers.can.DiscoveryResult``: channels as "label" items carrying "interface:channel"."""
        self.set_finding(False, "can")
        typed = self.can_channel.currentText().strip()
        self.can_channel.clear()
        for config in result.configs:
            self.can_channel.addItem(config.label, config.spec)
            self.can_channel.setItemData(self.can_channel.count() - 1, config.spec, Qt.ItemDataRole.ToolTipRole)
        real = [c for c in result.configs if c.interface != "virtual"]
        if real:
            self.can_channel.setCurrentIndex(0)
        else:
            self.can_channel.setCurrentIndex(-1)
            self.can_channel.setEditText(typed)
        found = f"{len(real)} adapter channel(s) found" if real else "No CAN adapter found (only the virtual bus)"
        _show(self.can_status, f"{found}; {len(result.skipped)} interface(s) not available (hover for why).", "Muted")
        self.can_status.setToolTip("\n".join(f"{name}: {why}" for name, why in sorted(result.skipped.items())))

    def _status(self, text: str, style: str) -> None:
        _show(self.find_status, text, style)

    # -- enabling -----------------------------------------------------------------------------

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_enabled()

    def _on_kind(self, kind: str) -> None:
        self._update_enabled()
        self.kind_changed.emit(kind)

    def _update_enabled(self) -> None:
        kind = self.kind()
        for button in self.buttons.values():
            button.setEnabled(self._editable)
        elm = self._editable and kind == "elm"
        self.port_combo.setEnabled(elm)
        self.find_button.setEnabled(elm and not self._finding["elm"])
        self.find_button.setText("Finding…" if self._finding["elm"] else "Find adapters")
        can_on = self._editable and kind == "can"
        self.can_channel.setEnabled(can_on)
        self.bitrate.setEnabled(can_on)
        self.data_bitrate.setEnabled(can_on)
        self.find_can_button.setEnabled(can_on and not self._finding["can"])
        self.find_can_button.setText("Finding…" if self._finding["can"] else "Find interfaces")


def _show(label: QLabel, text: str, style: str) -> None:
    label.setObjectName(style)
    label.setText(text)
    label.setVisible(bool(text))
    repolish(label)
