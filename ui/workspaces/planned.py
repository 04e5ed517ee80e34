"""The page of a workspace that a later issue builds: what it will do, and that it is not built yet."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.widgets.common import card, page_header, section_title


class PlannedWorkspace(QWidget):
    def __init__(self, title: str, summary: str, features: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.title = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)

        top = QHBoxLayout()
        top.addWidget(page_header(title, summary), 1)
        badge = QLabel("Not built yet")
        badge.setObjectName("PlannedBadge")
        top.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        frame, body = card(spacing=4)
        body.addWidget(section_title("What this workspace will do"))
        for feature in features:
            item = QLabel(f"•  {feature}")
            item.setWordWrap(True)
            body.addWidget(item)
        note = QLabel("This workspace arrives with a later release. Nothing here changes your data.")
        note.setObjectName("Muted")
        note.setWordWrap(True)
        body.addSpacing(6)
        body.addWidget(note)
        layout.addWidget(frame)
        layout.addStretch(1)


# (key, navigation title, section, summary, features) of the workspaces later issues build.
PLANNED_WORKSPACES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("schedule", "Schedule", "Workshop",
     "Bays, technicians and parts turned into an optimised week plan.",
     ("Jobs from diagnoses, due dates and parts arrival",
      "Optimised schedule with urgent auto-booking",
      "Bookings shared with every workstation through the workshop database")),
    ("warranty", "Warranty", "Workshop",
     "Warranty claims built from recorded sessions.",
     ("Coverage check against the manufacturer's rules",
      "Duplicate and fraud signals before a claim is sent",
      "Evidence-pack PDF with plots, freeze frame and a checksum manifest")),
    ("fleet", "Fleet", "Management",
     "Health of every vehicle the workshop looks after.",
     ("Fleet health overview and upcoming maintenance (remaining useful life)",
      "Workshop KPIs", "Alerts that escalate when nobody acknowledges them")),
    ("admin", "Admin", "Management",
     "Users, roles, audit log and the link to the shared workshop database.",
     ("Users and roles: technician, service manager, warranty clerk, fleet manager, admin",
      "Tamper-evident audit log", "Sync status with the workshop database")),
)
