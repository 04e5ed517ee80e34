"""Sync: this workstation and the workshop's shared database.

The state and the last sync, the first-sync progress bar, what waits to be uploaded (per table,
and recordings' chunks), what arrived from the other workstations, and the conflict list with both
versions side by side (differing fields highlighted) and keep mine / keep theirs. The page binds to
a :class:`~ui.widgets.sync_controller.SyncController` and only asks through ``*_requested`` signals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.sync.status import SyncState
from ui.status_bar import sync_tone
from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, repolish, section_title, table_view

if TYPE_CHECKING:
    from carvrooom_desktop.sync.conflicts import Conflict
    from carvrooom_desktop.sync.status import SyncStatus
    from carvrooom_desktop.sync.workstation import FieldVersion, SyncOverview
    from ui.widgets.sync_controller import SyncController

TABLE_LABELS = {
    "vehicles": "Vehicles", "recordings": "Recordings", "recording_chunks": "Recording chunks",
    "recording_marks": "Recording marks", "workshop_bookings": "Bay bookings", "workshop_jobs": "Jobs",
    "workshop_bays": "Bays", "workshop_technicians": "Technicians", "diagnoses": "Diagnoses",
    "signal_database_files": "Signal databases", "warranty_claims": "Warranty claims",
}


def table_label(name: str) -> str:
    return TABLE_LABELS.get(name, name.replace("_", " ").capitalize())


def shown_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        if len(value) > 18 and value[4:5] == "-" and value[10:11] == "T":  # a time, as conflicts keep them (UTC)
            try:
                return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _when(moment: datetime | None, *, short: bool = False) -> str:
    if moment is None:
        return "never"
    local = moment.astimezone()
    if short and local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M" if short else "%Y-%m-%d %H:%M:%S")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


PENDING_COLUMNS: tuple[Column[Any], ...] = (
    Column("Table", lambda p: table_label(p[0])),
    Column("Rows", lambda p: f"{p[1]:,}", align_right=True),
    Column("Changes", lambda p: f"{p[2]:,}", align_right=True),
)
CONFLICT_COLUMNS: tuple[Column[Any], ...] = (
    Column("When", lambda c: _when(c.created_at, short=True), tooltip=lambda c: _when(c.created_at)),
    Column("What", lambda c: f"{table_label(c.table)} {str(c.row_id)[:8]}"),
    Column("Kind", lambda c: "refused" if c.kind == "rejected" else "edited twice", tone=lambda c: "bad" if c.kind == "rejected" else "warn"),
    Column("Fields", lambda c: ", ".join(c.fields), tooltip=lambda c: c.reason),
)
VERSION_COLUMNS: tuple[Column[Any], ...] = (
    Column("Field", lambda f: f.name),
    Column("Mine (this workstation)", lambda f: shown_value(f.mine), tooltip=lambda f: shown_value(f.mine)),
    Column("Theirs (shared database)", lambda f: shown_value(f.theirs), tooltip=lambda f: shown_value(f.theirs)),
)


class VersionsModel(RowTableModel):
    """Both versions of a conflict, one field a row; the fields that differ on a highlighted background."""

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(VERSION_COLUMNS, parent)
        self.highlight = QColor(theme.warn[1])

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.BackgroundRole:
            return self.highlight if self.row_at(index.row()).differs else None
        if index.isValid() and role == Qt.ItemDataRole.FontRole and index.column() == 0 and self.row_at(index.row()).differs:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class SyncWorkspace(QWidget):
    sync_now_requested = Signal()
    settings_requested = Signal()
    resolve_requested = Signal(str, str)  # conflict id, "mine" | "theirs" | "dismissed"

    def __init__(self, theme: Theme, parent: QWidget | None = None, *, controller: SyncController | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._conflicts: list[Conflict] = []
        self._arrived: dict[str, int] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(page_header("Sync", "This workstation and the workshop's shared database: what waits to be "
                                  "uploaded, what arrived, and the conflicts to decide."), 1)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setObjectName("PrimaryButton")
        self.sync_button.clicked.connect(self.sync_now_requested)
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setToolTip("The shared database's address and password (kept in the OS keyring)")
        self.settings_button.clicked.connect(self.settings_requested)
        for button in (self.sync_button, self.settings_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self._state_card())

        middle = QHBoxLayout()
        pending_frame, pending = card()
        pending.addWidget(section_title("Waiting to upload"))
        self.pending_model: RowTableModel = RowTableModel(PENDING_COLUMNS, self)
        self.pending_table = table_view(self.pending_model, stretch_column=0)
        pending.addWidget(self.pending_table, 1)
        self.chunks_label = QLabel("")
        self.chunks_label.setObjectName("Muted")
        self.chunks_label.setWordWrap(True)
        pending.addWidget(self.chunks_label)
        middle.addWidget(pending_frame, 2)
        arrived_frame, arrived = card()
        arrived.addWidget(section_title("Arrived from other workstations"))
        self.arrived_label = QLabel("Nothing yet since this window opened.")
        self.arrived_label.setWordWrap(True)
        self.arrived_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        arrived.addWidget(self.arrived_label, 1)
        middle.addWidget(arrived_frame, 1)
        layout.addLayout(middle, 2)
        layout.addWidget(self._conflict_card(theme), 3)
        self.set_status(None)
        if controller is not None:
            self.bind(controller)

    def _state_card(self) -> QWidget:
        frame, body = card()
        row = QHBoxLayout()
        self.state_chip = QLabel("–")
        self.state_chip.setObjectName("StateChip")
        self.state_chip.setProperty("tone", "idle")
        self.state_chip.setAccessibleName("sync state")
        row.addWidget(self.state_chip)
        self.server_label = QLabel("")
        self.server_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.server_label, 1)
        self.last_label = QLabel("")
        self.last_label.setObjectName("Muted")
        row.addWidget(self.last_label)
        body.addLayout(row)
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.message_label)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setFormat("%p %")
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("Muted")
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.setVisible(False)
        body.addWidget(self.progress_box)
        return frame

    def _conflict_card(self, theme: Theme) -> QWidget:
        frame, body = card()
        self.conflicts_title = section_title("Conflicts")
        body.addWidget(self.conflicts_title)
        self.conflict_model: RowTableModel = RowTableModel(CONFLICT_COLUMNS, self)
        self.conflict_table = table_view(self.conflict_model)
        self.conflict_table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.versions_model = VersionsModel(theme, self)
        self.versions_table = table_view(self.versions_model)
        self.versions_table.horizontalHeader().setStretchLastSection(True)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.versions_table, 1)
        self.reason_label = QLabel("")
        self.reason_label.setObjectName("Muted")
        self.reason_label.setWordWrap(True)
        side_layout.addWidget(self.reason_label)
        buttons = QHBoxLayout()
        self.mine_button = QPushButton("Keep mine")
        self.mine_button.setToolTip("Write this workstation's values again; they reach the shared database on the next sync")
        self.mine_button.clicked.connect(lambda: self._resolve("mine"))
        self.theirs_button = QPushButton("Keep theirs")
        self.theirs_button.setToolTip("Keep what the shared database has (it is already here)")
        self.theirs_button.clicked.connect(lambda: self._resolve("theirs"))
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("The shared database refused this change: close the entry (rebook or edit again)")
        self.dismiss_button.clicked.connect(lambda: self._resolve("dismissed"))
        buttons.addStretch(1)
        for button in (self.mine_button, self.theirs_button, self.dismiss_button):
            buttons.addWidget(button)
        side_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.conflict_table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([480, 560])
        body.addWidget(splitter, 1)
        self._show_selected()
        return frame

    def bind(self, controller: SyncController) -> None:
        controller.status_changed.connect(self.set_status)
        controller.overview_changed.connect(self.set_overview)
        controller.arrived.connect(self.add_arrived)
        controller.failed.connect(lambda text: self.message_label.setText(f"Could not do that: {text}"))
        self.sync_now_requested.connect(controller.sync_now)
        self.resolve_requested.connect(controller.resolve)
        self.set_status(controller.status())
        if controller.overview is not None:
            self.set_overview(controller.overview)
        controller.refresh()

    # -- results ---------------------------------------------------------------------------------

    def set_status(self, status: SyncStatus | None) -> None:
        if status is None:
            self.state_chip.setText("–")
            return
        self.state_chip.setText(status.value)
        tone = sync_tone(status.state)
        if self.state_chip.property("tone") != tone:
            self.state_chip.setProperty("tone", tone)
            repolish(self.state_chip)
        self.server_label.setText(f"Shared database: {status.server}" if status.server else "No shared database configured")
        self.last_label.setText(f"Last sync: {_when(status.last_sync)}   ·   checkpoint {status.last_seq:,}")
        self.message_label.setText(_sentence(status.message))
        self.message_label.setVisible(bool(status.message))
        self.sync_button.setEnabled(status.state is not SyncState.NOT_CONFIGURED and status.state is not SyncState.LOCAL_STORE)
        progress = status.progress if status.state is SyncState.SYNCING else None
        self.progress_box.setVisible(bool(progress and progress[1]))
        if progress and progress[1]:
            done, total = progress
            self.progress.setMaximum(total)
            self.progress.setValue(min(done, total))
            self.progress_label.setText(f"First sync: pulling the workshop's data, {done:,} of {total:,} rows")

    def set_overview(self, overview: SyncOverview) -> None:
        self.set_status(overview.status)
        self.pending_model.set_rows(list(overview.pending))
        if overview.chunks_waiting:
            self.chunks_label.setText(f"{overview.chunks_waiting:,} chunk(s) of {overview.recordings_uploading} "
                                      "recording(s) waiting to upload.")
        else:
            self.chunks_label.setText("Nothing waiting." if not overview.pending else "No recording chunks waiting.")
        self.set_conflicts(overview.conflicts)

    def set_conflicts(self, conflicts: Sequence[Conflict]) -> None:
        chosen = self.selected_conflict()
        self._conflicts = list(conflicts)
        self.conflict_model.set_rows(self._conflicts)
        self.conflicts_title.setText(f"Conflicts ({len(self._conflicts)} open)" if self._conflicts else "Conflicts: none open")
        ids = [c.id for c in self._conflicts]
        if ids:
            self.conflict_table.selectRow(ids.index(chosen.id) if chosen is not None and chosen.id in ids else 0)
        self._show_selected()

    def add_arrived(self, table: str, count: int) -> None:
        self._arrived[table] = self._arrived.get(table, 0) + count
        parts = [f"{table_label(t)}: {n:,}" for t, n in sorted(self._arrived.items())]
        self.arrived_label.setText("Rows made elsewhere, since this window opened:\n" + "\n".join(parts))

    # -- conflicts -------------------------------------------------------------------------------

    def selected_conflict(self) -> Conflict | None:
        rows = self.conflict_table.selectionModel().selectedRows()
        return self.conflict_model.row_at(rows[0].row()) if rows and rows[0].row() < len(self._conflicts) else None

    def versions(self) -> list[FieldVersion]:
        return self.versions_model.rows()

    def _show_selected(self) -> None:
        from carvrooom_desktop.sync.workstation import compare_versions

        conflict = self.selected_conflict()
        self.versions_model.set_rows(compare_versions(conflict) if conflict is not None else [])
        self.reason_label.setText(_sentence(conflict.reason) + "." if conflict is not None
                                  else "Select a conflict to see both versions.")
        editable = conflict is not None and conflict.kind == "edit"
        self.mine_button.setEnabled(editable)
        self.theirs_button.setEnabled(editable)
        self.dismiss_button.setEnabled(conflict is not None and not editable)

    def _resolve(self, choice: str) -> None:
        conflict = self.selected_conflict()
        if conflict is not None:
            self.resolve_requested.emit(conflict.id, choice)

    def apply_theme(self, theme: Theme) -> None:
        self.versions_model.highlight = QColor(theme.warn[1])
        self.versions_table.viewport().update()
