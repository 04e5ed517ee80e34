"""Progress of each agent of the diagnosis graph: waiting, running, done, skipped or failed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from ui.widgets.common import repolish

AGENT_TITLES = {
    "intake": "Intake", "supervisor": "Supervisor (routing)", "engine": "Engine, fuel, ignition",
    "brakes_chassis": "Brakes, chassis", "transmission": "Transmission", "electrical": "Electrical, network, body",
    "synthesis": "Synthesis", "review": "Evidence review",
}
STATE_TONES = {"waiting": "idle", "running": "warn", "done": "good", "skipped": "idle", "failed": "bad"}


class AgentProgress(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.chips: dict[str, QLabel] = {}
        self.details: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(AGENT_TITLES.items()):
            chip = QLabel()
            chip.setObjectName("StateChip")
            chip.setFixedWidth(78)
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            name = QLabel(title)
            detail = QLabel("")
            detail.setObjectName("Muted")
            detail.setMinimumWidth(40)
            detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(chip, row, 0)
            grid.addWidget(name, row, 1)
            grid.addWidget(detail, row, 2)
            self.chips[key], self.details[key] = chip, detail
        grid.setColumnStretch(2, 1)
        self.reset()

    def reset(self) -> None:
        for key in self.chips:
            self.set_state(key, "waiting", "")

    def set_state(self, agent: str, state: str, detail: str = "") -> None:
        chip = self.chips.get(agent)
        if chip is None:
            return
        chip.setText(state)
        chip.setProperty("tone", STATE_TONES.get(state, "idle"))
        repolish(chip)
        if detail or state in ("waiting", "running"):
            label = self.details[agent]
            label.setText(detail)  # one line; a long detail is clipped and whole in the tooltip
            label.setToolTip(detail)

    def state_of(self, agent: str) -> str:
        return self.chips[agent].text()

    def finish_pending(self, state: str = "skipped") -> None:
        """After an offline answer: agents that never ran are not left 'waiting' or 'running'."""
        for key, chip in self.chips.items():
            if chip.text() in ("waiting", "running"):
                self.set_state(key, state)
