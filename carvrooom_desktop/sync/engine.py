"""The sync engine of one workstation: push the outbox, pull to the newest checkpoint, report.

Qt-free; :class:`~carvrooom_desktop.sync.service.SyncService` runs it on a thread. One
``sync_once()``:

1. takes the store's sync lock (one syncing process per store);
2. switches capture on the first time (every row already in the store is queued once);
3. reads the shared database's identity, schema revision and clock (offset for the HLC);
4. pushes batches until the outbox is empty; each batch is one server transaction,
   acknowledged by one local transaction (sync/outbox.py), so a kill anywhere between the
   two re-sends a batch the server recognises by its change ids;
5. pulls pages of whole server transactions up to the newest checkpoint of one snapshot,
   each page applied and the position advanced in one local transaction (sync/apply.py);
6. publishes ``sync.state`` (and ``booking.changed`` / ``recording.changed`` for rows that
   arrived), and returns the status.

Failures never lose local work: the outbox keeps every change until the server confirmed it;
the state says what went wrong (offline, password refused, schema too old...).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Engine, Table, create_engine, func, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from carvrooom_desktop import events as ev
from carvrooom_desktop.domain.progress import Progress
from carvrooom_desktop.storage.engine import display_url, parse_url
from carvrooom_desktop.storage.sync_capture import capturing, enable_capture
from carvrooom_desktop.storage.sync_models import SyncConflictRow, SyncRowBaseRow, SyncStateRow
from carvrooom_desktop.storage.sync_tables import table_map
from carvrooom_desktop.sync import outbox, pages
from carvrooom_desktop.sync.apply import apply_rows, write_transaction
from carvrooom_desktop.sync.lockfile import StoreLock, lock_path_for
from carvrooom_desktop.sync.server import PushResult, SchemaMismatch, push, server_info
from carvrooom_desktop.sync.server_capture import ensure_server_capture
from carvrooom_desktop.sync.status import SyncState, SyncStatus, classify, settled
from carvrooom_desktop.sync.values import to_local

log = logging.getLogger(__name__)

# Declarative models map a Table; SQLAlchemy types ``__table__`` as the wider FromClause.
_state = cast(Table, SyncStateRow.__table__)
_conflicts = cast(Table, SyncConflictRow.__table__)
_bases = cast(Table, SyncRowBaseRow.__table__)
PAGE_ROWS = 2000
PUSH_ATTEMPTS = 4
RETRYABLE = ("40P01", "40001")  # deadlock detected, serialization failure: the transaction can simply run again
CHUNK_TABLE = "recording_chunks"
FETCH_SLICE = 64  # chunks per download transaction (~100 KB each at most): progress and resumability
TABLE_EVENTS = {"workshop_bookings": ev.BOOKING_CHANGED, "recordings": ev.RECORDING_CHANGED}


def server_engine(url: str | URL, password: str | None = None) -> Engine:
    """An engine for the shared PostgreSQL with timeouts that notice a dead link within seconds."""
    parsed = parse_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"the shared database must be PostgreSQL, not {parsed.get_backend_name()} ({display_url(parsed)})")
    if password and not parsed.password:
        parsed = parsed.set(password=password)
    parsed = parsed.set(drivername="postgresql+psycopg")
    given = cast(str, parsed.query.get("options", ""))  # one options= in the URL (several: a tuple, which the join refuses)
    options = " ".join(filter(None, [given, "-c statement_timeout=120000", "-c idle_in_transaction_session_timeout=60000"]))
    parsed = parsed.update_query_dict({"options": options})
    connect_args = {"connect_timeout": 3, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                    "keepalives_count": 3, "tcp_user_timeout": 15000, "application_name": "carvrooom-sync"}
    return create_engine(parsed, pool_size=2, max_overflow=2, pool_pre_ping=True, pool_recycle=600, connect_args=connect_args)


class SyncEngine:
    def __init__(
        self,
        local: Engine,
        shared_url: str | URL,
        *,
        origin: str,
        password: str | None = None,
        events: ev.EventBus | None = None,
        clock_skew_ms: int = 0,
        correct_clock: bool = True,
        keep_acked: bool = False,
        batch_entries: int = outbox.MAX_ENTRIES,
        batch_bytes: int = outbox.MAX_BYTES,
        page_rows: int = PAGE_ROWS,
        phase_hook: Callable[[str], None] | None = None,
    ) -> None:
        """``clock_skew_ms`` shifts this workstation's clock as its stamps see it and ``correct_clock=False``
        keeps the offset to the server from being measured: fault injection for the tests (a clock that is
        off and never corrected). ``keep_acked`` keeps acknowledged outbox rows (the history checker reads them).
        ``phase_hook`` is told "push-server" (inside the server transaction, before commit) and
        "push-committed" (after the commit, before the local acknowledgement)."""
        self.local = local
        self.origin = origin
        self.events = events
        self.shared_display = display_url(shared_url if isinstance(shared_url, URL) else parse_url(shared_url))
        self.tables = table_map()
        self.clock_skew_ms, self.correct_clock, self.keep_acked = int(clock_skew_ms), correct_clock, keep_acked
        self.batch_entries, self.batch_bytes, self.page_rows = batch_entries, batch_bytes, page_rows
        self.phase_hook = phase_hook or (lambda _phase: None)
        self._server = server_engine(shared_url, password) if local.dialect.name == "sqlite" else None
        self._lock = StoreLock(lock_path_for(local.url.database))
        self._published: SyncStatus | None = None
        self._last = SyncStatus(SyncState.SYNCING if self._server else SyncState.LOCAL_STORE, server=self.shared_display)
        self.pulled_seq_hook: Callable[[int], None] | None = None
        self.pushed_upto: int | None = None
        self._server_capture_checked = False  # the newest outbox entry the last cycle set out to push

    @property
    def _shared(self) -> Engine:
        """The shared database's engine; only an embedded SQLite store has one (sync_once and probe check first)."""
        if self._server is None:
            raise AttributeError("this store is a server database itself: there is no shared database to sync with")
        return self._server

    @property
    def server_url(self) -> URL | None:
        """The shared database's URL, password included (for the listener's own connection)."""
        return self._server.url if self._server is not None else None

    # -- the cycle -------------------------------------------------------------------------------

    def sync_once(self, progress: Progress | None = None) -> SyncStatus:
        if self._server is None:
            return self._finish(SyncState.LOCAL_STORE, "sync needs the embedded SQLite store; this workstation's store "
                                "is already a server database")
        if not self._lock.acquire():
            return self._finish(SyncState.BUSY, "another CarVrooom process is syncing this store (the GUI?); it will "
                                "push this work too")
        try:
            self._ensure_capturing()
            self._check_server()
            self._push_all()
            self._pull_all(progress)
        except (SQLAlchemyError, SchemaMismatch, OSError) as e:
            state, message = classify(e)
            log.info("sync: %s", message)
            return self._finish(state, message)
        return self._finish(None, "")

    def _ensure_capturing(self) -> None:
        with self.local.connect() as conn:
            if capturing(conn):
                return
        with write_transaction(self.local, applying=False) as conn:
            if not capturing(conn):
                queued = enable_capture(conn)
                log.info("sync switched on for this store: %d existing row(s) queued for the shared database", queued)

    def _check_server(self) -> None:
        with self._shared.connect() as conn:
            t0 = time.time()
            info = server_info(conn)
            t1 = time.time()
            if not self._server_capture_checked:
                ensure_server_capture(conn, self.tables)
                conn.commit()
                self._server_capture_checked = True
        measured = info.now_ms - int((t0 + t1) * 500)
        offset = (measured if self.correct_clock else 0) + self.clock_skew_ms
        with self.local.connect() as conn:
            known_server, stored = conn.execute(select(_state.c.server_id, _state.c.offset_ms).where(_state.c.id == 1)).one()
        if known_server != info.server_id or abs(int(stored) - offset) > 20:
            with write_transaction(self.local, applying=False) as conn:
                if known_server and known_server != info.server_id:
                    log.warning("sync: the shared database changed (%s); starting over with it", self.shared_display)
                    conn.execute(_bases.delete())
                    conn.execute(update(_state).where(_state.c.id == 1).values(last_seq=0))
                    enable_capture(conn)  # every row goes to the new database
                conn.execute(update(_state).where(_state.c.id == 1).values(server_id=info.server_id, offset_ms=offset))

    def _push_all(self) -> None:
        """Everything pending when the cycle began (a workstation that keeps writing must still get to its pull)."""
        with self.local.connect() as conn:
            upto = outbox.newest_local_seq(conn)
        self.pushed_upto = upto
        while True:
            batch = outbox.build_batch(self.local, self.tables, max_entries=self.batch_entries, max_bytes=self.batch_bytes,
                                       upto=upto)
            if batch is None:
                return
            result = self._push_batch(batch)
            self.phase_hook("push-committed")
            written = outbox.acknowledge(self.local, self.tables, batch, result, keep_acked=self.keep_acked)
            self._announce(written)

    def _push_batch(self, batch: outbox.Batch) -> PushResult:
        """One server transaction; a deadlock or serialisation failure is retried at once.

        Two workstations booking one bay slot insert into the exclusion constraint together: each
        new row waits for the other's transaction, and PostgreSQL aborts one of them (40P01). That
        is the race being decided, not a failure to show: the retry finds the winner committed and
        the booking is refused cleanly.
        """
        attempt = 1
        while True:
            try:
                with self._shared.begin() as conn:
                    result = push(conn, self.origin, batch.items, self.tables)
                    self.phase_hook("push-server")
                return result
            except DBAPIError as e:
                if getattr(e.orig, "sqlstate", None) not in RETRYABLE or attempt >= PUSH_ATTEMPTS:
                    raise
                log.info("sync: push retried (%s)", str(e.orig).splitlines()[0])
                time.sleep(random.uniform(0.02, 0.1) * attempt)
                attempt += 1

    def _pull_all(self, progress: Progress | None) -> None:
        with self.local.connect() as conn:
            position = int(conn.execute(select(_state.c.last_seq).where(_state.c.id == 1)).scalar() or 0)
        server = self._shared.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with server as conn, conn.begin():
            head, total = pages.backlog(conn, position)
            done = 0
            if total and total > self.page_rows:
                self.publish(SyncStatus(SyncState.SYNCING, progress=(0, total), server=self.shared_display))
            while position < head:
                page = pages.page(conn, position, self.page_rows, self.tables, head)
                written = self._apply_page(page)
                position = page.end
                done += len(page.rows)
                if self.pulled_seq_hook:
                    self.pulled_seq_hook(position)
                self._announce(written)
                if progress:
                    progress(min(done, total), total)
                if total > self.page_rows:
                    self.publish(SyncStatus(SyncState.SYNCING, progress=(min(done, total), total), server=self.shared_display))
        with write_transaction(self.local, applying=False) as conn:
            conn.execute(update(_state).where(_state.c.id == 1).values(last_pull_at=_now()))

    def _apply_page(self, page: pages.Page) -> dict[str, list[uuid.UUID]]:
        try:
            with write_transaction(self.local) as conn:
                written = apply_rows(conn, self.tables, page.rows)
                conn.execute(update(_state).where(_state.c.id == 1, _state.c.last_seq < page.end).values(last_seq=page.end))
                return written
        except IntegrityError as e:
            # The server keeps its foreign keys whole; a local row deleted here outright can still miss a parent.
            log.warning("sync: page up to %d applied without local foreign-key checks (%s)", page.end, e.orig)
            with self.local.connect() as raw:
                raw.exec_driver_sql("PRAGMA foreign_keys=OFF")
                try:
                    raw.exec_driver_sql("BEGIN IMMEDIATE")
                    raw.execute(text("UPDATE sync_state SET applying = 1 WHERE id = 1"))
                    written = apply_rows(raw, self.tables, page.rows)
                    raw.execute(update(_state).where(_state.c.id == 1, _state.c.last_seq < page.end).values(last_seq=page.end))
                    raw.execute(text("UPDATE sync_state SET applying = 0 WHERE id = 1"))
                    raw.commit()
                finally:
                    raw.rollback()
                    raw.exec_driver_sql("PRAGMA foreign_keys=ON")
                return written

    # -- status ----------------------------------------------------------------------------------

    def local_counts(self) -> tuple[int, int, datetime | None, int]:
        with self.local.connect() as conn:
            pending = outbox.pending_count(conn)
            conflicts = conn.execute(select(func.count()).select_from(_conflicts).where(_conflicts.c.resolution == "")).scalar()
            last_push, last_pull, last_seq = conn.execute(
                select(_state.c.last_push_at, _state.c.last_pull_at, _state.c.last_seq).where(_state.c.id == 1)).one()
        last = max((t for t in (last_push, last_pull) if t is not None), default=None)
        return pending, int(conflicts or 0), last and (last if last.tzinfo else last.replace(tzinfo=UTC)), int(last_seq or 0)

    def status(self) -> SyncStatus:
        """The last known state with fresh local counts (no server round trip)."""
        pending, conflicts, last, seq = self.local_counts()
        state = self._last.state
        if state in (SyncState.SYNCED, SyncState.PENDING, SyncState.CONFLICT):
            state = settled(pending, conflicts)
        return SyncStatus(state, pending, conflicts, last, seq, self.shared_display, self._last.message)

    def probe(self) -> SyncStatus:
        """Ask the server (identity, schema) without syncing: for ``carvrooom sync status``."""
        try:
            if self._server is None:
                return self._finish(SyncState.LOCAL_STORE, "sync needs the embedded SQLite store")
            with self._server.connect() as conn:
                server_info(conn)
        except (SQLAlchemyError, SchemaMismatch, OSError) as e:
            return self._finish(*classify(e))
        return self._finish(None, "")

    def _finish(self, state: SyncState | None, message: str) -> SyncStatus:
        pending, conflicts, last, seq = self.local_counts()
        status = SyncStatus(state or settled(pending, conflicts), pending, conflicts, last, seq, self.shared_display, message)
        self._last = status
        self.publish(status)
        return status

    def publish(self, status: SyncStatus) -> None:
        if self.events is not None and status != self._published:
            self._published = status
            self.events.publish(ev.SYNC_STATE, status)

    def _announce(self, written: dict[str, list[uuid.UUID]]) -> None:
        if self.events is None:
            return
        for table, ids in written.items():
            topic = TABLE_EVENTS.get(table)
            if topic and ids:
                self.events.publish(topic, {"source": "sync", "ids": [str(i) for i in ids]})

    # -- the rest --------------------------------------------------------------------------------

    def fetch_recording(self, recording_id: uuid.UUID) -> int:
        """Download the chunks of one recording that are not here yet; returns how many."""
        return download_chunks(self.local, self._shared, recording_id)[0]

    def init_shared(self) -> bool:
        """Create or upgrade the shared database's schema (Alembic, under its migration lock)."""
        from carvrooom_desktop.storage.migrate import upgrade_to_head

        migrated = upgrade_to_head(self._shared)
        with self._shared.begin() as conn:
            ensure_server_capture(conn, self.tables)
        self._server_capture_checked = True
        return migrated

    def close(self) -> None:
        self._lock.release()
        if self._server is not None:
            self._server.dispose()

    def __enter__(self) -> SyncEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def download_chunks(local: Engine, server: Engine, recording_id: uuid.UUID, progress: Progress | None = None,
                    cancelled: Callable[[], bool] = lambda: False) -> tuple[int, bool]:
    """The chunks of ``recording_id`` this store lacks, ``FETCH_SLICE`` per local transaction (resumable:
    what arrived stays); returns (chunks downloaded, stopped because ``cancelled``). Chunks are not
    pulled with the rest: a workshop's recordings are gigabytes, so a workstation fetches a
    recording's chunks when it opens one."""
    t = table_map()[CHUNK_TABLE]
    with server.connect() as conn:
        there = conn.execute(select(t.table.c.id).where(t.table.c.recording_id == recording_id)
                             .order_by(t.table.c.kind, t.table.c.seq)).scalars().all()
    with local.connect() as conn:
        here = set(conn.execute(select(t.table.c.id).where(t.table.c.recording_id == recording_id)).scalars())
    todo = [i for i in there if i not in here]
    done = 0
    if progress:
        progress(0, len(todo))
    for start in range(0, len(todo), FETCH_SLICE):
        if cancelled():
            return done, True
        with server.connect() as conn:
            rows = [to_local(t, dict(r._mapping)) for r in
                    conn.execute(select(t.table).where(t.table.c.id.in_(todo[start:start + FETCH_SLICE])))]
        if rows:
            with write_transaction(local) as conn:  # muted: a downloaded chunk is not a change of ours
                conn.execute(sqlite_insert(t.table).on_conflict_do_nothing(), rows)
        done += len(rows)
        if progress:
            progress(done, len(todo))
    return done, False


def _now() -> datetime:
    from carvrooom_desktop.storage.models import utcnow

    return utcnow()


__all__ = ["SyncEngine", "download_chunks", "server_engine"]
