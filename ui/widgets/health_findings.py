"""The findings table: one row per check verdict, the severity cell coloured by the theme's tones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from carvrooom_desktop.domain import Finding, Severity
from ui.theme import Theme

AnyIndex = QModelIndex | QPersistentModelIndex

# Severity -> theme tone of its chip colours; "not enough data" is idle grey.
SEVERITY_TONE = {Severity.OK: "good", Severity.WATCH: "warn", Severity.WARNING: "warn", Severity.CRITICAL: "bad"}
COLUMNS = ("Severity", "System", "Check", "Measured", "Limit", "Conf.", "Summary")


def severity_text(f: Finding) -> str:
    return "no data" if not f.enough_data else f.severity.name.lower()


def finding_tone(f: Finding) -> str:
    return "idle" if not f.enough_data else SEVERITY_TONE[f.severity]


def _number(x: float | None, unit: str = "") -> str:
    if x is None:
        return ""
    return f"{x:.4g} {unit}".strip()


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Worst first, then by system; checks without enough data last."""
    return sorted(findings, key=lambda f: (not f.enough_data, -int(f.severity), f.system, f.check))


class FindingsTableModel(QAbstractTableModel):
    FINDING_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._rows: list[Finding] = []

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.beginResetModel()
        self._rows = sort_findings(findings)
        self.endResetModel()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    def finding_at(self, row: int) -> Finding:
        return self._rows[row]

    def findings(self) -> list[Finding]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def _text(self, f: Finding, column: int) -> str:
        if column == 0:
            return severity_text(f)
        if column == 1:
            return f.system
        if column == 2:
            return f.check
        if column == 3:
            return _number(f.measured, f.unit)
        if column == 4:
            return _number(f.threshold, f.unit)
        if column == 5:
            return f"{f.confidence:.0%}" if f.enough_data else ""
        return f.summary

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(f, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 4 and f.threshold_source:
                return f"Limit source: {f.threshold_source}"
            return f.summary
        if column == 0 and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            fg, bg, _border = getattr(self._theme, finding_tone(f))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(bg)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(fg)
            font = QFont()
            font.setBold(f.enough_data and f.severity >= Severity.WARNING)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and not f.enough_data:
            return QColor(self._theme.muted)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = column in (3, 4, 5)
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
        if role == self.FINDING_ROLE:
            return f
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None
