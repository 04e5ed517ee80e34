"""Recordings: the store's recorded sessions, opened as plots; soft delete with confirmation.

The page only asks (``*_requested`` signals); the workbench reads the store on a worker
and hands results back through ``set_recordings`` / ``show_recording`` / ``show_error``.
The plot view is built (and pyqtgraph imported) the first time a recording is opened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, section_title, table_view

MAX_PLOTTED = 6
EPOCH_THRESHOLD = 1e8  # seconds: a timestamp above this is wall-clock time, not time since start


def _started(r: Any) -> str:
    started: datetime = r.started_at
    return started.astimezone().strftime("%Y-%m-%d %H:%M:%S") if started.tzinfo else started.strftime("%Y-%m-%d %H:%M:%S")


def _duration(r: Any) -> str:
    seconds = r.duration_s
    if seconds is None:
        return "–"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:04.1f} s" if minutes else f"{rest:.1f} s"


RECORDING_COLUMNS = (
    Column("Started", _started),
    Column("Vehicle VIN", lambda r: r.vin or "–"),
    Column("Duration", _duration, align_right=True),
    Column("Frames", lambda r: f"{r.frame_count:,}", align_right=True),
    Column("Samples", lambda r: f"{r.sample_count:,}", align_right=True),
    Column("State", lambda r: str(r.state)),
    Column("Notes", lambda r: r.notes, tooltip=lambda r: r.notes),
)


class RecordingsWorkspace(QWidget):
    refresh_requested = Signal(str)  # filter text (VIN or notes), may be empty
    open_requested = Signal(object)  # recording id
    delete_requested = Signal(object)  # recording id

    def __init__(self, theme: Theme, preferred_signals: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._theme = theme
        self._preferred = tuple(preferred_signals)
        self.viewer: Any = None  # StackedSignalPlots, built on first open
        self.signal_list: QListWidget | None = None
        self._samples: dict[str, tuple[Any, Any]] = {}
        self.opened: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        layout.addWidget(page_header("Recordings", "Recorded sessions in the local store. Open one to plot it."))

        bar = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by VIN or notes")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.returnPressed.connect(self.request_refresh)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.request_refresh)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("PrimaryButton")
        self.open_button.clicked.connect(self._on_open)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("DangerButton")
        self.delete_button.clicked.connect(self._on_delete)
        bar.addWidget(self.filter_edit, 1)
        for button in (self.refresh_button, self.open_button, self.delete_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        self.message = QLabel("")
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        self.model: RowTableModel = RowTableModel(RECORDING_COLUMNS, self)
        self.table = table_view(self.model)
        self.table.doubleClicked.connect(lambda _index: self._on_open())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        viewer_frame, self._viewer_body = card()
        self.viewer_title = section_title("No recording open")
        self._viewer_body.addWidget(self.viewer_title)
        self.splitter.addWidget(viewer_frame)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([170, 560])
        layout.addWidget(self.splitter, 1)
        self._update_buttons()

    # -- requests ------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        self.refresh_requested.emit(self.filter_edit.text().strip())

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _on_open(self) -> None:
        recording = self.selected()
        if recording is not None:
            self.open_requested.emit(recording.id)

    def _on_delete(self) -> None:
        recording = self.selected()
        if recording is None:
            return
        question = (
            f"Delete the recording of {recording.vin or 'an unidentified car'} started {_started(recording)}?\n\n"
            "It disappears from this list; the data stays in the store and an administrator can restore it."
        )
        if self.confirm(question):
            self.delete_requested.emit(recording.id)

    def confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Delete recording", question)
        return answer == QMessageBox.StandardButton.Yes

    def _update_buttons(self) -> None:
        has_selection = self.selected() is not None
        self.open_button.setEnabled(has_selection)
        self.delete_button.setEnabled(has_selection)

    # -- results ---------------------------------------------------------------------------------

    def set_recordings(self, recordings: Sequence[Any]) -> None:
        self.model.set_rows(recordings)
        self.message.setText(f"{len(recordings)} recording(s)." if recordings else "No recordings yet: record on the Live page.")
        self._update_buttons()

    def set_unavailable(self, reason: str) -> None:
        self.model.set_rows([])
        self.message.setText(f"Recordings are unavailable: {reason}")
        for button in (self.refresh_button, self.open_button, self.delete_button):
            button.setEnabled(False)

    def show_error(self, text: str) -> None:
        self.message.setText(f"Could not read the store: {text}")

    def show_recording(self, recording: Any, samples: Mapping[str, tuple[Any, Any]]) -> None:
        """Plot a loaded recording; the live view's signals are ticked first, at most MAX_PLOTTED."""
        self.opened = recording
        start = recording.started_at.timestamp()
        self._samples = {}
        for name, (t, values) in samples.items():
            if len(t) and t[0] > EPOCH_THRESHOLD:  # absolute timestamps: plot seconds since the start
                t = t - start
            self._samples[name] = (t, values)
        names = [n for n in self._preferred if n in samples] + sorted(n for n in samples if n not in self._preferred)
        self._ensure_viewer()
        self.signal_list.blockSignals(True)
        self.signal_list.clear()
        for index, name in enumerate(names):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if index < MAX_PLOTTED else Qt.CheckState.Unchecked)
            self.signal_list.addItem(item)
        self.signal_list.blockSignals(False)
        self._plot_checked()
        title = f"{recording.vin or 'Recording'} · {_started(recording)} · {_duration(recording)}"
        self.viewer_title.setText(title if names else f"{title}: no decoded samples")

    def checked_signals(self) -> list[str]:
        items = (self.signal_list.item(row) for row in range(self.signal_list.count()))
        return [item.text() for item in items if item.checkState() == Qt.CheckState.Checked]

    def _plot_checked(self) -> None:
        shown = self.checked_signals()
        self.viewer.set_signals(shown)
        for name in shown:
            self.viewer.set_series(name, *self._samples[name])
        self.viewer.auto_range()

    def _ensure_viewer(self) -> Any:
        if self.viewer is None:
            # pyqtgraph is imported only when the first recording is opened
            from ui.widgets.signal_plots import StackedSignalPlots

            row = QHBoxLayout()
            self.signal_list = QListWidget()
            self.signal_list.setFixedWidth(210)
            self.signal_list.setToolTip("Tick the signals to plot")
            self.signal_list.itemChanged.connect(lambda _item: self._plot_checked())
            self.viewer = StackedSignalPlots(self._theme)
            row.addWidget(self.signal_list)
            row.addWidget(self.viewer, 1)
            self._viewer_body.addLayout(row, 1)
        return self.viewer

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.viewer is not None:
            self.viewer.apply_theme(theme)
