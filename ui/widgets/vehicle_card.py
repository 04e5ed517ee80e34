"""The identified car at the top of the Diagnostics page: VIN and what it decodes to, the
check-engine lamp, how many codes, and the calibration ids with their CVNs.

A VIN that does not decode is shown exactly as read with its problems in red; it is
never "fixed".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ui.widgets.common import card, repolish


class VehicleCard(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, body = card()
        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(2)
        selectable = Qt.TextInteractionFlag.TextSelectableByMouse
        self.vin_label = _label("–", "VinValue", selectable)
        self.vin_detail = _label("", "Muted", selectable)  # what the VIN check found, across the card
        self.vin_detail.setWordWrap(True)
        self.vehicle_label = _label("–", "BigValue")
        self.mil_label = _label("MIL unknown", "MilLamp")
        self.mil_label.setProperty("lamp", "unknown")
        self.count_label = _label("–", "BigValue")
        self.calibration_label = _label("–", "", selectable)
        self.cvn_label = _label("", "Muted", selectable)
        columns = (
            ("VIN", self.vin_label),
            ("Vehicle", self.vehicle_label),
            ("Check-engine lamp", self.mil_label),
            ("Codes", self.count_label),
            ("Calibration (mode 09)", self.calibration_label),
        )
        for column, (caption, value) in enumerate(columns):
            title = QLabel(caption)
            title.setObjectName("Muted")
            grid.addWidget(title, 0, column)
            grid.addWidget(value, 1, column, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.vin_detail, 2, 0, 1, 4)
        grid.addWidget(self.cvn_label, 2, 4, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(4, 1)
        body.addLayout(grid)

    def show_report(self, report: Any) -> None:
        vehicle = report.vehicle
        info = getattr(report, "vin_info", None)
        self.vin_label.setText(vehicle.vin or "(no VIN reported)")
        year = getattr(info, "model_year", None) or vehicle.year
        make = getattr(info, "manufacturer", "") or vehicle.make
        name = " ".join(str(p) for p in (year or "", make, vehicle.model) if p)
        self.vehicle_label.setText(name or "Unknown make and model")
        self._show_vin_check(vehicle.vin, info)
        readiness = report.readiness
        self.set_mil(readiness.mil_on if readiness is not None else None)
        dtcs = list(report.dtcs)
        stored = sum(1 for d in dtcs if str(d.kind) == "stored")
        self.count_label.setText(f"{len(dtcs)} ({stored} stored)" if dtcs else "none")
        ids, cvns = tuple(getattr(report, "calibration_ids", ())), tuple(getattr(report, "cvns", ()))
        self.calibration_label.setText(", ".join(ids) or "not reported")
        self.cvn_label.setText("CVN " + ", ".join(cvns) if cvns else "")
        pairs = calibration_text(ids, cvns)
        self.calibration_label.setToolTip(f"Calibration ids and verification numbers: {pairs}" if pairs else "")

    def _show_vin_check(self, vin: str, info: Any) -> None:
        origin = " · ".join(p for p in (getattr(info, "manufacturer", ""), _built_in(getattr(info, "country", ""))) if p)
        if info is None or not vin:
            self._detail("" if vin else "The car did not report a VIN.", "Muted")
        elif not info.valid:
            problems = "; ".join(info.problems) or "it does not decode"
            self._detail(f"VIN invalid: {problems}" + (f" (the first characters say {origin})" if origin else ""), "ErrorText")
        elif info.check_digit_ok is None:
            self._detail(" · ".join(p for p in ("VIN valid, no check digit in this region", origin) if p), "Muted")
        else:
            self._detail(" · ".join(p for p in ("VIN valid, check digit OK", origin) if p), "Muted")

    def _detail(self, text: str, style: str) -> None:
        self.vin_detail.setObjectName(style)
        self.vin_detail.setText(text)
        self.vin_detail.setToolTip(text if style == "ErrorText" else "")
        repolish(self.vin_detail)

    @property
    def vin_problem_shown(self) -> bool:
        return self.vin_detail.objectName() == "ErrorText"

    def set_mil(self, on: bool | None) -> None:
        state = "unknown" if on is None else ("on" if on else "off")
        self.mil_label.setText({"on": "MIL ON", "off": "MIL off", "unknown": "MIL unknown"}[state])
        self.mil_label.setProperty("lamp", state)
        repolish(self.mil_label)


def _built_in(country: str) -> str:
    return f"built in {country}" if country else ""


def _label(text: str, name: str, flags: Qt.TextInteractionFlag | None = None) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    if flags is not None:
        label.setTextInteractionFlags(flags)
    return label


def calibration_text(calibration_ids: Iterable[str], cvns: Iterable[str]) -> str:
    """"CAL1 (CVN 1A2B3C4D)" per calibration; CVNs pair with ids in the order the ECU sent them."""
    ids, numbers = list(calibration_ids), list(cvns)
    parts = []
    for index, cal in enumerate(ids):
        parts.append(f"{cal} (CVN {numbers[index]})" if index < len(numbers) else cal)
    parts += [f"CVN {cvn}" for cvn in numbers[len(ids):]]
    return ", ".join(parts)
