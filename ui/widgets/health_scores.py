"""Per-system health scores and the vehicle score, each with its explanation in words."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QLayoutItem, QSizePolicy, QWidget

from carvrooom_desktop.domain import Severity
from ui.widgets.common import repolish

SCORE_TONE = {None: "idle", Severity.OK: "good", Severity.WATCH: "warn", Severity.WARNING: "warn", Severity.CRITICAL: "bad"}


def _chip(text: str, tone: str) -> QLabel:
    chip = QLabel(text)
    chip.setObjectName("StateChip")
    chip.setProperty("tone", tone)
    chip.setMinimumWidth(64)
    return chip


class HealthScoresPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(2, 1)
        self.chips: dict[str, QLabel] = {}
        self.explanations: dict[str, QLabel] = {}
        self.set_report(None)

    def set_report(self, report: Any | None) -> None:
        """``report``: an analysis HealthReport (None: nothing run yet)."""
        while self.grid.count():
            item = cast(QLayoutItem, self.grid.takeAt(0))  # count() > 0: there is an item
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.chips.clear()
        self.explanations.clear()
        if report is None:
            self.grid.addWidget(QLabel("No health run yet."), 0, 0, 1, 3)
            return
        worst = max((s.worst for s in report.systems if s.worst is not None), default=None)
        rows = [("vehicle", report.vehicle_score, worst, report.explanation)]
        rows += [(s.system, s.score, s.worst, s.explanation) for s in report.systems]
        for i, (name, score, sev, why) in enumerate(rows):
            label = QLabel(name.capitalize() if name != "O2 sensors" else name)
            if i == 0:
                label.setObjectName("SectionTitle")
            chip = _chip("--" if score is None else f"{score:.0f}/100", SCORE_TONE[sev])
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            chip.setFixedHeight(22)
            repolish(chip)
            text = QLabel(why)
            text.setObjectName("Muted")
            text.setWordWrap(True)
            text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            text.setToolTip(why)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(label, i, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(chip, i, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(text, i, 2)
            self.chips[name] = chip
            self.explanations[name] = text
