"""Health: every check on the live car or a recording, the evidence behind each verdict, scores, wear-item RUL.

The page only asks (``run_requested``, ``cancel_requested``, ``refresh_requested``) and
shows; :class:`HealthController` does the work on a worker thread (gathering the signals,
carvrooom_desktop.health.run_health, keeping wear trends with the vehicle in the store) and
publishes ``health.changed`` on the bus when a run finishes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop import events as ev
from ui.session_controller import describe_error
from ui.theme import Theme
from ui.widgets.common import card, page_header, section_title, table_view
from ui.widgets.health_evidence import EvidencePlot
from ui.widgets.health_findings import FindingsTableModel
from ui.widgets.health_rul import RulCardWidget
from ui.widgets.health_scores import HealthScoresPanel
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from ui.bench_model import HasSession

LIVE, RECORDING = "live", "recording"


def _recording_label(r: Any) -> str:
    started = r.started_at.astimezone().strftime("%Y-%m-%d %H:%M") if r.started_at.tzinfo else r.started_at.strftime("%Y-%m-%d %H:%M")
    minutes = f", {r.duration_s / 60:.0f} min" if (getattr(r, "duration_s", None) or 0) >= 60 else ""
    return f"{started} · {r.vin or 'no VIN'}{minutes} · {str(r.id)[:8]}"


class HealthWorkspace(QWidget):
    run_requested = Signal(str, object)  # source (LIVE / RECORDING), recording id or None
    cancel_requested = Signal()
    refresh_requested = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.result: Any = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.addWidget(page_header(
            "Health", "The checks a good technician does by hand, run on the live car or a recording: "
            "each verdict with the measured value, its limit and where that limit comes from."))
        bar = QHBoxLayout()
        self.source_combo = QComboBox()
        self.source_combo.addItem("Live session", LIVE)
        self.source_combo.addItem("Recording", RECORDING)
        self.recording_combo = QComboBox()
        self.recording_combo.setMinimumWidth(320)
        self.run_button = QPushButton("Run checks")
        self.run_button.setObjectName("Primary")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel("")
        self.status.setObjectName("Muted")
        self.status.setWordWrap(True)
        for w in (QLabel("Data from"), self.source_combo, self.recording_combo, self.run_button, self.cancel_button, self.progress):
            bar.addWidget(w)
        bar.addWidget(self.status, 1)
        outer.addLayout(bar)

        # Top: findings | scores. Bottom: evidence of the selected finding | wear-item RUL cards.
        findings_card, fl = card()
        fl.addWidget(section_title("Findings"))
        self.model = FindingsTableModel(theme, self)
        self.table = table_view(self.model, stretch_column=6)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 190)  # long check names elide; the evidence caption repeats them
        fl.addWidget(self.table)
        scores_card, sl = card()
        sl.addWidget(section_title("Scores"))
        self.scores = HealthScoresPanel()
        scores_scroll = QScrollArea()
        scores_scroll.setWidgetResizable(True)
        scores_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scores_scroll.setWidget(self.scores)
        sl.addWidget(scores_scroll)
        evidence_card, el = card()
        el.addWidget(section_title("Evidence"))
        self.evidence = EvidencePlot(theme)
        el.addWidget(self.evidence)
        rul_card, rl = card()
        rl.addWidget(section_title("Remaining life of wear items"))
        self.rul_box = QHBoxLayout()
        self.rul_box.setSpacing(8)
        self.rul_empty = QLabel("Run the checks to estimate wear.")
        self.rul_empty.setObjectName("Muted")
        self.rul_box.addWidget(self.rul_empty)
        rl.addLayout(self.rul_box, 1)
        self.rul_cards: list[RulCardWidget] = []

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(findings_card)
        top.addWidget(scores_card)
        top.setSizes([760, 440])
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(evidence_card)
        bottom.addWidget(rul_card)
        bottom.setSizes([640, 560])
        rows = QSplitter(Qt.Orientation.Vertical)
        rows.addWidget(top)
        rows.addWidget(bottom)
        rows.setSizes([330, 330])
        outer.addWidget(rows, 1)

        self.source_combo.currentIndexChanged.connect(self._update_controls)
        self.run_button.clicked.connect(self._on_run)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show_evidence(current.row()))
        self._busy = False
        self._update_controls()

    # -- asking -----------------------------------------------------------------------------------

    def source(self) -> str:
        return self.source_combo.currentData()

    def _on_run(self) -> None:
        recording = self.recording_combo.currentData() if self.source() == RECORDING else None
        self.run_requested.emit(self.source(), uuid.UUID(recording) if recording else None)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh_requested.emit()

    def _update_controls(self) -> None:
        recording = self.source() == RECORDING
        self.recording_combo.setVisible(recording)
        has_recording = self.recording_combo.count() > 0 and self.recording_combo.currentData() is not None
        self.run_button.setEnabled(not self._busy and (has_recording or not recording))
        self.cancel_button.setEnabled(self._busy)

    # -- showing ----------------------------------------------------------------------------------

    def set_recordings(self, recordings: Sequence[Any]) -> None:
        current = self.recording_combo.currentData()
        self.recording_combo.clear()
        for r in recordings:
            self.recording_combo.addItem(_recording_label(r), str(r.id))  # str: QVariant compares it
        if not recordings:
            self.recording_combo.addItem("no recordings in the store", None)
        index = self.recording_combo.findData(current)
        if index >= 0:
            self.recording_combo.setCurrentIndex(index)
        self._update_controls()

    def set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
        self.status.setText(text)
        self._update_controls()

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.status.setText(text)

    def show_result(self, result: Any) -> None:
        """``result``: a carvrooom_desktop.health.HealthResult."""
        self.result = result
        self.set_busy(False)
        alarms = len(result.alarms)
        judged = sum(1 for f in result.findings if f.enough_data)
        self.status.setText(f"{result.source}: {judged} checks judged, {len(result.findings) - judged} without enough data, "
                            f"{alarms} warning or critical.")
        self.model.set_findings(result.findings)
        self.scores.set_report(result.report)
        for w in self.rul_cards:
            self.rul_box.removeWidget(w)
            w.deleteLater()
        self.rul_cards = [RulCardWidget(c, self._theme) for c in result.rul]
        self.rul_empty.setVisible(not self.rul_cards)
        for w in self.rul_cards:
            self.rul_box.addWidget(w, 1)
        if self.model.rowCount():
            self.table.selectRow(0)
            self._show_evidence(0)
        else:
            self.evidence.clear("No findings.")

    def _show_evidence(self, row: int) -> None:
        if self.result is None or not 0 <= row < self.model.rowCount():
            return
        self.evidence.show_finding(self.model.finding_at(row), self.result.signals)

    def apply_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.model.set_theme(theme)
        self.evidence.apply_theme(theme)


class HealthController(QObject):
    """Runs health checks for the page on a worker thread; publishes ``health.changed``."""

    progress = Signal(int, int)  # emitted from the worker; queued to the page
    finished = Signal(object)  # the HealthResult, after the page and the bus have it

    def __init__(self, page: HealthWorkspace, *, bench: HasSession, store: Any | None, bus: ev.EventBus | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.bench = bench
        self.store = store
        self.bus = bus
        self.runner = TaskRunner(self, max_threads=1)
        self._cancel = threading.Event()
        self.running = False  # a health run (not a recordings listing) is under way
        page.run_requested.connect(self.run)
        page.cancel_requested.connect(self._cancel.set)
        page.refresh_requested.connect(self.refresh_recordings)
        self.progress.connect(page.set_progress)

    def refresh_recordings(self) -> None:
        store = self.store
        if store is None:
            self.page.set_recordings([])
            return
        self.runner.submit(lambda: store.recordings.list(), self.page.set_recordings,
                           lambda exc: self.page.show_error(describe_error(exc)), name="health: list recordings")

    def run(self, source: str, recording_id: Any = None) -> None:
        if self.running:
            return
        self._cancel.clear()
        if source == LIVE:
            session = self.bench.session
            if session is None:
                self.page.show_error("Not connected: connect to a car (or the simulated car) first, or choose a recording.")
                return
            job, what = (lambda: self._run_live(session)), "Checking the live session…"
        else:
            store = self.store
            if store is None or recording_id is None:
                self.page.show_error("No recording chosen (or the store is unavailable).")
                return
            job, what = (lambda: self._run_recording(store, recording_id)), "Loading the recording and checking it…"
        self.page.set_busy(True, what)
        self.running = True
        self.runner.submit(job, self._done, self._failed, name="health checks")

    def _models(self) -> Any | None:
        if self.store is None:
            return None
        from carvrooom_desktop.storage.health_models import HealthModelRepository

        return HealthModelRepository(self.store.engine, self.store.origin)

    def _run_live(self, session: Any) -> Any:
        from carvrooom_desktop.health import run_health, signals_from_session

        signals = signals_from_session(session)
        report = getattr(session, "report", None)  # the connect scan: mode 06 misfire counts
        return run_health(signals, "live session", models=self._models(), vehicle_id=getattr(session, "vehicle_id", None),
                          progress=self.progress.emit, cancelled=self._cancel.is_set, tests=getattr(report, "tests", ()) or ())

    def _run_recording(self, store: Any, recording_id: Any) -> Any:
        from carvrooom_desktop.health import run_health, signals_from_samples

        recording = store.recordings.get(recording_id)
        samples = store.recordings.load_samples(recording_id)
        models = self._models()
        vehicle_id = models.vehicle_id_for_vin(recording.vin) if models is not None and recording.vin else None
        return run_health(signals_from_samples(samples, recording.signal_units), f"recording {str(recording.id)[:8]}",
                          models=models, vehicle_id=vehicle_id, progress=self.progress.emit, cancelled=self._cancel.is_set)

    def _done(self, result: Any) -> None:
        from carvrooom_desktop.health import health_payload

        self.running = False
        self.page.show_result(result)
        if self.bus is not None:
            self.bus.publish(ev.HEALTH_CHANGED, health_payload(result))
        self.finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        from analysis.checks import ChecksCancelled

        self.running = False
        if isinstance(exc, ChecksCancelled):
            self.page.show_error("Cancelled.")
        else:
            self.page.show_error(f"Health checks failed: {describe_error(exc)}")

    def wait(self) -> bool:
        return self.runner.wait()
