"""Replay controls on the Live page: speed (1x, 4x, 16x), play/pause, stop, and where the replay is."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

SPEEDS = (1.0, 4.0, 16.0)


class ReplayBar(QFrame):
    speed_changed = Signal(float)
    pause_toggled = Signal(bool)  # True: pause
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.title = QLabel("Replay")
        self.title.setObjectName("SectionTitle")
        self.position = QLabel("")
        self.position.setObjectName("Muted")
        self.speed = QComboBox()
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g}×", speed)
        self.speed.setToolTip("Replay speed: 1× is the recording's own timing")
        self.speed.currentIndexChanged.connect(lambda _i: self.speed_changed.emit(float(self.speed.currentData())))
        self.play_button = QPushButton("❚❚ Pause")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._toggled)
        self.stop_button = QPushButton("■ Stop replay")
        self.stop_button.clicked.connect(self.stop_requested)
        row.addWidget(self.title)
        row.addWidget(self.position, 1)
        row.addWidget(self.speed)
        row.addWidget(self.play_button)
        row.addWidget(self.stop_button)
        self.setVisible(False)

    def _toggled(self, paused: bool) -> None:
        self.play_button.setText("▶ Play" if paused else "❚❚ Pause")
        self.pause_toggled.emit(paused)

    def show_replay(self, title: str, speed: float) -> None:
        self.title.setText(title)
        self.speed.blockSignals(True)
        self.speed.setCurrentIndex(SPEEDS.index(speed) if speed in SPEEDS else 0)
        self.speed.blockSignals(False)
        self.play_button.blockSignals(True)
        self.play_button.setChecked(False)
        self.play_button.setText("❚❚ Pause")
        self.play_button.blockSignals(False)
        self.setVisible(True)

    def set_position(self, position_s: float, duration_s: float, finished: bool) -> None:
        state = "finished" if finished else ("paused" if self.play_button.isChecked() else "playing")
        self.position.setText(f"{position_s:6.1f} s of {duration_s:.1f} s · {state}")
