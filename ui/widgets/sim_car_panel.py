"""The simulated car's card on the Connect page: faults to inject, their severity, the seed,
and, once connected, the ignition key (to watch the car drop out and come back)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.common import card, repolish, section_title

FULL_SEVERITY = 1.0
NAME_ROLE = Qt.ItemDataRole.UserRole
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1


class SimulatedCarPanel(QWidget):
    ignition_requested = Signal(bool)  # True: key on

    def __init__(self, faults: Sequence[tuple[str, str]] = (), seed: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._severity: dict[str, float] = {}
        self._editable = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        frame, body = card()
        outer.addWidget(frame)
        body.addWidget(section_title("Simulated car"))
        self.hint = QLabel("Tick the faults to inject. Select a fault to set how severe it is (1.0 = full).")
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        body.addWidget(self.hint)
        self.fault_list = QListWidget()
        self.fault_list.setAlternatingRowColors(True)
        self.fault_list.setObjectName("FaultList")
        self.fault_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.fault_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fault_list.currentItemChanged.connect(self._on_fault_selected)
        body.addWidget(self.fault_list, 1)
        form = QFormLayout()
        self.severity = QDoubleSpinBox()
        self.severity.setRange(0.05, 1.0)
        self.severity.setSingleStep(0.05)
        self.severity.setDecimals(2)
        self.severity.setValue(FULL_SEVERITY)
        self.severity.setEnabled(False)
        self.severity.valueChanged.connect(self._on_severity)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        self.seed.setToolTip("The same seed gives the same simulated drive.")
        form.addRow("Severity of selected fault", self.severity)
        form.addRow("Seed", self.seed)
        body.addLayout(form)

        key_row = QHBoxLayout()
        self.ignition_state = QLabel()
        self.ignition_state.setObjectName("StateChip")
        self.ignition_button = QPushButton()
        self.ignition_button.setEnabled(False)
        self.ignition_button.setToolTip("Turn the simulated car's key: the car falls silent and comes back")
        self.ignition_button.clicked.connect(lambda: self.ignition_requested.emit(not self._ignition_on))
        self.ignition_note = QLabel("Connect to the simulated car to turn its key.")
        self.ignition_note.setObjectName("Muted")
        self.ignition_note.setWordWrap(True)
        key_row.addWidget(self.ignition_state)
        key_row.addWidget(self.ignition_button)
        key_row.addWidget(self.ignition_note, 1)
        self._ignition_on: bool = True
        self.set_ignition(True)
        self.ignition_state.hide()
        body.addLayout(key_row)
        self.set_faults(faults)

    # -- faults -------------------------------------------------------------------------------

    def set_faults(self, faults: Sequence[tuple[str, str]]) -> None:
        self.fault_list.ensurePolished()  # rows take the stylesheet's padding, or they are laid out overlapping
        self.fault_list.clear()
        self._severity = {}
        for name, description in faults:
            item = QListWidgetItem(fault_text(name, description, FULL_SEVERITY))
            item.setData(NAME_ROLE, name)
            item.setData(DESCRIPTION_ROLE, description)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(description)
            self.fault_list.addItem(item)
            self._severity[name] = FULL_SEVERITY
        if not faults:
            self.fault_list.addItem(QListWidgetItem("No fault catalogue available"))

    def _on_fault_selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        name = item.data(NAME_ROLE) if item is not None else None
        self.severity.setEnabled(self._editable and name is not None)
        if name is not None:
            self.severity.blockSignals(True)
            self.severity.setValue(self._severity.get(name, FULL_SEVERITY))
            self.severity.blockSignals(False)

    def _on_severity(self, value: float) -> None:
        item = self.fault_list.currentItem()
        name = item.data(NAME_ROLE) if item is not None else None
        if name is None:
            return
        self._severity[name] = value
        item.setText(fault_text(name, item.data(DESCRIPTION_ROLE) or "", value))

    def check_fault(self, name: str, checked: bool = True, severity: float | None = None) -> None:
        for row in range(self.fault_list.count()):
            item = self.fault_list.item(row)
            if item.data(NAME_ROLE) == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                if severity is not None:
                    self.fault_list.setCurrentItem(item)
                    self.severity.setValue(severity)
                return
        raise KeyError(f"no fault {name!r} in the catalogue")

    def selected_faults(self) -> tuple[str, ...]:
        """Fault texts as the simulator takes them: ``name`` or ``name:severity``."""
        chosen = []
        for row in range(self.fault_list.count()):
            item = self.fault_list.item(row)
            name = item.data(NAME_ROLE)
            if name is None or item.checkState() != Qt.CheckState.Checked:
                continue
            severity = self._severity.get(name, FULL_SEVERITY)
            chosen.append(name if severity >= FULL_SEVERITY else f"{name}:{severity:g}")
        return tuple(chosen)

    def set_editable(self, editable: bool) -> None:
        """Faults and seed are chosen before connecting, for a simulated source only."""
        self._editable = editable
        self.fault_list.setEnabled(editable)
        self.seed.setEnabled(editable)
        self.hint.setEnabled(editable)
        self._on_fault_selected(self.fault_list.currentItem())

    # -- ignition -------------------------------------------------------------------------------

    def set_ignition_available(self, available: bool, note: str = "") -> None:
        """The key works while connected to the simulated car; a real car's key is in the car."""
        self.ignition_button.setEnabled(available)
        self.ignition_state.setVisible(available)  # no key position to show without a car
        if not available:
            self.set_ignition(True)
        self.ignition_note.setText(note or ("Turn the key off and on to see the connection drop and come back."
                                            if available else "Connect to the simulated car to turn its key."))

    @property
    def ignition_on(self) -> bool:
        return self._ignition_on

    def set_ignition(self, on: bool) -> None:
        """Show the key position the car has taken; the button offers the other one."""
        self._ignition_on = on
        self.ignition_state.setText("Ignition ON" if on else "Ignition OFF")
        self.ignition_state.setProperty("tone", "good" if on else "warn")
        repolish(self.ignition_state)
        self.ignition_button.setText("Turn ignition off" if on else "Turn ignition on")


def fault_text(name: str, description: str, severity: float) -> str:
    strength = "" if severity >= FULL_SEVERITY else f" [severity {severity:.2f}]"
    return f"{name}{strength} — {description}" if description else f"{name}{strength}"
