"""Import, export, replay, trace and compare recordings; dropped log and DBC files; recent files.

The glue between the Recordings, Live, CAN trace and Before/after pages and the core
(``acquisition.log_import``, ``log_export``, ``replay``, ``comparison``). Every store or
file operation runs on a worker; progress comes back through a Qt signal (queued to
the GUI thread, at most ~20 times a second) and a ``threading.Event`` cancels. Outcomes
are typed signals the pages bind to; a replay becomes the bench model's live source.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from ui.bench_model import BenchModel
from ui.session_controller import describe_error, report_unexpected
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from carvrooom_desktop.domain import Recording
    from carvrooom_desktop.storage.store import Store
    from ui.main_window import MainWindow

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
    recent_changed = Signal(list)  # recent files, newest first
    busy = Signal(str)  # Recordings page: a cancellable job started ("Importing drive.blf…")
    progress = Signal(int, int)  # done, total of the running job
    idle = Signal(str)  # the job ended: what happened
    failed = Signal(str, str)  # page ("recordings" or "compare"), what went wrong
    recordings_stale = Signal()  # the store's list changed (import, notes): pages ask again
    samples_loaded = Signal(object, dict)  # recording id, {signal: (t, v)}
    decoded_names = Signal(object, list)  # recording id, broadcast signal names its frames carry
    database_loaded = Signal(object)  # a signal database the technician loaded (imports, trace, live)
    frames_loaded = Signal(object, str, object)  # frames, title, BatchDecoder | None: shown on the trace page
    replay_started = Signal(object, str, float)  # replay, title, speed
    replay_position = Signal(float, float, bool)  # position, duration, finished
    replay_stopped = Signal()
    compare_started = Signal(object, object)  # before id, after id
    compare_busy = Signal(bool)
    compare_progress = Signal(int, int)
    compared = Signal(object)  # Comparison | None (cancelled)
    compare_choices = Signal(list)  # every recording, for the Before/after pickers

    def __init__(self, model: BenchModel, window: MainWindow, store: Store | None, ui_state: QSettings | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.window = window  # navigation only: a replay opens the Live page, frames the CAN trace
        self.store = store
        self.ui_state = ui_state
        self.runner = TaskRunner(self, max_threads=1)
        self.cancel = threading.Event()
        self.database: Any = None  # a signal database the technician dropped or chose: used for imports and the trace
        self.database_path = ""
        self.replay: Any = None
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(250)
        self._replay_timer.timeout.connect(self._show_replay_position)
        model.controller.connected.connect(lambda _report: self.stop_replay(reattach=False))

    def _open_store(self) -> Store:
        # The recording actions are offered on listed recordings only, and only an open store lists any.
        return cast("Store", self.store)

    def _run(self, name: str, work: Callable[[], Any], done: Callable[[Any], None], page_key: str = "recordings") -> None:
        def failed(exc: BaseException) -> None:
            report_unexpected(exc)
            if page_key == "compare":
                self.failed.emit(page_key, describe_error(exc))
            else:
                self.idle.emit(f"{name.capitalize()} failed: {describe_error(exc)}")

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
        self.recent_changed.emit(files)

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
            self.database_loaded.emit(database)
            self.window.status.showMessage(f"Signal database {Path(path).name}: {len(database.messages)} messages", 10_000)

        self._run("loading the signal database", work, done)

    def _use_database_live(self, database: Any) -> None:
        session = self.model.session
        if session is None:
            return
        try:
            session.use_signal_database(database)
        except RuntimeError as e:  # an ELM327 carries no broadcast frames
            self.window.status.showMessage(f"Signal database kept for imports: {e}", 10_000)

    # -- import / export ------------------------------------------------------------------------

    def import_log(self, path: str) -> None:
        store = self.store
        if store is None:
            self.idle.emit("Nothing can be imported: the store is not open.")
            return
        self.cancel.clear()
        progress = _Progress(self)
        progress.changed.connect(self.progress)
        self.busy.emit(f"Importing {Path(path).name}…")
        cancel = self.cancel

        def work() -> Any:
            from carvrooom_desktop.acquisition.log_import import import_log

            return import_log(store, path, dbc=self.database, progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            self._remember(path)
            lines = result.report.bad_lines
            detail = f" Bad lines: {', '.join(f'{b.line_no} ({b.reason})' for b in lines[:3])}." if lines else ""
            state = "Import cancelled; what was read is kept" if result.cancelled else "Imported"
            self.idle.emit(f"{state}: {Path(path).name}: {result.summary()}.{detail}")
            self.recordings_stale.emit()

        self._run("import", work, done)

    def export(self, recording_id: Any, path: str, fmt: str) -> None:
        store = self._open_store()
        self.cancel.clear()
        progress = _Progress(self)
        progress.changed.connect(self.progress)
        self.busy.emit(f"Exporting as {fmt}…")
        cancel = self.cancel

        def work() -> Any:
            from carvrooom_desktop.acquisition.log_export import export_recording

            database = self._database_for(store, store.recordings.get(recording_id)) if fmt == "csv" else None
            return export_recording(store, recording_id, path, fmt, dbc=database, progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            if result.cancelled:
                self.idle.emit("Export cancelled; no partial file was left.")
            else:
                self._remember(path)
                self.idle.emit(f"Exported {result.rows:,} {'rows' if fmt == 'csv' else 'frames'} to {path}")

        self._run("export", work, done)

    def _database_for(self, store: Store, recording: Recording) -> Any:
        """The one answer of acquisition.signal_databases for a stored recording; else the database the
        technician dropped or chose (used for imports too)."""
        from carvrooom_desktop.acquisition.signal_databases import choose_decoding_database

        choice = choose_decoding_database(store, recording=recording)
        return choice.database if choice.database is not None else self.database

    def save_notes(self, recording_id: Any, notes: str) -> None:
        store = self._open_store()

        def done(_result: Any) -> None:
            self.idle.emit("Notes saved.")
            self.recordings_stale.emit()

        self._run("saving notes", lambda: store.recordings.update_notes(recording_id, notes), done)

    # -- the recording viewer --------------------------------------------------------------------

    def load_signals(self, recording_id: Any, names: list[str]) -> None:
        """Samples of ``names`` for the Recordings plot: stored ones as they are, broadcast ones decoded
        from the frames chunk by chunk (only the asked-for signals are kept)."""
        store = self._open_store()

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
            self.samples_loaded.emit(recording_id, dict(samples))

        self._run("loading signals", work, done)

    def offer_decoded_names(self, recording_id: Any) -> None:
        """Tell the viewer which broadcast signals the recording's frames carry (by the ids present)."""
        store = self.store
        if store is None:
            return

        def work() -> list[str]:
            from carvrooom_desktop.acquisition.decode import BatchDecoder

            database = self._database_for(store, store.recordings.get(recording_id))
            if database is None:
                return []
            present = {int(i) for i in store.recordings.frame_ids(recording_id)}
            decoder = BatchDecoder(database)
            return [sig.name for m in decoder.plan.messages if m.frame_id in present for sig in m.signals]  # "MESSAGE.signal"

        def done(names: list[str]) -> None:
            self.decoded_names.emit(recording_id, names)

        self._run("listing decoded signals", work, done)

    # -- trace, replay, compare -----------------------------------------------------------------

    def trace(self, recording_id: Any) -> None:
        store = self._open_store()

        def work() -> Any:
            from carvrooom_desktop.acquisition.decode import BatchDecoder

            recording = store.recordings.get(recording_id)
            database = self._database_for(store, recording)
            return recording, store.recordings.load_frames(recording_id), BatchDecoder(database) if database is not None else None

        def done(result: Any) -> None:
            recording, frames, decoder = result
            self.window.show_workspace("trace")  # built (and bound) before the frames arrive
            self.frames_loaded.emit(frames, f"Recording of {recording.vin or 'an unidentified car'}", decoder)

        self._run("loading frames", work, done)

    def start_replay(self, recording_id: Any, speed: float) -> None:
        store = self._open_store()
        self.stop_replay(reattach=False)

        def work() -> Any:
            from carvrooom_desktop.acquisition.replay import Replay

            database = self._database_for(store, store.recordings.get(recording_id))
            return Replay(store, recording_id, speed=speed, database=database).start()

        def done(replay: Any) -> None:
            self.replay = replay
            self.window.show_workspace("live")
            self.model.set_live_source(replay)
            title = f"Replay of {replay.recording.vin or 'a recording'}"
            self.replay_started.emit(replay, title + (f" ({replay.signal_database_note})" if replay.signal_database_note else ""), speed)
            self._replay_timer.start()

        self._run("starting the replay", work, done)

    def _show_replay_position(self) -> None:
        replay = self.replay
        if replay is None:
            self._replay_timer.stop()
            return
        self.replay_position.emit(replay.position, replay.duration, replay.finished)

    def stop_replay(self, reattach: bool = True) -> None:
        replay, self.replay = self.replay, None
        self._replay_timer.stop()
        if replay is None:
            return
        replay.stop()
        self.replay_stopped.emit()
        if self.model.live_source is replay:
            self.model.set_live_source(self.model.session if reattach else None)

    def compare(self, before_id: Any, after_id: Any) -> None:
        store = self._open_store()
        self.window.show_workspace("compare")
        self.compare_started.emit(before_id, after_id)
        self.cancel.clear()
        progress = _Progress(self)
        progress.changed.connect(self.compare_progress)
        self.compare_busy.emit(True)
        cancel = self.cancel

        def work() -> Any:
            from carvrooom_desktop.acquisition.comparison import compare_recordings

            before = store.recordings.get(before_id)
            return compare_recordings(store, before_id, after_id, dbc=self._database_for(store, before),
                                      progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            self.compared.emit(result)

        self._run("comparison", work, done, page_key="compare")

    def refresh_compare_choices(self) -> None:
        store = self.store
        if store is None:
            return
        self._run("listing recordings", lambda: store.recordings.list(), self.compare_choices.emit, page_key="compare")

    def wait(self) -> None:
        self.cancel.set()
        self.stop_replay(reattach=False)
        self.runner.wait()
