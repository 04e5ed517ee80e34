"""Import, export, replay, trace and compare recordings; dropped log and DBC files; recent files.

The glue between the Recordings, Live, CAN trace and Before/after pages and the core
(``acquisition.log_import``, ``log_export``, ``replay``, ``comparison``). Every store or
file operation runs on a worker; progress comes back through a Qt signal (queued to
the GUI thread, at most ~20 times a second) and a ``threading.Event`` cancels.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from ui.session_controller import describe_error, report_unexpected
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

DATABASE_SUFFIXES = frozenset({".dbc", ".kcd", ".arxml", ".sym"})
LOG_SUFFIXES = frozenset({".blf", ".asc", ".trc", ".log", ".csv", ".mf4", ".mdf"})
RECENT_KEY = "recent/files"
MAX_RECENT = 10
PROGRESS_EVERY_S = 0.05


class _Progress(QObject):
    changed = Signal(int, int)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:  # called on the worker thread
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S or done >= total:
            self._last = now
            self.changed.emit(int(done), int(total))


class RecordingIO(QObject):
    def __init__(self, bench: Any, ui_state: QSettings | None) -> None:
        super().__init__(bench)
        self.bench = bench
        self.ui_state = ui_state
        self.runner = TaskRunner(self, max_threads=1)
        self.cancel = threading.Event()
        self.database: Any = None  # a signal database the technician dropped or chose: used for imports and the trace
        self.database_path = ""
        self.replay: Any = None
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(250)
        self._replay_timer.timeout.connect(self._show_replay_position)
        bench.controller.connected.connect(lambda _report: self.stop_replay(reattach=False))
        # a disconnect empties the Live page; a replay playing there stays (next turn of the event loop)
        bench.controller.disconnected.connect(lambda: QTimer.singleShot(0, self._keep_replay_on_live))

    @property
    def store(self) -> Any:
        return self.bench.store

    def _page(self, key: str) -> Any:
        return self.bench.window.built_page(key)

    def _run(self, name: str, work: Callable[[], Any], done: Callable[[Any], None], page_key: str = "recordings") -> None:
        def failed(exc: BaseException) -> None:
            report_unexpected(exc)
            page = self._page(page_key)
            if page is not None:
                page.set_idle(f"{name.capitalize()} failed: {describe_error(exc)}") if hasattr(page, "set_idle") \
                    else page.show_error(describe_error(exc))

        self.runner.submit(work, done, failed, name=name)

    # -- files ----------------------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self.ui_state.value(RECENT_KEY, []) if self.ui_state is not None else []
        return [str(v) for v in (value if isinstance(value, list) else [value] if value else [])]

    def _remember(self, path: str) -> None:
        if self.ui_state is None:
            return
        files = [path, *(p for p in self.recent_files() if p != path)][:MAX_RECENT]
        self.ui_state.setValue(RECENT_KEY, files)
        page = self._page("recordings")
        if page is not None:
            page.set_recent(files)

    def open_files(self, paths: list[str]) -> None:
        """Dropped on the window or picked from Recent: databases first (so a log dropped with its DBC decodes)."""
        ordered = sorted(paths, key=lambda p: Path(p).suffix.lower() not in DATABASE_SUFFIXES)
        for path in ordered:
            suffix = Path(path).suffix.lower()
            if suffix in DATABASE_SUFFIXES:
                self.load_database(path)
            else:
                self.import_log(path)

    def load_database(self, path: str) -> None:
        def work() -> Any:
            from drivers.signal_db import load_signal_database

            database = load_signal_database(Path(path))
            # set here, on the one worker thread, so an import queued behind this load already uses it
            self.database, self.database_path = database, path
            return database

        def done(database: Any) -> None:
            self._remember(path)
            self._use_database_live(database)
            live = self._page("live")
            if live is not None:
                live.refresh_definitions()
            trace = self._page("trace")
            if trace is not None and trace.feed is None:
                from carvrooom_desktop.acquisition.decode import BatchDecoder

                trace.set_decoder(BatchDecoder(database))
            self.bench.window.status.showMessage(f"Signal database {Path(path).name}: {len(database.messages)} messages", 10_000)

        self._run("loading the signal database", work, done)

    def _use_database_live(self, database: Any) -> None:
        session = self.bench.controller.session
        use = getattr(session, "use_signal_database", None)
        if use is None:
            return
        try:
            use(database)
        except RuntimeError as e:  # an ELM327 carries no broadcast frames
            self.bench.window.status.showMessage(f"Signal database kept for imports: {e}", 10_000)

    # -- import / export ------------------------------------------------------------------------

    def import_log(self, path: str) -> None:
        store = self.store
        page = self.bench.window.page("recordings")
        if store is None:
            page.set_idle("Nothing can be imported: the store is not open.")
            return
        self.cancel.clear()
        progress = _Progress(self)
        progress.changed.connect(page.set_progress)
        page.set_busy(f"Importing {Path(path).name}…")
        cancel = self.cancel

        def work() -> Any:
            from carvrooom_desktop.acquisition.log_import import import_log

            return import_log(store, path, dbc=self.database, progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            self._remember(path)
            lines = result.report.bad_lines
            detail = f" Bad lines: {', '.join(f'{b.line_no} ({b.reason})' for b in lines[:3])}." if lines else ""
            state = "Import cancelled; what was read is kept" if result.cancelled else "Imported"
            page.set_idle(f"{state}: {Path(path).name}: {result.summary()}.{detail}")
            page.request_refresh()

        self._run("import", work, done)

    def export(self, recording_id: Any, path: str, fmt: str) -> None:
        store = self.store
        page = self.bench.window.page("recordings")
        self.cancel.clear()
        progress = _Progress(self)
        progress.changed.connect(page.set_progress)
        page.set_busy(f"Exporting as {fmt}…")
        cancel = self.cancel

        def work() -> Any:
            from carvrooom_desktop.acquisition.log_export import export_recording

            database = self._database_for(store, store.recordings.get(recording_id)) if fmt == "csv" else None
            return export_recording(store, recording_id, path, fmt, dbc=database, progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            if result.cancelled:
                page.set_idle("Export cancelled; no partial file was left.")
            else:
                self._remember(path)
                page.set_idle(f"Exported {result.rows:,} {'rows' if fmt == 'csv' else 'frames'} to {path}")

        self._run("export", work, done)

    def _database_for(self, store: Any, recording: Any) -> Any:
        """The recording's vehicle's remembered database, the simulator's for its recordings, else the dropped one."""
        from carvrooom_desktop.acquisition.signal_databases import database_for_vehicle

        if recording.vin and hasattr(store, "vehicles"):
            database, _why = database_for_vehicle(store, recording.vin)
            if database is not None:
                return database
        if recording.adapter.startswith("simulated car"):
            from drivers.simulator.broadcast import load_sim_dbc

            return load_sim_dbc()
        return self.database

    def save_notes(self, recording_id: Any, notes: str) -> None:
        store = self.store
        page = self.bench.window.page("recordings")
        self._run("saving notes", lambda: store.recordings.update_notes(recording_id, notes),
                  lambda _r: (page.set_idle("Notes saved."), page.request_refresh()))

    # -- the recording viewer --------------------------------------------------------------------

    def load_signals(self, recording_id: Any, names: list[str]) -> None:
        """Samples of ``names`` for the Recordings plot: stored ones as they are, broadcast ones decoded
        from the frames chunk by chunk (only the asked-for signals are kept)."""
        store = self.store

        def work() -> Any:
            recording = store.recordings.get(recording_id)
            stored = [n for n in names if n in recording.signal_names]
            out = dict(store.recordings.load_samples(recording_id, stored)) if stored else {}
            decoded = [n for n in names if n not in out]
            if decoded and recording.frame_count:
                from carvrooom_desktop.acquisition.decode import BatchDecoder
                from carvrooom_desktop.acquisition.recording_view import read_window, time_span

                database, span = self._database_for(store, recording), time_span(store, recording_id)
                if database is not None and span is not None:
                    out |= read_window(store, recording_id, decoded, span, decoder=BatchDecoder(database))
            return out

        def done(samples: Any) -> None:
            page = self._page("recordings")
            if page is not None:
                page.add_samples(recording_id, samples)

        self._run("loading signals", work, done)

    def offer_decoded_names(self, recording_id: Any) -> None:
        """Tell the viewer which broadcast signals the recording's frames carry (by the ids present)."""
        store = self.store
        frame_ids = getattr(store.recordings, "frame_ids", None) if store is not None else None
        if frame_ids is None:
            return

        def work() -> list[str]:
            from carvrooom_desktop.acquisition.decode import BatchDecoder

            database = self._database_for(store, store.recordings.get(recording_id))
            if database is None:
                return []
            present = {int(i) for i in frame_ids(recording_id)}
            decoder = BatchDecoder(database)
            return [sig.name for m in decoder.plan.messages if m.frame_id in present for sig in m.signals]  # "MESSAGE.signal"

        def done(names: list[str]) -> None:
            page = self._page("recordings")
            if page is not None:
                page.add_signal_names(recording_id, names)

        self._run("listing decoded signals", work, done)

    # -- trace, replay, compare -----------------------------------------------------------------

    def trace(self, recording_id: Any) -> None:
        store = self.store

        def work() -> Any:
            from carvrooom_desktop.acquisition.decode import BatchDecoder

            recording = store.recordings.get(recording_id)
            database = self._database_for(store, recording)
            return recording, store.recordings.load_frames(recording_id), BatchDecoder(database) if database is not None else None

        def done(result: Any) -> None:
            recording, frames, decoder = result
            page = self.bench.window.show_workspace("trace")
            page.show_frames(frames, f"Recording of {recording.vin or 'an unidentified car'}", decoder)

        self._run("loading frames", work, done)

    def start_replay(self, recording_id: Any, speed: float) -> None:
        store = self.store
        self.stop_replay(reattach=False)

        def work() -> Any:
            from carvrooom_desktop.acquisition.replay import Replay

            database = self._database_for(store, store.recordings.get(recording_id))
            return Replay(store, recording_id, speed=speed, database=database).start()

        def done(replay: Any) -> None:
            self.replay = replay
            live = self.bench.window.show_workspace("live")
            live.set_source(replay)
            title = f"Replay of {replay.recording.vin or 'a recording'}"
            live.show_replay(title + (f" ({replay.signal_database_note})" if replay.signal_database_note else ""), speed)
            bar = live.replay_bar
            bar.speed_changed.connect(replay.set_speed)
            bar.pause_toggled.connect(lambda paused: replay.pause() if paused else replay.resume())
            bar.stop_requested.connect(self.stop_replay)
            self._replay_timer.start()

        self._run("starting the replay", work, done)

    def _keep_replay_on_live(self) -> None:
        live = self._page("live")
        if self.replay is not None and live is not None and live.source is not self.replay:
            live.set_source(self.replay)

    def _show_replay_position(self) -> None:
        live, replay = self._page("live"), self.replay
        if live is None or replay is None:
            self._replay_timer.stop()
            return
        live.replay_bar.set_position(replay.position, replay.duration, replay.finished)

    def stop_replay(self, reattach: bool = True) -> None:
        replay, self.replay = self.replay, None
        self._replay_timer.stop()
        live = self._page("live")
        if replay is not None:
            replay.stop()
            if live is not None:
                bar = live.replay_bar
                for signal in (bar.speed_changed, bar.pause_toggled, bar.stop_requested):
                    signal.disconnect()
        if live is not None and replay is not None:
            live.hide_replay()
            if reattach:
                session = self.bench.controller.session
                live.set_source(session, self.bench._units() if session is not None else None)

    def compare(self, before_id: Any, after_id: Any) -> None:
        store = self.store
        page = self.bench.window.show_workspace("compare")
        page.choose(before_id, after_id)
        self.cancel.clear()
        progress = _Progress(self)
        progress.changed.connect(page.set_progress)
        page.set_busy(True)
        cancel = self.cancel

        def work() -> Any:
            from carvrooom_desktop.acquisition.comparison import compare_recordings

            before = store.recordings.get(before_id)
            return compare_recordings(store, before_id, after_id, dbc=self._database_for(store, before),
                                      progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            page.show_cancelled() if result is None else page.show_comparison(result)

        self._run("comparison", work, done, page_key="compare")

    def refresh_compare_choices(self) -> None:
        store, page = self.store, self._page("compare")
        if store is None or page is None:
            return
        self._run("listing recordings", lambda: store.recordings.list(), page.set_recordings, page_key="compare")

    def wait(self) -> None:
        self.cancel.set()
        self.stop_replay(reattach=False)
        self.runner.wait()
