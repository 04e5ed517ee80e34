"""This workstation's link to the shared database, as the GUI sees it (Qt-free).

:class:`WorkstationSync` is the one seam between the app and sync: it starts and stops the
:class:`~carvrooom_desktop.sync.service.SyncService` for the open store (``configure(url)``;
``None`` switches sync off), and answers what the Sync page shows, every call a short read of the
local SQLite store (never of the shared database) except where it says otherwise:

- :meth:`overview`: what waits in the outbox per table, recording chunks waiting to upload, the
  open conflicts; :func:`compare_versions` lays a conflict out field by field;
- :meth:`resolve`: keep mine / keep theirs / dismiss (``sync/conflicts.py``), then sync at once;
- :meth:`fetch_recording`: a recording that arrived as metadata gets its chunks from the shared
  database, in slices, with ``progress(done, total)`` and a ``cancelled()`` check;
- :func:`check_connection`: "Test connection" of the settings dialog (asks the shared database).

The service publishes ``sync.state`` on the event bus; the UI listens there.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop import events as ev
from carvrooom_desktop.config.settings import Settings
from carvrooom_desktop.domain.progress import Progress
from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.storage.engine import display_url, parse_url
from carvrooom_desktop.storage.models import RecordingChunkRow, RecordingRow
from carvrooom_desktop.storage.sync_models import SyncOutboxRow
from carvrooom_desktop.sync.conflicts import Conflict, list_conflicts
from carvrooom_desktop.sync.conflicts import resolve as resolve_conflict
from carvrooom_desktop.sync.status import SyncState, SyncStatus, classify

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store

log = logging.getLogger(__name__)

_outbox = SyncOutboxRow.__table__
_chunks = RecordingChunkRow.__table__
CHUNK_TABLE = "recording_chunks"


# -- what the page shows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncOverview:
    status: SyncStatus
    pending: tuple[tuple[str, int, int], ...] = ()  # (table, rows, changes waiting to be pushed), most first
    chunks_waiting: int = 0  # recording chunks not uploaded yet...
    recordings_uploading: int = 0  # ... of this many recordings
    conflicts: tuple[Conflict, ...] = ()  # open ones, newest first
    url: str = ""  # the shared database, password hidden ("" = not configured)

    @property
    def pending_total(self) -> int:
        return sum(n for _t, _rows, n in self.pending)


@dataclass(frozen=True, slots=True)
class FieldVersion:
    name: str
    mine: Any
    theirs: Any
    differs: bool


def compare_versions(conflict: Conflict) -> list[FieldVersion]:
    """Both versions of a conflict field by field: the conflicting fields first, then the rest shown."""
    names = list(conflict.fields) + sorted((set(conflict.mine) | set(conflict.theirs)) - set(conflict.fields))
    out = []
    for name in names:
        mine, theirs = conflict.mine.get(name), conflict.theirs.get(name)
        if name not in conflict.fields and name not in conflict.theirs:
            continue  # a refused row's other columns: nothing on the server to set them beside
        out.append(FieldVersion(name, mine, theirs, mine != theirs))
    return out


def pending_by_table(engine: Engine) -> tuple[tuple[tuple[str, int, int], ...], int, int]:
    """((table, rows, changes) waiting, chunks waiting, recordings those chunks belong to): outbox reads."""
    with engine.connect() as conn:
        rows = conn.execute(select(_outbox.c.table_name, func.count(func.distinct(_outbox.c.row_id)), func.count())
                            .where(_outbox.c.acked == 0).group_by(_outbox.c.table_name)).all()
        uploading = conn.execute(
            select(func.count(func.distinct(_chunks.c.recording_id)))
            .select_from(_outbox.join(_chunks, _chunks.c.id == _outbox.c.row_id))
            .where(_outbox.c.acked == 0, _outbox.c.table_name == CHUNK_TABLE)).scalar()
    counts = sorted(((str(t), int(r), int(n)) for t, r, n in rows), key=lambda p: (-p[2], p[0]))
    chunks = sum(r for t, r, _n in counts if t == CHUNK_TABLE)
    return tuple(counts), chunks, int(uploading or 0)


@dataclass(frozen=True, slots=True)
class ChunkGap:
    """How much of a recording's data is in this store, by the header's counts."""

    samples_here: int
    samples: int
    frames_here: int
    frames: int

    @property
    def missing(self) -> bool:
        return self.samples_here < self.samples or self.frames_here < self.frames

    @property
    def fraction(self) -> float:
        total = self.samples + self.frames
        return 1.0 if not total else (self.samples_here + self.frames_here) / total


def chunk_gap(engine: Engine, recording_id: uuid.UUID) -> ChunkGap:
    with engine.connect() as conn:
        header = conn.execute(select(RecordingRow.sample_count, RecordingRow.frame_count)
                              .where(RecordingRow.id == recording_id)).first()
        here = dict(conn.execute(select(_chunks.c.kind, func.coalesce(func.sum(_chunks.c.count), 0))
                                 .where(_chunks.c.recording_id == recording_id).group_by(_chunks.c.kind)).all())
    samples, frames = (int(header[0] or 0), int(header[1] or 0)) if header else (0, 0)
    return ChunkGap(int(here.get("samples", 0)), samples, int(here.get("frames", 0)), frames)


@dataclass(frozen=True, slots=True)
class FetchResult:
    fetched: int  # chunks downloaded now
    gap: ChunkGap  # what the store holds afterwards
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    state: SyncState
    message: str
    server: str = ""


def check_connection(url: str, password: str | None = None) -> ConnectionCheck:
    """Connect to ``url`` and read its identity and schema revision (slow: up to the 3 s connect timeout)."""
    from carvrooom_desktop.sync.engine import server_engine
    from carvrooom_desktop.sync.server import SchemaMismatch, server_info

    try:
        shown = display_url(url)
        server = server_engine(url, password)
    except (CarVrooomError, ValueError) as e:
        return ConnectionCheck(False, SyncState.ERROR, str(e))
    try:
        with server.connect() as conn:
            server_info(conn)
    except (SQLAlchemyError, SchemaMismatch, OSError) as e:
        state, message = classify(e)
        return ConnectionCheck(False, state, message, shown)
    finally:
        server.dispose()
    return ConnectionCheck(True, SyncState.SYNCED, f"{shown} answers and its schema is this CarVrooom's.", shown)


# -- the link --------------------------------------------------------------------------------------


@dataclass
class _Running:
    url: str
    password: str | None
    service: Any  # SyncService
    options: dict[str, Any] = field(default_factory=dict)


class WorkstationSync:
    """The sync service of one open store, reconfigurable while the app runs; thread-safe."""

    def __init__(self, store: Store, bus: ev.EventBus | None = None, *, settings: Settings | None = None,
                 password_for: Callable[[str], str | None] | None = None, **service_options: Any) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings  # the app's settings object: the dialog's URL is saved into it too
        self._password_for = password_for or _keyring_password  # keyring loads on the worker, not at start-up
        self._options = service_options  # SyncService.for_store's keyword arguments (tests: idle_s, local_poll_s)
        self._lock = threading.RLock()
        self._running: _Running | None = None
        self._closed = False
        self._status = self._idle_status()

    @property
    def syncable(self) -> bool:
        """Only an embedded SQLite store syncs (a PostgreSQL store is a server database itself)."""
        return bool(self.store.engine.dialect.name == "sqlite")

    @property
    def url(self) -> str:
        """The shared database now in use, password hidden ("" = none)."""
        running = self._running
        return display_url(running.url) if running else ""

    @property
    def configured(self) -> bool:
        return self._running is not None

    @property
    def running(self) -> bool:
        running = self._running
        return running is not None and running.service.running

    @property
    def service(self) -> Any:
        running = self._running
        return running.service if running else None

    def configure(self, url: str | None) -> SyncStatus:
        """Sync with ``url`` from now on (``None``/"" stops syncing). Blocks while an old service stops."""
        from carvrooom_desktop.sync.service import SyncService

        with self._lock:
            if self._closed:
                return self._status
            url = url or None
            password = self._password_for(url) if url else None
            if self._running is not None and url == self._running.url and password == self._running.password:
                return self.status()
            self._stop_running()
            if url is None or not self.syncable:
                self._status = self._idle_status()
                self._publish(self._status)
                return self._status
            try:
                parse_url(url)
                service = SyncService.for_store(self.store, url, password=password, events=self.bus, **self._options)
            except (CarVrooomError, ValueError) as e:
                self._status = SyncStatus(SyncState.ERROR, message=f"the shared database URL cannot be used: {e}")
                self._publish(self._status)
                return self._status
            self._running = _Running(url, password, service)
            log.info("sync: shared database %s", display_url(url))
            service.start()
            return service.status()

    @property
    def saved_url(self) -> str:
        """The shared database in the settings (no password), which may differ from --shared or the environment's."""
        return self.settings.shared_database_url if self.settings is not None else ""

    def remember(self, url: str, password: str | None = None) -> str:
        """Save ``url`` as this workstation's shared database, ``password`` (or one written in the URL) to the
        OS keyring only; ``""`` forgets it. Returns the URL as saved. Raises SecretStoreUnavailable (nothing
        saved) when a password was given and no keyring can hold it."""
        from carvrooom_desktop.config.settings import save_settings
        from carvrooom_desktop.sync.config import remember_shared_url

        url = url.strip()
        if url and parse_url(url).get_backend_name() != "postgresql":
            raise CarVrooomError(f"the shared database must be PostgreSQL (postgresql://user@host/db), not {display_url(url)}")
        if url and password:
            url = parse_url(url).set(password=password).render_as_string(hide_password=False)
        saved = remember_shared_url(url) if url else ""
        if self.settings is not None:
            self.settings.shared_database_url = saved
            if not url:
                save_settings(self.settings)
        return saved

    def status(self) -> SyncStatus:
        """The last known state (no I/O on the caller's thread beyond the service's cached status)."""
        running = self._running
        return running.service.status() if running else self._status

    def sync_now(self) -> None:
        running = self._running
        if running is not None:
            running.service.sync_now()

    def overview(self) -> SyncOverview:
        """Outbox, chunks and conflicts from the local store: a few indexed SQLite reads (call off the GUI thread)."""
        engine = self.store.engine
        running = self._running
        # fresh local counts with the last known state
        status = running.service.engine.status() if running is not None else self.status()
        if not self.syncable:
            return SyncOverview(status)
        pending, chunks, recordings = pending_by_table(engine)
        return SyncOverview(status, pending, chunks, recordings, tuple(list_conflicts(engine)), self.url)

    def made_elsewhere(self, table: str, ids: Sequence[str]) -> int:
        """How many of the rows ``ids`` of ``table`` (a ``booking.changed`` / ``recording.changed`` from sync)
        another workstation made or changed last: a push's own rows come back in those events too."""
        from carvrooom_desktop.storage.sync_tables import table_map

        t = table_map().get(table)
        if t is None or "origin" not in t.table.c or not ids:
            return 0
        keys = [uuid.UUID(str(i)) for i in ids]
        found = 0
        with self.store.engine.connect() as conn:
            for start in range(0, len(keys), 900):
                found += int(conn.execute(select(func.count()).select_from(t.table).where(
                    t.table.c.id.in_(keys[start:start + 900]), t.table.c.origin != self.store.origin)).scalar() or 0)
        return found

    def resolve(self, conflict_id: str, choice: str) -> Conflict:
        """``mine``, ``theirs`` or ``dismissed``; a "mine" is pushed at once (the service is woken)."""
        conflict = resolve_conflict(self.store.engine, conflict_id, choice)
        self.sync_now()
        return conflict

    def missing_chunks(self, recording_id: uuid.UUID) -> ChunkGap:
        return chunk_gap(self.store.engine, recording_id)

    def fetch_recording(self, recording_id: uuid.UUID, progress: Progress | None = None,
                        cancelled: Callable[[], bool] = lambda: False) -> FetchResult:
        """Download the chunks of ``recording_id`` this store lacks, slice by slice (resumable).

        Raises :class:`SyncUnavailable` (with the state and the reason) when sync is not
        configured or the shared database cannot be used; what was downloaded stays.
        """
        running = self._running
        if running is None:
            raise SyncUnavailable(SyncState.NOT_CONFIGURED, "sync with the shared database is not configured "
                                  "(Sync page > Settings), so this recording's data cannot be downloaded")
        from carvrooom_desktop.sync.engine import download_chunks, server_engine

        try:
            server = server_engine(running.url, running.password)
            try:
                fetched, stopped = download_chunks(self.store.engine, server, recording_id, progress, cancelled)
            finally:
                server.dispose()
        except SQLAlchemyError as e:
            state, message = classify(e)
            raise SyncUnavailable(state, message) from e
        return FetchResult(fetched, self.missing_chunks(recording_id), stopped)

    def stop(self) -> None:
        """Stop syncing for good (the app closes); safe twice."""
        with self._lock:
            self._closed = True
            self._stop_running()

    def _stop_running(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.service.stop()

    def _idle_status(self) -> SyncStatus:
        if not self.syncable:
            return SyncStatus(SyncState.LOCAL_STORE, message="this workstation's store is a server database itself: "
                              "nothing to sync")
        return SyncStatus(SyncState.NOT_CONFIGURED, message="no shared database: set one in the Sync page's settings, "
                          "with --shared URL or CARVROOOM_SHARED_URL")

    def _publish(self, status: SyncStatus) -> None:
        if self.bus is not None:
            self.bus.publish(ev.SYNC_STATE, status)


def _keyring_password(url: str) -> str | None:
    from carvrooom_desktop.sync.config import shared_password

    return shared_password(url)


class SyncUnavailable(CarVrooomError):
    def __init__(self, state: SyncState, message: str) -> None:
        super().__init__(message)
        self.state = state


__all__ = ["ChunkGap", "ConnectionCheck", "FetchResult", "FieldVersion", "SyncOverview", "SyncUnavailable",
           "WorkstationSync", "check_connection", "chunk_gap", "compare_versions", "pending_by_table"]
