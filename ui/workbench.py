"""Registers the workspaces in the main window and wires them to the session and the store.

Pages only emit ``*_requested`` signals and take results through plain methods; this is
the one place that connects them to the session controller, the store (read on a worker),
the event bridge and the status bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from carvrooom_desktop import events as ev
from ui.adapter_finder import AdapterFinder
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
        self.store_runner = TaskRunner(self, max_threads=1)
        self.finder = AdapterFinder(self)
        self.finder.started.connect(lambda: self._call("connect", "set_finding", True))
        self.finder.found.connect(lambda found: self._call("connect", "set_ports", found))
        self.finder.failed.connect(lambda text: self._call("connect", "show_find_error", text))
        self.finder.can_started.connect(lambda: self._call("connect", "set_finding", True, "can"))
        self.finder.can_found.connect(lambda result: self._call("connect", "set_can_channels", result))
        self.finder.can_failed.connect(lambda text: self._call("connect", "show_find_error", text, "can"))
        self.bridge = QtEventBridge(
            bus, (ev.CONNECTION_STATE, ev.TELEMETRY_RECEIVED, ev.RECORDING_CHANGED, ev.SYNC_STATE, ev.SIGNALS_DROPPED), self
        )
        self.bridge.event.connect(self._on_event)
        self._recording_timer = QTimer(self)
        self._recording_timer.setInterval(250)
        self._recording_timer.timeout.connect(self._show_recording_elapsed)
        from ui.widgets.recording_io import RecordingIO  # import, export, replay, compare, dropped files

        self.io = RecordingIO(self, window.ui_state)
        self._register_workspaces()
        self._wire_controller()
        self._wire_window()
        status = window.status
        if store is not None:
            status.set_store(store.display_url)
        else:
            status.set_store(None, store_problem)
        status.set_sync("not configured")

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
        }
        sections = {"Bench": list(bench), "Workshop": [], "Management": []}
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
        page = ConnectWorkspace(self._faults, self._seed)
        page.connect_requested.connect(self.controller.connect_to)
        page.disconnect_requested.connect(self.controller.disconnect_session)
        page.find_adapters_requested.connect(self.finder.find)
        page.find_interfaces_requested.connect(self.finder.find_can)
        page.ignition_requested.connect(self.controller.set_ignition)
        request = self.controller.request
        if self.controller.session is not None and request is not None:
            page.set_state("connected", kind=request.kind)
            page.show_self_test(self.controller.last_report)
        return page

    def _make_diagnostics(self) -> QWidget:
        page = DiagnosticsWorkspace()
        page.rescan_requested.connect(self.controller.rescan)
        page.clear_codes_requested.connect(lambda: self.controller.clear_codes(self._role()))
        if self.controller.last_report is not None:
            page.show_report(self.controller.last_report)
            page.set_connected(self.controller.session is not None)
        return page

    def _make_live(self) -> QWidget:
        from ui.workspaces.live import LiveWorkspace  # imports pyqtgraph

        page = LiveWorkspace(self.theme.current, self._plotted)
        page.record_requested.connect(lambda: self.controller.start_recording())
        page.stop_requested.connect(self.controller.stop_recording)
        page.mark_requested.connect(self.controller.mark)
        if self.controller.session is not None:
            page.set_source(self.controller.session, self._units())
        return page

    def _make_recordings(self) -> QWidget:
        page = RecordingsWorkspace(self.theme.current, self._plotted)
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
        page.set_recent(self.io.recent_files())
        if self.store is None:
            page.set_unavailable(self.store_problem or "the store could not be opened")
        else:
            QTimer.singleShot(0, page.request_refresh)
        return page

    def _make_health(self) -> QWidget:
        from ui.workspaces.health import HealthController, HealthWorkspace  # imports pyqtgraph and numpy

        page = HealthWorkspace(self.theme.current)
        self.health = HealthController(page, session=lambda: self.controller.session, store=self.store, bus=self.bus, parent=self)
        self.window.closing.connect(self.health.wait)
        return page

    def _make_ai(self) -> QWidget:
        from ui.widgets.diagnosis_controller import DiagnosisController  # no LangGraph yet: that loads on the first run
        from ui.workspaces.diagnosis import DiagnosisWorkspace

        page = DiagnosisWorkspace(self.theme.current)
        self.ai = DiagnosisController(page, session=lambda: self.controller.session, store=self.store, bus=self.bus, parent=self)
        self.ai.set_session(self.controller.session)
        self.controller.connected.connect(lambda _report: self.ai.set_session(self.controller.session))
        self.controller.disconnected.connect(lambda: self.ai.set_session(None))
        self.controller.recording_stopped.connect(lambda _recording: self.ai.refresh_recordings())
        self.theme.changed.connect(lambda _name: page.apply_theme(self.theme.current))
        self.window.closing.connect(self.ai.wait)
        return page

    def _make_trace(self) -> QWidget:
        from ui.widgets.trace_controller import make_trace_page  # python-can loads with the first feed

        page, self.trace = make_trace_page(self.controller, self._role, self)
        self.window.closing.connect(self.trace.wait)
        return page

    def _make_compare(self) -> QWidget:
        from ui.workspaces.comparison import ComparisonWorkspace

        page = ComparisonWorkspace(self.theme.current)
        page.compare_requested.connect(self.io.compare)
        page.cancel_requested.connect(self.io.cancel.set)
        QTimer.singleShot(0, self.io.refresh_compare_choices)
        return page

    def _page(self, key: str) -> Any:
        return self.window.built_page(key)

    # -- session ----------------------------------------------------------------------------------------

    def _wire_controller(self) -> None:
        c = self.controller
        c.connecting.connect(self._on_connecting)
        c.connected.connect(self._on_connected)
        c.connect_failed.connect(self._on_connect_failed)
        c.disconnected.connect(self._on_disconnected)
        c.scan_started.connect(lambda: self._call("diagnostics", "set_busy", True))
        c.scan_ready.connect(lambda report: self._call("diagnostics", "show_report", report))
        c.scan_failed.connect(lambda text: self._call("diagnostics", "show_error", text))
        c.recording_changed.connect(self._on_recording_changed)
        c.recording_stopped.connect(self._on_recording_stopped)
        c.recording_failed.connect(self._on_recording_failed)
        c.clear_started.connect(lambda: self._call("diagnostics", "set_clearing"))
        c.codes_cleared.connect(lambda report: self._call("diagnostics", "show_cleared", report))
        c.clear_failed.connect(lambda text: self._call("diagnostics", "show_clear_error", text))
        c.ignition_changed.connect(lambda on: self._call("connect", "set_ignition", on))
        c.ignition_failed.connect(lambda text: self._call("connect", "show_ignition_error", text))

    def _call(self, key: str, method: str, *args: Any, **kwargs: Any) -> None:
        page = self._page(key)
        if page is not None:
            getattr(page, method)(*args, **kwargs)

    def _on_connecting(self) -> None:
        self._call("connect", "set_state", "connecting")
        self.window.status.set_connection_text("Connecting…", "idle")

    def _on_connected(self, report: Any) -> None:
        vehicle = getattr(report, "vehicle", None)
        label = vehicle.label if vehicle is not None else "the car"
        request = self.controller.request
        self._call("connect", "set_state", "connected", f"Connected to {label}.", kind=request.kind if request else None)
        self._call("connect", "show_self_test", report)
        diagnostics = self.window.page("diagnostics")
        diagnostics.show_report(report)
        diagnostics.show_message("", "idle")
        self._call("live", "set_source", self.controller.session, self._units())
        self.window.status.set_connection("car_connected", _short_name(vehicle))
        self.window.show_workspace("diagnostics")

    def _on_connect_failed(self, text: str) -> None:
        self._call("connect", "show_error", text)
        self.window.status.set_connection_text("Not connected (connect failed)", "bad")

    def _on_disconnected(self) -> None:
        self._call("connect", "set_state", "idle", "Disconnected.")
        self._call("diagnostics", "set_connected", False)
        self._call("live", "set_source", None)
        self.window.status.set_connection_text("Not connected")
        self.window.status.set_bus_load(None)

    def _units(self) -> dict[str, str]:
        session = self.controller.session
        if session is None:
            return {}
        try:
            return {d.name: d.unit for d in session.signal_definitions()}
        except Exception:  # units are cosmetic; a broken catalogue must not stop the live view
            log.warning("signal definitions unavailable", exc_info=True)
            return {}

    # -- recording ------------------------------------------------------------------------------------

    def _on_recording_changed(self, recording: bool) -> None:
        if recording:
            self._recording_timer.start()
        else:
            self._recording_timer.stop()
        self.window.status.set_recording(recording, 0.0)
        self._call("live", "set_recording", recording, 0.0)

    def _show_recording_elapsed(self) -> None:
        elapsed = self.controller.recording_elapsed_s
        if elapsed is None:
            return
        self.window.status.set_recording(True, elapsed)
        self._call("live", "set_recording", True, elapsed)

    def _on_recording_stopped(self, recording: Any) -> None:
        if recording is not None:
            self.window.status.showMessage(
                f"Recording saved: {recording.sample_count:,} samples, {recording.frame_count:,} frames", 8000
            )
        self._call("recordings", "request_refresh")

    def _on_recording_failed(self, text: str) -> None:
        self._call("live", "show_error", text)
        self.window.status.showMessage(f"Recording problem: {text}", 15000)

    # -- store ----------------------------------------------------------------------------------------

    def refresh_recordings(self, text: str = "") -> None:
        store = self.store
        if store is None:
            return
        self.store_runner.submit(
            lambda: store.recordings.list(text=text or None),
            lambda rows: (self._call("recordings", "set_recordings", rows),
                          None if text else self._call("compare", "set_recordings", rows)),
            self._store_error,
            name="list recordings",
        )

    def open_recording(self, recording_id: Any) -> None:
        from ui.widgets.recording_viewer import load_for_viewer  # no pyqtgraph until a recording is opened

        store = self.store
        if store is None:
            return
        self.store_runner.submit(
            lambda: load_for_viewer(store, recording_id, self._plotted),  # only the signals plotted first
            lambda result: self._call("recordings", "show_recording", *result),
            self._store_error,
            name="open recording",
        )

    def delete_recording(self, recording_id: Any) -> None:
        store = self.store
        if store is None:
            return
        page = self._page("recordings")
        text = page.filter_edit.text().strip() if page is not None else ""
        self.store_runner.submit(
            lambda: (store.recordings.soft_delete(recording_id), store.recordings.list(text=text or None))[1],
            lambda rows: self._call("recordings", "set_recordings", rows),
            self._store_error,
            name="delete recording",
        )

    def _store_error(self, exc: BaseException) -> None:
        report_unexpected(exc)
        self._call("recordings", "show_error", describe_error(exc))

    # -- events and theme ---------------------------------------------------------------------------

    def _on_event(self, topic: str, payload: Any) -> None:
        status = self.window.status
        if topic == ev.CONNECTION_STATE:
            vehicle = getattr(self.controller.last_report, "vehicle", None)
            connected = connection_key(payload) == "car_connected"
            status.set_connection(payload, _short_name(vehicle) if connected else "")
        elif topic == ev.TELEMETRY_RECEIVED:
            session = self.controller.session
            status.set_bus_load(session.bus_load_percent() if session is not None else None)
        elif topic == ev.RECORDING_CHANGED:
            self._call("recordings", "request_refresh")
        elif topic == ev.SYNC_STATE:
            status.set_sync(str(getattr(payload, "value", payload)))
        elif topic == ev.SIGNALS_DROPPED:
            self._call("diagnostics", "show_dropped", payload)
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
        self.window.set_theme_checked(name)
        for key in ("live", "recordings", "health", "compare"):
            self._call(key, "apply_theme", self.theme.current)

    def shutdown(self) -> None:
        """Window closing: stop recording, close the session, finish store work."""
        self._recording_timer.stop()
        self.bridge.close()
        self.controller.shutdown()
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
