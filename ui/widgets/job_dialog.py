"""The Schedule page's Add job dialog: what a repair order needs to be planned."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.storage.workshop import NewJob, StoredPart
from carvrooom_desktop.workshop.scheduling.domain import BAY_TYPES, URGENCIES


def _edit(when: datetime) -> QDateTimeEdit:
    local = when.replace(tzinfo=None)
    edit = QDateTimeEdit(QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute)))
    edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
    edit.setCalendarPopup(True)
    return edit


def _value(edit: QDateTimeEdit, tz: tzinfo | None) -> datetime:
    d, t = edit.dateTime().date(), edit.dateTime().time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=tz)


class AddJobDialog(QDialog):
    """``skills``, ``bay_types``: what the shop has; ``open_jobs``: (job id, label) a new job may wait for."""

    def __init__(self, *, now: datetime, skills: Sequence[str], bay_types: Sequence[str], open_jobs: Sequence[tuple[str, str]] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add job")
        self.setMinimumWidth(460)
        self._tz = now.tzinfo
        start = now.replace(minute=(now.minute // 15) * 15, second=0, microsecond=0)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. front brake pads and discs")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("repair-order number (optional)")
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0.25, 200)
        self.hours.setSingleStep(0.25)
        self.hours.setValue(1.0)
        self.hours.setSuffix(" h")
        self.skill = QComboBox()
        self.skill.setEditable(True)
        self.skill.addItem("", "")
        for s in sorted(set(skills)):
            self.skill.addItem(s, s)
        self.skill.setToolTip("The skill the work needs (empty: no technician needed)")
        self.bay_type = QComboBox()
        for b in list(dict.fromkeys([*sorted(set(bay_types)), *BAY_TYPES])):
            self.bay_type.addItem(b + ("" if b in bay_types else "  (no such bay here)"), b)
        self.part = QLineEdit()
        self.part.setPlaceholderText("part to wait for (optional)")
        self.part_eta = _edit(start + timedelta(hours=2))
        self.part_eta.setToolTip("When the part arrives (the job cannot start before)")
        parts_row = QHBoxLayout()
        parts_row.addWidget(self.part, 1)
        parts_row.addWidget(QLabel("ETA"))
        parts_row.addWidget(self.part_eta)
        self.waiting = QRadioButton("Customer waits in the shop")
        self.dropped = QRadioButton("Car dropped off at")
        self.dropped.setChecked(True)
        self.dropped_at = _edit(start)
        customer = QVBoxLayout()
        customer.addWidget(self.waiting)
        row = QHBoxLayout()
        row.addWidget(self.dropped)
        row.addWidget(self.dropped_at, 1)
        customer.addLayout(row)
        self.promised_on = QCheckBox("Promised by")
        self.promised_on.setChecked(True)
        self.promised = _edit(start.replace(hour=17, minute=0) if start.hour < 16 else start + timedelta(days=1))
        promised_row = QHBoxLayout()
        promised_row.addWidget(self.promised_on)
        promised_row.addWidget(self.promised, 1)
        self.promised_on.toggled.connect(self.promised.setEnabled)
        self.priority = QSpinBox()
        self.priority.setRange(1, 5)
        self.priority.setToolTip("1 normal … 5 most important")
        self.urgency = QComboBox()
        for u in URGENCIES:
            self.urgency.addItem(u, u)
        self.after = QComboBox()
        self.after.addItem("(none)", None)
        for job_id, label in open_jobs:
            self.after.addItem(label, job_id)
        self.after.setToolTip("Starts only when this job is done (alignment after suspension work)")
        self.book_now = QCheckBox("Book it at the earliest free slot now (a do-not-drive job always is)")
        form.addRow("Title", self.title)
        form.addRow("Repair order", self.reference)
        form.addRow("Labour", self.hours)
        form.addRow("Skill", self.skill)
        form.addRow("Bay type", self.bay_type)
        form.addRow("Parts", parts_row)
        form.addRow("Customer", customer)
        form.addRow("Promise", promised_row)
        form.addRow("Priority", self.priority)
        form.addRow("Urgency", self.urgency)
        form.addRow("Depends on", self.after)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.book_now)
        self.problem = QLabel("")
        self.problem.setObjectName("ToneText")
        self.problem.setProperty("tone", "bad")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add job")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.problem.setText("A job needs a title.")
            return
        if self.promised_on.isChecked() and self.dropped.isChecked() and _value(self.promised, self._tz) <= _value(self.dropped_at, self._tz):
            self.problem.setText("The promise must be after the car is dropped off.")
            return
        self.accept()

    def job(self) -> NewJob:
        """The job as entered (the core checks it again: skill and bay type the shop has, hours)."""
        tz = self._tz
        parts = []
        if self.part.text().strip():
            parts.append(StoredPart(self.part.text().strip(), _value(self.part_eta, tz), "ordered"))
        after = [(self.after.currentData(), 0)] if self.after.currentData() else []
        return NewJob(
            title=self.title.text().strip(), labour_hours=self.hours.value(), bay_type=self.bay_type.currentData(),
            skill=self.skill.currentText().strip(), reference=self.reference.text().strip(), urgency=self.urgency.currentData(),
            priority=self.priority.value(), customer_waiting=self.waiting.isChecked(),
            dropped_off_at=None if self.waiting.isChecked() else _value(self.dropped_at, tz),
            promised_at=_value(self.promised, tz) if self.promised_on.isChecked() else None,
            status="waiting_parts" if parts else "new", parts=parts,
            after=[(uuid.UUID(a), g) for a, g in after])

    @property
    def book(self) -> bool:
        return self.book_now.isChecked()


__all__ = ["AddJobDialog"]
