"""The cursor table under the plot: each signal's value at cursors A and B and the difference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from ui.table_model import Column, RowTableModel
from ui.widgets.common import table_view

Reading = tuple[str, float | None, float | None, str]  # name, at A, at B, unit


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def _delta(r: Reading) -> str:
    return "–" if r[1] is None or r[2] is None else f"{r[2] - r[1]:+.4g}"


READOUT_COLUMNS: tuple[Column[Any], ...] = (
    Column("Signal", lambda r: r[0]),
    Column("A", lambda r: _num(r[1]), align_right=True),
    Column("B", lambda r: _num(r[2]), align_right=True),
    Column("B − A", _delta, align_right=True),
    Column("Unit", lambda r: r[3]),
)


class CursorReadout(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.times = QLabel("Cursors off: turn them on to read values at two moments.")
        self.times.setObjectName("Muted")
        layout.addWidget(self.times)
        self.model: RowTableModel = RowTableModel(READOUT_COLUMNS, self)
        self.table: QTableView = table_view(self.model, stretch_column=0)
        layout.addWidget(self.table, 1)

    def show_readings(self, times: tuple[float, float] | None, readings: Sequence[Reading]) -> None:
        if times is None:
            self.times.setText("Cursors off: turn them on to read values at two moments.")
        else:
            a, b = times
            self.times.setText(f"A {a:.3f} s   B {b:.3f} s   Δt {b - a:+.3f} s")
        self.model.set_rows(list(readings))

    def rows(self) -> list[Reading]:
        return self.model.rows()
