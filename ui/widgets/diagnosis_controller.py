"""Wires the AI Diagnosis page to the diagnosis service: every call on a worker thread.

Progress from the agents (worker threads) and the model's late answer reach the GUI
thread as queued Qt signals; the page never sees the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from carvrooom_desktop.config.settings import Settings, load_settings
from carvrooom_desktop.errors import InvalidRequest
from ui.session_controller import describe_error
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from ui.bench_model import HasSession

log = logging.getLogger(__name__)


class DiagnosisController(QObject):
    progress = Signal(str, str, str)  # agent, state, detail (from worker threads)
    replaced = Signal(object, object, str)  # diagnosis id, model diagnosis or None, reason

    def __init__(self, page: Any, *, bench: HasSession, store: Any, bus: Any, parent: QObject | None = None,
                 settings: Callable[[], Settings] = lambda: load_settings()[0], models: Any = None,
                 actor: Callable[[], Any] = lambda: None) -> None:
        super().__init__(parent)
        self.page = page
        self.bench = bench
        self.store = store if getattr(store, "engine", None) is not None else None  # a real store, or none
        self.bus = bus
        self._settings = settings
        self.models = models  # tests: a fake chat-model factory instead of Gemini
        self._actor = actor  # the signed-in user: saving the AI settings needs CHANGE_SETTINGS
        self.runner = TaskRunner(self, max_threads=2)
        self.service: Any = None
        self.case: Any = None
        self.diagnosis: Any = None
        self.diagnosis_id: Any = None
        self.thread_id = ""
        self.progress.connect(page.set_progress)
        self.replaced.connect(self._on_replaced)
        page.run_requested.connect(self.run)
        page.verdict_requested.connect(self.record_verdict)
        page.chat_requested.connect(self.ask)
        page.settings_requested.connect(self.open_settings)
        page.recordings_requested.connect(self.refresh_recordings)
        self.refresh_model_status()

    def _service(self) -> Any:
        if self.service is None:
            from carvrooom_desktop.diagnosis.service import DiagnosisService

            self.service = DiagnosisService(self._settings(), store=self.store, events=self.bus, models=self.models)
        return self.service

    def refresh_model_status(self) -> None:
        if self.models is not None:
            self.page.set_model_status("Model: test double", True)
            return
        from carvrooom_desktop.config.secret_store import GEMINI_API_KEY, get_secret

        settings = self._settings()
        if get_secret(GEMINI_API_KEY):
            self.page.set_model_status(f"Gemini: {settings.gemini_flash_model}", True)
        else:
            self.page.set_model_status("Offline expert (no API key)", False)

    def set_session(self, session: Any) -> None:
        report = getattr(session, "report", None) if session is not None else None
        vehicle = getattr(report, "vehicle", None)
        self.page.set_live_available(report is not None, vehicle.label if vehicle is not None else "")

    def refresh_recordings(self) -> None:
        store = self.store
        if store is None:
            return
        self.runner.submit(lambda: store.recordings.list(), self.page.set_recordings,
                           lambda e: self.page.show_error(describe_error(e)), name="list recordings")

    # -- diagnosis -------------------------------------------------------------------------------------

    def run(self, source: str, recording_id: Any, complaint: str, wants_pro: bool, offline_only: bool) -> None:
        self.page.set_running()
        service = self._service()
        session = self.bench.session if source == "live" else None

        def work() -> tuple[Any, Any]:
            from carvrooom_desktop.diagnosis.cases import case_from_recording, case_from_session

            self.progress.emit("intake", "running", "reading the car and the checks")
            if source == "live":
                if session is None:
                    raise InvalidRequest("no car is connected: connect on the Connect page or choose a recording")
                case = case_from_session(session, repo=service.repo, complaint=complaint, wants_pro=wants_pro)
            else:
                if self.store is None:
                    raise ValueError("recordings need the store, which is not open")
                case = case_from_recording(self.store, service.repo, recording_id, complaint=complaint, wants_pro=wants_pro)
            outcome = service.diagnose(case, offline_only=offline_only, progress=self.progress.emit,
                                       on_replaced=self._replaced_from_thread)
            return case, outcome

        self.runner.submit(work, self._on_result, self._on_error, name="diagnose")

    def _replaced_from_thread(self, diagnosis_id: Any, diagnosis: Any, reason: str) -> None:
        try:
            self.replaced.emit(diagnosis_id, diagnosis, reason)
        except RuntimeError:  # the window was closed meanwhile; the store already has the answer
            log.info("late diagnosis arrived after the page was closed")

    def _on_result(self, result: tuple[Any, Any]) -> None:
        case, outcome = result
        self.case, self.diagnosis, self.diagnosis_id, self.thread_id = case, outcome.diagnosis, outcome.diagnosis_id, outcome.thread_id
        self.page.show_diagnosis(outcome.diagnosis, case.source, signals=case.signals, pending=outcome.pending)
        self.page.show_chat_history([])

    def _on_replaced(self, diagnosis_id: Any, diagnosis: Any, reason: str) -> None:
        if diagnosis is None or diagnosis_id != self.diagnosis_id:
            if diagnosis is None:
                self.page.progress.finish_pending("failed")
            return
        self.diagnosis = diagnosis
        self.page.show_diagnosis(diagnosis, self.case.source if self.case else "", replaced=True)

    def _on_error(self, exc: BaseException) -> None:
        self.page.show_error(describe_error(exc))

    # -- verdicts and chat --------------------------------------------------------------------------------

    def record_verdict(self, cause: Any, verdict: str, note: str) -> None:
        if self.diagnosis_id is None:
            self.page.show_verdict_saved("Verdicts need the store (not open): not saved.")
            return
        service, diagnosis_id = self._service(), self.diagnosis_id
        vin = self.case.input.vehicle.vin if self.case else ""
        cause_ref = cause.id or cause.title
        self.runner.submit(
            lambda: service.record_verdict(diagnosis_id, cause=cause_ref, system=cause.system, verdict=verdict, note=note, vin=vin),
            lambda _id: self.page.show_verdict_saved(f"Saved: {cause.title} — {verdict.replace('_', ' ')}. "
                                                     "Later diagnoses of similar cars take it into account."),
            lambda e: self.page.show_verdict_saved(f"Not saved: {describe_error(e)}"), name="verdict")

    def ask(self, question: str) -> None:
        if self.diagnosis is None:
            self.page.show_chat_answer("Run a diagnosis first.")
            return
        service, thread, diagnosis, case = self._service(), self.thread_id, self.diagnosis, self.case
        offline = self.page.offline_only.isChecked()
        self.runner.submit(lambda: service.ask(thread, question, diagnosis, case, offline_only=offline),
                           self.page.show_chat_answer, lambda e: self.page.show_chat_answer(f"(no answer: {describe_error(e)})"),
                           name="chat")

    # -- settings ---------------------------------------------------------------------------------------

    def open_settings(self) -> None:
        from ui.settings_dialog import AiSettingsDialog

        dialog = AiSettingsDialog(self._settings(), self.page, actor=self._actor())
        if dialog.exec():
            self.service = None  # rebuilt with the new settings and key on the next run
            self.refresh_model_status()

    def wait(self) -> None:
        self.runner.wait()
        if self.service is not None:
            self.service.close()
