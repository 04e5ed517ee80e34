"""AI Diagnosis: run the agents on the live car or a recording, see what they found and why.

The page only shows things and emits ``*_requested`` signals; ``DiagnosisController``
(ui/widgets/diagnosis_controller.py) runs the work on worker threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, repolish, section_title, table_view
from ui.widgets.diagnosis_chat import ChatPanel
from ui.widgets.diagnosis_columns import CAUSE_COLUMNS, EVIDENCE_COLUMNS, TEST_COLUMNS, RankedCause
from ui.widgets.diagnosis_evidence_plot import EvidencePlot
from ui.widgets.diagnosis_progress import AgentProgress

URGENCY_TONES = {"drive": "good", "drive with care": "warn", "do not drive": "bad"}
LIVE, RECORDING = "live", "recording"


class DiagnosisWorkspace(QWidget):
    run_requested = Signal(str, object, str, bool, bool)  # source, recording id, complaint, wants Pro, offline only
    verdict_requested = Signal(object, str, str)  # cause, verdict (confirmed|rejected|fixed_by), note
    chat_requested = Signal(str)
    settings_requested = Signal()
    recordings_requested = Signal()
    book_job_requested = Signal()  # "Book this job": the workbench hands it to the Schedule page's desk

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.diagnosis: Any = None
        self.signals: Any = None
        self._origin = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)

        top = QHBoxLayout()
        top.addWidget(page_header("AI Diagnosis", "Ranked causes with the evidence each one cites, the tests to run next, "
                                  "urgency and a repair job. Works offline from the knowledge base."), 1)
        self.model_chip = QLabel("")
        self.model_chip.setObjectName("StateChip")
        self.settings_button = QPushButton("AI settings…")
        self.settings_button.clicked.connect(self.settings_requested)
        top.addWidget(self.model_chip, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self._build_run_bar())

        self.banner = QLabel("Choose the live car or a recording and press Diagnose.")
        self.banner.setObjectName("Banner")
        self.banner.setProperty("tone", "idle")
        self.banner.setWordWrap(True)
        layout.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._build_results())
        split.addWidget(self._build_side(theme))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([780, 520])
        layout.addWidget(split, 1)
        self.set_live_available(False)
        self.set_model_status("", False)

    # -- building ------------------------------------------------------------------------------------

    def _build_run_bar(self) -> QWidget:
        frame, body = card(spacing=6)
        row = QHBoxLayout()
        self.source = QComboBox()
        self.source.addItem("Live car", LIVE)
        self.source.addItem("Recording", RECORDING)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.recording = QComboBox()
        self.recording.setMinimumWidth(280)
        self.complaint = QLineEdit()
        self.complaint.setPlaceholderText("Customer's complaint (optional), e.g. “rough idle when cold”")
        self.wants_pro = QCheckBox("Pro model")
        self.wants_pro.setToolTip("Ask the stronger model (slower, costs more); used anyway for complex cases")
        self.offline_only = QCheckBox("Offline only")
        self.run_button = QPushButton("Diagnose")
        self.run_button.setObjectName("PrimaryButton")
        self.run_button.clicked.connect(self._run)
        for w, stretch in ((QLabel("Source"), 0), (self.source, 0), (self.recording, 0), (self.complaint, 1),
                           (self.wants_pro, 0), (self.offline_only, 0), (self.run_button, 0)):
            row.addWidget(w, stretch)
        body.addLayout(row)
        return frame

    def _build_results(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 6, 0)
        col.setSpacing(8)
        frame, body = card()
        head = QHBoxLayout()
        head.addWidget(section_title("Probable causes"), 1)
        self.urgency_chip = QLabel("")
        self.urgency_chip.setObjectName("StateChip")
        head.addWidget(self.urgency_chip)
        body.addLayout(head)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        body.addWidget(self.summary)
        self.cause_model = RowTableModel(CAUSE_COLUMNS, self)
        self.cause_view = table_view(self.cause_model, stretch_column=2)
        self.cause_view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show_cause(cur.row()))
        body.addWidget(self.cause_view, 2)
        body.addWidget(section_title("Evidence cited by the selected cause"))
        self.evidence_model = RowTableModel(EVIDENCE_COLUMNS, self)
        self.evidence_view = table_view(self.evidence_model, stretch_column=3)
        self.evidence_view.clicked.connect(lambda index: self.show_evidence(index.row()))
        body.addWidget(self.evidence_view, 2)
        verdicts = QHBoxLayout()
        verdicts.addWidget(QLabel("Your verdict:"))
        self.verdict_buttons: dict[str, QPushButton] = {}
        for key, text in (("confirmed", "Confirmed"), ("rejected", "Rejected"), ("fixed_by", "Fixed by this repair")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, k=key: self._verdict(k))
            verdicts.addWidget(button)
            self.verdict_buttons[key] = button
        self.verdict_note = QLineEdit()
        self.verdict_note.setPlaceholderText("note (what you found)")
        verdicts.addWidget(self.verdict_note, 1)
        body.addLayout(verdicts)
        self.verdict_message = QLabel("")
        self.verdict_message.setObjectName("Muted")
        body.addWidget(self.verdict_message)
        col.addWidget(frame, 3)
        tests_frame, tests_body = card()
        tests_body.addWidget(section_title("Tests to run next"))
        self.test_model = RowTableModel(TEST_COLUMNS, self)
        tests_view = table_view(self.test_model, stretch_column=1)
        tests_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        tests_view.horizontalHeader().resizeSection(0, 320)
        tests_body.addWidget(tests_view, 1)
        col.addWidget(tests_frame, 2)
        self._enable_verdicts(False)
        return box

    def _build_side(self, theme: Theme) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(6, 0, 0, 0)
        col.setSpacing(8)
        frame, body = card(spacing=4)
        body.addWidget(section_title("Agents"))
        self.progress = AgentProgress()
        body.addWidget(self.progress)
        col.addWidget(frame)
        job_frame, job_body = card(spacing=2)
        job_body.addWidget(section_title("Proposed repair job"))
        self.job_label = QLabel("—")
        self.job_label.setWordWrap(True)
        self.job_label.setTextFormat(Qt.TextFormat.RichText)
        job_body.addWidget(self.job_label)
        book_row = QHBoxLayout()
        self.book_button = QPushButton("Book this job")
        self.book_button.setToolTip("Create the repair job and book it at the earliest free slot "
                                    "(a do-not-drive diagnosis gets the earliest slot, others may move)")
        self.book_button.setEnabled(False)
        self.book_button.clicked.connect(self._book)
        book_row.addWidget(self.book_button)
        self.booking_message = QLabel("")
        self.booking_message.setObjectName("ToneText")
        self.booking_message.setWordWrap(True)
        book_row.addWidget(self.booking_message, 1)
        job_body.addLayout(book_row)
        col.addWidget(job_frame)
        plot_frame, plot_body = card(spacing=2)
        plot_body.addWidget(section_title("Evidence plot"))
        self.evidence_plot = EvidencePlot(theme)
        plot_body.addWidget(self.evidence_plot, 1)
        col.addWidget(plot_frame, 2)
        chat_frame, chat_body = card(spacing=2)
        chat_body.addWidget(section_title("Follow-up questions"))
        self.chat = ChatPanel()
        self.chat.question_asked.connect(self.chat_requested)
        chat_body.addWidget(self.chat, 1)
        col.addWidget(chat_frame, 2)
        return box

    # -- inputs ----------------------------------------------------------------------------------------

    def _source_changed(self) -> None:
        is_recording = self.source.currentData() == RECORDING
        self.recording.setEnabled(is_recording)
        if is_recording and self.recording.count() == 0:
            self.recordings_requested.emit()
        self._update_run_button()

    def set_live_available(self, available: bool, label: str = "") -> None:
        became_available = available and not getattr(self, "_live", False)
        self._live = available
        self.source.setItemText(0, f"Live car: {label}" if available and label else "Live car" if available else "Live car (not connected)")
        if not available and self.source.currentData() == LIVE:
            self.source.setCurrentIndex(1)
        elif became_available:  # a car just connected: it is what the technician wants diagnosed
            self.source.setCurrentIndex(0)
        self._source_changed()

    def set_recordings(self, recordings: Sequence[Any]) -> None:
        self.recording.clear()
        for r in recordings:
            when = r.started_at.strftime("%Y-%m-%d %H:%M") if getattr(r, "started_at", None) else ""
            self.recording.addItem(f"{when}  {r.vin or 'unknown VIN'}  ({str(r.id)[:8]})", r.id)
        self._update_run_button()

    def _update_run_button(self) -> None:
        if not hasattr(self, "run_button"):
            return
        ok = self._live if self.source.currentData() == LIVE else self.recording.count() > 0
        self.run_button.setEnabled(ok)

    def _run(self) -> None:
        source = self.source.currentData()
        recording = self.recording.currentData() if source == RECORDING else None
        self.run_requested.emit(source, recording, self.complaint.text().strip(), self.wants_pro.isChecked(), self.offline_only.isChecked())

    def _verdict(self, verdict: str) -> None:
        cause = self.selected_cause()
        if cause is not None:
            self.verdict_requested.emit(cause, verdict, self.verdict_note.text().strip())

    # -- results ---------------------------------------------------------------------------------------

    def set_model_status(self, text: str, online: bool) -> None:
        self.model_chip.setText(text or "Offline expert (no API key)")
        self.model_chip.setProperty("tone", "good" if online else "idle")
        repolish(self.model_chip)

    def set_running(self) -> None:
        self.run_button.setEnabled(False)
        self.progress.reset()
        self.chat.set_enabled(False)
        self._set_banner("Diagnosing… the offline answer is shown within a few seconds if the model is slow.", "idle")

    def set_progress(self, agent: str, state: str, detail: str) -> None:
        self.progress.set_state(agent, state, detail)

    def show_diagnosis(self, diagnosis: Any, source: str, *, signals: Any = None, pending: bool = False, replaced: bool = False) -> None:
        self.diagnosis = diagnosis
        if signals is not None:
            self.signals = signals
            span = signals.time_span() if hasattr(signals, "time_span") else None
            self._origin = span[0] if span else 0.0
        self.cause_model.set_rows([RankedCause(rank, cause) for rank, cause in enumerate(diagnosis.causes, 1)])
        self.test_model.set_rows(diagnosis.tests)
        self.summary.setText(diagnosis.summary)
        self.urgency_chip.setText(diagnosis.urgency.upper())
        self.urgency_chip.setToolTip(diagnosis.urgency_reason)
        self.urgency_chip.setProperty("tone", URGENCY_TONES.get(diagnosis.urgency, "idle"))
        repolish(self.urgency_chip)
        self._show_job(diagnosis.job)
        if diagnosis.source == "model":
            text = f"Gemini ({diagnosis.model}) · {source}"
            if diagnosis.input_tokens:
                text += f" · {diagnosis.input_tokens + diagnosis.output_tokens:,} tokens, ${diagnosis.cost_usd:.4f}"
            if replaced:
                text = "Model answer arrived and replaced the offline one. " + text
            tone = "good"
        else:
            text = f"OFFLINE expert (knowledge base) · {source}"
            if diagnosis.fallback_reason:
                text += f" · {diagnosis.fallback_reason}"
            tone = "warn"
        if diagnosis.dropped:
            text += f" · review removed {len(diagnosis.dropped)} item(s)"
        self._set_banner(text, tone)
        if not pending:
            self.progress.finish_pending()
        self.run_button.setEnabled(True)
        self._update_run_button()
        self.chat.set_enabled(True)
        if diagnosis.causes:
            self.cause_view.selectRow(0)
            self._show_cause(0)
        else:
            self.evidence_model.set_rows([])
            self._enable_verdicts(False)

    def show_error(self, text: str) -> None:
        self._set_banner(f"Diagnosis failed: {text}", "bad")
        self.progress.finish_pending("failed")
        self._update_run_button()

    def show_chat_answer(self, text: str) -> None:
        self.chat.add("assistant", text)
        self.chat.set_waiting(False)

    def show_chat_history(self, messages: Sequence[tuple[str, str]]) -> None:
        self.chat.clear()
        for role, text in messages:
            self.chat.add(role, text)

    def show_verdict_saved(self, text: str) -> None:
        self.verdict_message.setText(text)
        self.verdict_note.clear()

    def _set_banner(self, text: str, tone: str) -> None:
        self.banner.setText(text)
        self.banner.setProperty("tone", tone)
        repolish(self.banner)

    def _book(self) -> None:
        self.book_button.setEnabled(False)
        self.show_booking("Booking…", "idle")
        self.book_job_requested.emit()

    def show_booking(self, text: str, tone: str) -> None:
        """What became of "Book this job" (booked where, or why not)."""
        self.booking_message.setText(text)
        self.booking_message.setProperty("tone", tone)
        repolish(self.booking_message)
        if tone == "bad":  # not booked: the button may be tried again
            self.book_button.setEnabled(self.diagnosis is not None and self.diagnosis.job is not None)

    def _show_job(self, job: Any) -> None:
        self.book_button.setEnabled(job is not None)
        self.show_booking("", "idle")
        if job is None:
            self.job_label.setText("No repair proposed (no cause found).")
            return
        parts = ", ".join(job.parts) or "none listed"
        self.job_label.setText(f"<b>{job.title}</b><br>{job.labour_hours:g} h labour · skill: {job.skill} · bay: {job.bay_type}"
                               f"<br>Likely parts: {parts}")

    def selected_cause(self) -> Any:
        index = self.cause_view.currentIndex()
        return self.cause_model.row_at(index.row()).cause if index.isValid() else None

    def _enable_verdicts(self, enabled: bool) -> None:
        for button in self.verdict_buttons.values():
            button.setEnabled(enabled)

    def _show_cause(self, row: int) -> None:
        if row < 0 or row >= self.cause_model.rowCount():
            return
        cause = self.cause_model.row_at(row)
        self.evidence_model.set_rows(cause.evidence)
        self._enable_verdicts(True)
        self.verdict_message.setText("")
        first = next((i for i, e in enumerate(cause.evidence) if e.signal), None)
        if first is not None:
            self.evidence_view.selectRow(first)
            self.show_evidence(first)

    def show_evidence(self, row: int) -> None:
        """Jump the evidence plot to the cited signal and its time range."""
        if row < 0 or row >= self.evidence_model.rowCount():
            return
        e = self.evidence_model.row_at(row)
        if not e.signal:
            return
        series = _series(self.signals, e.signal)
        if series is None:
            self.evidence_plot.show_missing(e.signal)
            return
        t, values, unit = series
        self.evidence_plot.show_signal(e.signal, t, values, unit, e.t_start, e.t_end, origin=self._origin)

    def apply_theme(self, theme: Theme) -> None:
        self.evidence_plot.apply_theme(theme)


def _series(signals: Any, name: str) -> tuple[Any, Any, str] | None:
    """(t, values, unit) of a signal, or of a sum such as "stft_b1+ltft_b1" (total fuel trim) on the first one's time base."""
    if signals is None:
        return None
    parts = [signals.get(p) for p in name.split("+")]
    if not parts or any(p is None for p in parts):
        return None
    import numpy as np

    first = parts[0]
    total = first.values.astype(float).copy()
    for other in parts[1:]:
        total += np.interp(first.t, other.t, other.values)
    return first.t, total, first.unit
