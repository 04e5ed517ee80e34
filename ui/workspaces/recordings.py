"""Recordings: the store's recorded sessions, opened as plots; import, export, replay, trace, compare, notes.

The page only asks (``*_requested`` signals); the workbench reads the store on a worker
and hands results back through ``set_recordings`` / ``show_recording`` / ``show_error``;
long work (import, export) reports through ``set_progress`` and stops on ``cancel_requested``.
The plot view is built (and pyqtgraph imported) the first time a recording is opened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, section_title, table_view

if TYPE_CHECKING:
    from ui.bench_model import BenchModel
    from ui.widgets.recording_io import RecordingIO
    from ui.widgets.sync_controller import SyncController

IMPORT_FILTER = "CAN logs (*.blf *.asc *.trc *.log *.csv *.mf4 *.mdf);;All files (*)"
EXPORT_FORMATS = (("CSV, time-aligned signals", "csv"), ("Vector BLF", "blf"), ("Vector ASC", "asc"), ("candump log", "candump"))
EXPORT_SUFFIX = {"csv": ".csv", "blf": ".blf", "asc": ".asc", "candump": ".log"}
REPLAY_SPEEDS = (1.0, 4.0, 16.0)


def _started(r: Any) -> str:
    started: datetime = r.started_at
    return started.astimezone().strftime("%Y-%m-%d %H:%M:%S") if started.tzinfo else started.strftime("%Y-%m-%d %H:%M:%S")


def _duration(r: Any) -> str:
    seconds = r.duration_s
    if seconds is None:
        return "–"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:04.1f} s" if minutes else f"{rest:.1f} s"


RECORDING_COLUMNS: tuple[Column[Any], ...] = (
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
    import_requested = Signal(str)  # log file path
    export_requested = Signal(object, str, str)  # recording id, path, format
    replay_requested = Signal(object, float)  # recording id, speed
    trace_requested = Signal(object)  # recording id
    compare_requested = Signal(object, object)  # before id, after id
    notes_requested = Signal(object, str)  # recording id, new notes
    cancel_requested = Signal()
    samples_requested = Signal(object, list)  # recording id, signals to load for the plot
    decoded_names_requested = Signal(object)  # recording id: which broadcast signals its frames carry
    claim_requested = Signal(object)  # recording id: make a warranty claim from it (the Warranty page)

    def __init__(self, theme: Theme, preferred_signals: Sequence[str] = (), parent: QWidget | None = None, *,
                 model: BenchModel | None = None, io: RecordingIO | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self._theme = theme
        self._preferred = tuple(preferred_signals)
        self.viewer: Any = None  # the SignalPlot of the RecordingViewer, built on first open
        self.signal_list: QListWidget | None = None
        self._viewer: Any = None
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
        layout.addLayout(self._io_bar())
        self.message = QLabel("")
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.io_message = QLabel("")  # the outcome of the last import/export (kept across list refreshes)
        self.io_message.setObjectName("Muted")
        self.io_message.setWordWrap(True)
        self.io_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.io_message)

        self.model: RowTableModel = RowTableModel(RECORDING_COLUMNS, self)
        self.table = table_view(self.model)
        self.table.doubleClicked.connect(lambda _index: self._on_open())
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # two rows: compare
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
        if model is not None:
            self.bind(model, io)

    def bind(self, model: BenchModel, io: RecordingIO | None = None) -> None:
        """The store's recordings as the bench model lists them; import/export/notes outcomes from the IO."""
        model.recordings_changed.connect(lambda rows, _text: self.set_recordings(rows))
        model.recording_opened.connect(self.show_recording)
        model.recordings_stale.connect(self.request_refresh)
        model.store_failed.connect(self.show_error)
        if io is not None:
            io.recent_changed.connect(self.set_recent)
            io.busy.connect(self.set_busy)
            io.progress.connect(self.set_progress)
            io.idle.connect(self.set_idle)
            io.recordings_stale.connect(self.request_refresh)
            io.samples_loaded.connect(self.add_samples)
            io.decoded_names.connect(self.add_signal_names)

    def bind_sync(self, sync: SyncController) -> None:
        """A recording another workstation made arrives as metadata: its download shows here, with Cancel."""
        sync.fetch_started.connect(self.set_busy)
        sync.fetch_progress.connect(self.set_progress)
        sync.fetch_finished.connect(self.set_idle)
        self.cancel_requested.connect(sync.cancel_fetch)

    def _io_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.import_button = QPushButton("Import log…")
        self.import_button.setToolTip("BLF, ASC, TRC, candump, CSV or MF4 into a new recording (or drop the file on the window)")
        self.import_button.clicked.connect(self._on_import)
        self.recent_button = QToolButton()
        self.recent_button.setText("Recent")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_menu = QMenu(self.recent_button)
        self.recent_button.setMenu(self.recent_menu)
        self.export_format = QComboBox()
        for label, key in EXPORT_FORMATS:
            self.export_format.addItem(label, key)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self._on_export)
        self.replay_speed = QComboBox()
        for speed in REPLAY_SPEEDS:
            self.replay_speed.addItem(f"{speed:g}×", speed)
        self.replay_button = QPushButton("Replay")
        self.replay_button.setToolTip("Play the recording into the Live page")
        self.replay_button.clicked.connect(self._on_replay)
        self.trace_button = QPushButton("Trace")
        self.trace_button.setToolTip("Show the recording's raw frames on the CAN trace page")
        self.trace_button.clicked.connect(lambda: self._emit_selected(self.trace_requested))
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Select two recordings of one vehicle: before and after the repair")
        self.compare_button.clicked.connect(self._on_compare)
        self.claim_button = QPushButton("Warranty claim…")
        self.claim_button.setToolTip("Make a warranty claim from the selected recording: VIN, odometer, codes and its data's SHA-256")
        self.claim_button.clicked.connect(lambda: self._emit_selected(self.claim_requested))
        self.notes_edit = QLineEdit()
        self.notes_edit.setPlaceholderText("Notes for the selected recording")
        self.notes_edit.returnPressed.connect(self._on_notes)
        self.notes_button = QPushButton("Save notes")
        self.notes_button.clicked.connect(self._on_notes)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(140)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_requested)
        widget: QWidget
        for widget in (self.import_button, self.recent_button, self.export_format, self.export_button, self.replay_speed,
                       self.replay_button, self.trace_button, self.compare_button, self.claim_button):
            row.addWidget(widget)
        row.addWidget(self.notes_edit, 1)
        for widget in (self.notes_button, self.progress, self.cancel_button):
            row.addWidget(widget)
        return row

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a CAN log", "", IMPORT_FILTER)
        if path:
            self.import_requested.emit(path)

    def _on_export(self) -> None:
        recording = self.selected()
        if recording is None:
            return
        fmt = self.export_format.currentData()
        suggested = f"recording-{str(recording.id)[:8]}{EXPORT_SUFFIX[fmt]}"
        path, _ = QFileDialog.getSaveFileName(self, "Export the recording", suggested)
        if path:
            self.export_requested.emit(recording.id, path, fmt)

    def _on_replay(self) -> None:
        recording = self.selected()
        if recording is not None:
            self.replay_requested.emit(recording.id, float(self.replay_speed.currentData()))

    def _on_compare(self) -> None:
        chosen = self.selected_all()
        if len(chosen) == 2:
            before, after = sorted(chosen, key=lambda r: r.started_at)
            self.compare_requested.emit(before.id, after.id)

    def _on_notes(self) -> None:
        recording = self.selected()
        if recording is not None:
            self.notes_requested.emit(recording.id, self.notes_edit.text().strip())

    def _emit_selected(self, signal: Any) -> None:
        recording = self.selected()
        if recording is not None:
            signal.emit(recording.id)

    def set_recent(self, paths: Sequence[str]) -> None:
        self.recent_menu.clear()
        for path in paths:
            action = QAction(path, self.recent_menu)
            action.triggered.connect(lambda _checked=False, p=path: self.import_requested.emit(p))
            self.recent_menu.addAction(action)
        self.recent_button.setEnabled(bool(paths))

    def set_busy(self, text: str, cancellable: bool = True) -> None:
        """Long work started (import, export): a progress bar and, if it can stop, Cancel."""
        self.io_message.setText(text)
        self.progress.setValue(0)
        self.progress.setMaximum(0)  # busy until the first progress report
        self.progress.setVisible(True)
        self.cancel_button.setVisible(cancellable)
        self.import_button.setEnabled(False)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def set_idle(self, text: str) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.import_button.setEnabled(self.refresh_button.isEnabled())
        self.io_message.setText(text)

    def disable_import_export(self, reason: str) -> None:
        for button in (self.import_button, self.export_button, self.recent_button):
            button.setEnabled(False)
            button.setToolTip(reason)

    # -- requests ------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        self.refresh_requested.emit(self.filter_edit.text().strip())

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if len(rows) == 1 else None

    def selected_all(self) -> list[Any]:
        return [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]

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
        recording = self.selected()
        has_selection = recording is not None
        for button in (self.open_button, self.delete_button, self.export_button, self.replay_button, self.trace_button,
                       self.notes_button):
            button.setEnabled(has_selection)
        self.trace_button.setEnabled(has_selection and recording.frame_count > 0)
        self.compare_button.setEnabled(len(self.selected_all()) == 2)
        self.notes_edit.setText(recording.notes if has_selection else "")

    # -- results ---------------------------------------------------------------------------------

    def set_recordings(self, recordings: Sequence[Any]) -> None:
        self.model.set_rows(recordings)
        self.message.setText(f"{len(recordings)} recording(s)." if recordings else "No recordings yet: record on the Live page.")
        self._update_buttons()

    def set_unavailable(self, reason: str) -> None:
        self.model.set_rows([])
        self.message.setText(f"Recordings are unavailable: {reason}")
        for button in (self.refresh_button, self.open_button, self.delete_button, self.import_button, self.export_button,
                       self.replay_button, self.trace_button, self.compare_button, self.notes_button):
            button.setEnabled(False)

    def show_error(self, text: str) -> None:
        self.message.setText(f"Could not read the store: {text}")

    def show_recording(self, recording: Any, samples: Mapping[str, tuple[Any, Any]]) -> None:
        """Plot a recording opened with some of its signals loaded (see recording_viewer.load_for_viewer)."""
        self.opened = recording
        names = self._ensure_viewer().show_recording(recording, samples)
        title = f"{recording.vin or 'Recording'} · {_started(recording)} · {_duration(recording)}"
        self.viewer_title.setText(title if names else f"{title}: no decoded samples")
        if recording.frame_count:
            self.decoded_names_requested.emit(recording.id)

    def add_samples(self, recording_id: Any, samples: Mapping[str, tuple[Any, Any]]) -> None:
        if self._viewer is not None:
            self._viewer.add_samples(recording_id, samples)

    def add_signal_names(self, recording_id: Any, names: Sequence[str]) -> None:
        if self._viewer is not None and self.opened is not None and self.opened.id == recording_id:
            self._viewer.add_signal_names(names)

    def checked_signals(self) -> list[str]:
        return self._viewer.checked_signals() if self._viewer is not None else []

    def _ensure_viewer(self) -> Any:
        if self._viewer is None:
            # pyqtgraph is imported only when the first recording is opened
            from ui.widgets.recording_viewer import RecordingViewer

            self._viewer = RecordingViewer(self._theme, self._preferred)
            self._viewer.samples_requested.connect(self.samples_requested)
            self.viewer = self._viewer.plot
            self.signal_list = self._viewer.signal_list
            self._viewer_body.addWidget(self._viewer, 1)
        return self._viewer

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.viewer is not None:
            self.viewer.apply_theme(theme)
