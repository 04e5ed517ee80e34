"""Registers the workspaces in the main window; owns the bench model, the store worker and the status bar.

Each page binds itself to the :class:`~ui.bench_model.BenchModel` (session, report, live
source, recordings) and the recordings IO when it is built, and reads the current state
once; pages ask for things through ``*_requested`` signals. Nothing here drives a page by
name: this module only builds pages, runs store work and keeps the status bar current.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from carvrooom_desktop import events as ev
from ui.adapter_finder import AdapterFinder
from ui.bench_model import BenchModel
from ui.event_bridge import QtEventBridge
from ui.main_window import MainWindow
from ui.session_controller import SessionController, describe_error, report_unexpected
from ui.status_bar import connection_key
from ui.theme import ThemeManager
from ui.workers import TaskRunner
from ui.workspaces import DEFAULT_LIVE_PLOTS
from ui.workspaces.connect import ConnectWorkspace
from ui.workspaces.diagnostics import DiagnosticsWorkspace
from ui.workspaces.planned import PLANNED_WORKSPACES, PlannedWorkspace
from ui.workspaces.recordings import RecordingsWorkspace

if TYPE_CHECKING:
    from carvrooom_desktop.acquisition.scan import ScanReport
    from carvrooom_desktop.domain import Recording

log = logging.getLogger(__name__)


class Workbench(QObject):
    def __init__(
        self,
        window: MainWindow,
        *,
        theme: ThemeManager,
        controller: SessionController,
        bus: ev.EventBus,
        store: Any | None,
        store_problem: str = "",
        faults: Sequence[tuple[str, str]] = (),
        seed: int = 0,
        plotted_signals: Sequence[str] = DEFAULT_LIVE_PLOTS,
        on_theme_chosen: Callable[[str], None] | None = None,
        role: Callable[[], str] = lambda: "technician",
        sync: Any | None = None,
        people: Any | None = None,
        actor: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.theme = theme
        self.controller = controller
        self.store = store
        self.bus = bus  # the Health page publishes health.changed on it
        self.store_problem = store_problem
        self._faults = tuple(faults)
        self._seed = seed
        self._plotted = tuple(plotted_signals)
        self._on_theme_chosen = on_theme_chosen
        self._role = role  # the workstation's role (settings.role), read when codes are cleared
        self.people = people  # carvrooom_desktop.people.People of the store (the Admin page), None without one
        self._actor = actor or (lambda: None)  # the signed-in user (the shift's, or the demo user)
        self.store_runner = TaskRunner(self, max_threads=1)
        self.finder = AdapterFinder(self)
        self.model = BenchModel(controller, self)
        self.bridge = QtEventBridge(
            bus, (ev.CONNECTION_STATE, ev.TELEMETRY_RECEIVED, ev.RECORDING_CHANGED, ev.SIGNALS_DROPPED), self
        )
        self.bridge.received.connect(self._on_event)
        from ui.widgets.sync_controller import SyncController  # sync.state, the Sync page, recordings' downloads

        self.sync = SyncController(sync, bus, self)  # ``sync``: the store's WorkstationSync (None without a store)
        from ui.alert_desk import AlertDesk  # alerts run from the start, whether or not their page is open

        self.alerts = AlertDesk(store, bus, who=lambda: getattr(self._actor(), "name", None) or self._role(), role=self._role,
                                parent=self)  # acknowledged by the signed-in user's name
        from ui.widgets.recording_io import RecordingIO  # import, export, replay, compare, dropped files

        self.io = RecordingIO(self.model, window, store, window.ui_state, self)
        self.schedule_desk: Any = None  # the Schedule page's model, made with the first page that needs it
        self._register_workspaces()
        self._wire_controller()
        self._wire_window()
        status = window.status
        if store is not None:
            status.set_store(store.display_url)
        else:
            status.set_store(None, store_problem)
        status.show_sync(self.sync.status())
        self.sync.status_changed.connect(status.show_sync)

    # -- pages ----------------------------------------------------------------------------------------

    def _register_workspaces(self) -> None:
        w = self.window
        planned = {key: (title, section, summary, features) for key, title, section, summary, features in PLANNED_WORKSPACES}
        bench = ("connect", "diagnostics", "live", "recordings", "trace", "compare", "health", "ai")
        builtin: dict[str, tuple[str, Callable[[], QWidget]]] = {
            "connect": ("Connect", self._make_connect),
            "diagnostics": ("Diagnostics", self._make_diagnostics),
            "live": ("Live data", self._make_live),
            "recordings": ("Recordings", self._make_recordings),
            "trace": ("CAN trace", self._make_trace),
            "compare": ("Before / after", self._make_compare),
            "health": ("Health", self._make_health),
            "ai": ("AI Diagnosis", self._make_ai),
            "sync": ("Sync", self._make_sync),
            "schedule": ("Schedule", self._make_schedule),
            "admin": ("Admin", self._make_admin),
            "alerts": ("Alerts", self._make_alerts),
            "warranty": ("Warranty", self._make_warranty),
            "fleet": ("Fleet", self._make_fleet),
        }
        sections = {"Bench": list(bench), "Workshop": [], "Management": ["sync", "alerts"]}
        for key, (_t, section, _s, _f) in planned.items():
            if key not in sections["Bench"]:
                sections[section].append(key)
        for section, keys in sections.items():
            w.add_section(section)
            for key in keys:
                if key in builtin:
                    title, factory = builtin[key]
                    w.add_workspace(key, title, factory)
                else:
                    title, _section, summary, features = planned[key]
                    w.add_workspace(key, title, _planned_factory(title, summary, features), tooltip="Not built yet")

    def _make_connect(self) -> QWidget:
        return ConnectWorkspace(self._faults, self._seed, model=self.model, finder=self.finder)

    def _make_diagnostics(self) -> QWidget:
        page = DiagnosticsWorkspace(self.model)
        page.clear_codes_requested.connect(lambda: self.controller.clear_codes(self._role()))
        store = self.store if getattr(self.store, "engine", None) is not None else None

        def module_scanner() -> Any:  # every module over UDS (issue 18): the stack loads with the first scan, on its worker
            from carvrooom_desktop.uds.scanner import ModuleScanner

            return ModuleScanner(store)

        page.modules.set_scanner(module_scanner, lambda: self.controller.request if self.controller.session is not None else None,
                                 self._role)
        self.window.closing.connect(page.modules.shutdown)
        return page

    def _make_live(self) -> QWidget:
        from ui.workspaces.live import LiveWorkspace  # imports pyqtgraph

        page = LiveWorkspace(self.theme.current, self._plotted, model=self.model, io=self.io)
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        return page

    def _make_recordings(self) -> QWidget:
        page = RecordingsWorkspace(self.theme.current, self._plotted, model=self.model, io=self.io)
        page.refresh_requested.connect(self.refresh_recordings)
        page.open_requested.connect(self.open_recording)
        page.delete_requested.connect(self.delete_recording)
        page.import_requested.connect(self.io.import_log)
        page.export_requested.connect(self.io.export)
        page.replay_requested.connect(self.io.start_replay)
        page.trace_requested.connect(self.io.trace)
        page.compare_requested.connect(self.io.compare)
        page.notes_requested.connect(self.io.save_notes)
        page.cancel_requested.connect(self.io.cancel.set)
        page.samples_requested.connect(self.io.load_signals)
        page.decoded_names_requested.connect(self.io.offer_decoded_names)
        page.claim_requested.connect(self._claim_from_recording)
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        page.set_recent(self.io.recent_files())
        page.bind_sync(self.sync)
        if self.store is None:
            page.set_unavailable(self.store_problem or "the store could not be opened")
        else:
            QTimer.singleShot(0, page.request_refresh)
        return page

    def _make_health(self) -> QWidget:
        from ui.workspaces.health import HealthController, HealthWorkspace  # imports pyqtgraph and numpy

        page = HealthWorkspace(self.theme.current)
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        self.health = HealthController(page, bench=self.model, store=self.store, bus=self.bus, parent=self)
        self.window.closing.connect(self.health.wait)
        return page

    def _make_ai(self) -> QWidget:
        from ui.widgets.diagnosis_controller import DiagnosisController  # no LangGraph yet: that loads on the first run
        from ui.workspaces.diagnosis import DiagnosisWorkspace

        page = DiagnosisWorkspace(self.theme.current)
        self.ai = DiagnosisController(page, bench=self.model, store=self.store, bus=self.bus, parent=self, actor=self._actor)
        self.ai.set_session(self.controller.session)
        self.controller.connected.connect(lambda _report: self.ai.set_session(self.controller.session))
        self.controller.disconnected.connect(lambda: self.ai.set_session(None))
        self.controller.recording_stopped.connect(lambda _recording: self.ai.refresh_recordings())
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        self.window.closing.connect(self.ai.wait)
        desk = self._schedule_desk()  # "Book this job": booked through the Schedule page's desk, built or not
        page.book_job_requested.connect(lambda: desk.book_diagnosis(self.ai.diagnosis_id))
        desk.diagnosis_booked.connect(lambda diagnosis_id, text, tone: page.show_booking(text, tone)
                                      if diagnosis_id == self.ai.diagnosis_id else None)
        return page

    def _make_schedule(self) -> QWidget:
        from ui.workspaces.schedule import ScheduleWorkspace

        page = ScheduleWorkspace(self.theme.current, self._schedule_desk())
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        return page

    def _schedule_desk(self) -> Any:
        """The Schedule page's model (store work on its own thread), made on first use."""
        if self.schedule_desk is None:
            from carvrooom_desktop.storage.diagnoses import DiagnosisRepository
            from ui.schedule_model import ScheduleDesk

            store = self.store if getattr(self.store, "engine", None) is not None else None  # a real store, or none
            self.schedule_desk = ScheduleDesk(
                store.workshop if store is not None else None,
                unavailable=self.store_problem or "the store could not be opened",
                diagnoses=DiagnosisRepository(store.engine, store.origin) if store is not None else None, parent=self)
            self.window.closing.connect(self.schedule_desk.wait)
        return self.schedule_desk

    def _make_trace(self) -> QWidget:
        from ui.widgets.trace_controller import make_trace_page  # python-can loads with the first feed

        page, self.trace = make_trace_page(self.controller, self._role, self, self.io)
        self.window.closing.connect(self.trace.wait)
        return page

    def _claim_from_recording(self, recording_id: Any) -> None:
        page: Any = self.window.show_workspace("warranty")  # WarrantyWorkspace, built on first use
        page.open_new_claim(recording_id)

    def _claim_actor(self) -> Any:
        """Who moves a claim: the signed-in user; in demo mode the workstation's role (as before users existed)."""
        actor = self._actor()
        return actor if actor is not None and not getattr(actor, "demo", False) else self._role()

    def _make_warranty(self) -> QWidget:
        from carvrooom_desktop.config.settings import load_settings
        from carvrooom_desktop.warranty.desk import WarrantyDesk
        from ui.workspaces.warranty import WarrantyWorkspace

        store = self.store if getattr(self.store, "engine", None) is not None else None
        desk = WarrantyDesk(store, workshop=load_settings()[0].workshop(), publish=self.bus.publish) if store is not None else None
        page = WarrantyWorkspace(desk, self._claim_actor, unavailable=self.store_problem or "")
        self.warranty_page = page
        return page

    def _make_alerts(self) -> QWidget:
        from ui.workspaces.alerts import AlertsWorkspace

        page = AlertsWorkspace(self.theme.current, self.alerts)
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        return page

    def _make_admin(self) -> QWidget:
        from ui.workspaces.admin import AdminWorkspace

        page = AdminWorkspace(self.people, self._actor, unavailable="" if self.people is not None else
                              (self.store_problem or "the store could not be opened"))
        self.window.closing.connect(page.wait)
        return page

    def _make_sync(self) -> QWidget:
        from ui.sync_settings_dialog import open_sync_settings
        from ui.workspaces.sync import SyncWorkspace

        page = SyncWorkspace(self.theme.current, controller=self.sync)
        page.settings_requested.connect(lambda: open_sync_settings(self.sync, self.window))
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        return page

    def _make_compare(self) -> QWidget:
        from ui.workspaces.comparison import ComparisonWorkspace

        page = ComparisonWorkspace(self.theme.current, model=self.model, io=self.io)
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        QTimer.singleShot(0, self.io.refresh_compare_choices)
        return page

    def _make_fleet(self) -> QWidget:
        from ui.workspaces.fleet import FleetDesk, FleetWorkspace  # pyqtgraph for the health plot

        desk = FleetDesk(self.store if getattr(self.store, "engine", None) is not None else None,
                         unavailable=self.store_problem or "the store could not be opened", parent=self)
        page = FleetWorkspace(self.theme.current, role=self._role, desk=desk)
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        self.window.closing.connect(desk.wait)
        QTimer.singleShot(0, page.request_refresh)
        return page

    # -- session ----------------------------------------------------------------------------------------

    def _wire_controller(self) -> None:
        """The status bar and the page to show after a connect: the shell's business, not the pages'."""
        c = self.controller
        status = self.window.status
        c.connecting.connect(lambda: status.set_connection_text("Connecting…", "idle"))
        c.connected.connect(self._on_connected)
        c.connect_failed.connect(lambda _text: status.set_connection_text("Not connected (connect failed)", "bad"))
        c.disconnected.connect(self._on_disconnected)
        self.model.recording_clock.connect(status.set_recording)
        c.recording_stopped.connect(self._on_recording_stopped)
        c.recording_failed.connect(lambda text: status.showMessage(f"Recording problem: {text}", 15000))

    def _on_connected(self, report: ScanReport) -> None:
        self.window.status.set_connection("car_connected", _short_name(report.vehicle))
        self.window.show_workspace("diagnostics")

    def _on_disconnected(self) -> None:
        self.window.status.set_connection_text("Not connected")
        self.window.status.set_bus_load(None)

    def _on_recording_stopped(self, recording: Recording | None) -> None:
        if recording is not None:
            self.window.status.showMessage(
                f"Recording saved: {recording.sample_count:,} samples, {recording.frame_count:,} frames", 8000
            )
        self.model.recordings_stale.emit()

    # -- store ----------------------------------------------------------------------------------------

    def refresh_recordings(self, text: str = "") -> None:
        store = self.store
        if store is None:
            return
        self.store_runner.submit(
            lambda: store.recordings.list(text=text or None),
            lambda rows: self.model.set_recordings(rows, text),
            self._store_error,
            name="list recordings",
        )

    def open_recording(self, recording_id: Any) -> None:
        """A recording another workstation made may be here as metadata only: sync fetches its data first."""
        if self.store is not None:
            self.sync.open_recording(recording_id, self._load_recording)

    def _load_recording(self, recording_id: Any) -> None:
        from ui.widgets.recording_viewer import load_for_viewer  # no pyqtgraph until a recording is opened

        store = self.store
        if store is None:
            return
        self.store_runner.submit(
            lambda: load_for_viewer(store, recording_id, self._plotted),  # only the signals plotted first
            lambda result: self.model.recording_opened.emit(*result),
            self._store_error,
            name="open recording",
        )

    def delete_recording(self, recording_id: Any) -> None:
        store = self.store
        if store is None:
            return
        self.store_runner.submit(
            lambda: store.recordings.soft_delete(recording_id),
            lambda _done: self.model.recordings_stale.emit(),  # the page asks again with its own filter
            self._store_error,
            name="delete recording",
        )

    def _store_error(self, exc: BaseException) -> None:
        report_unexpected(exc)
        self.model.store_failed.emit(describe_error(exc))

    # -- events and theme ---------------------------------------------------------------------------

    def _on_event(self, topic: str, payload: Any) -> None:
        status = self.window.status
        if topic == ev.CONNECTION_STATE:
            report = self.controller.last_report
            vehicle = report.vehicle if report is not None else None
            connected = connection_key(payload) == "car_connected"
            status.set_connection(payload, _short_name(vehicle) if connected else "")
        elif topic == ev.TELEMETRY_RECEIVED:
            session = self.controller.session
            status.set_bus_load(session.bus_load_percent() if session is not None else None)
        elif topic == ev.RECORDING_CHANGED:
            self.model.recordings_stale.emit()
        elif topic == ev.SIGNALS_DROPPED:
            self.model.add_dropped(payload)
            status.showMessage(f"Live data: {', '.join(payload)} dropped from polling (see Diagnostics)", 10_000)

    def _wire_window(self) -> None:
        self.window.theme_requested.connect(self._apply_theme)
        self.theme.changed.connect(self._theme_changed)
        self.window.set_theme_checked(self.theme.current.name)
        self.window.closing.connect(self.shutdown)
        self.window.files_dropped.connect(self.io.open_files)
        self.window.ai_settings_requested.connect(self._open_ai_settings)

    def _open_ai_settings(self) -> None:
        self.window.show_workspace("ai")  # builds the page (and its controller) on first use
        self.ai.open_settings()

    def _apply_theme(self, name: str) -> None:
        self.theme.apply(name)
        if self._on_theme_chosen is not None:
            self._on_theme_chosen(self.theme.current.name)

    def _theme_changed(self, name: str) -> None:
        self.window.set_theme_checked(name)  # each page follows self.theme.changed itself

    def shutdown(self) -> None:
        """Window closing: stop recording, close the session, finish store work."""
        self.bridge.close()
        self.sync.close()
        self.alerts.close()
        self.controller.shutdown()
        if getattr(self, "warranty_page", None) is not None:
            self.warranty_page.shutdown()
        self.store_runner.wait()
        self.io.wait()
        self.finder.wait()


def _short_name(vehicle: Any) -> str:
    """"2009 Honda" for the status bar (the VIN is on the Diagnostics page)."""
    if vehicle is None:
        return ""
    name = " ".join(str(p) for p in (vehicle.year or "", vehicle.make, vehicle.model) if p)
    return name or vehicle.vin


def _planned_factory(title: str, summary: str, features: Sequence[str]) -> Callable[[], QWidget]:
    return lambda: PlannedWorkspace(title, summary, features)
