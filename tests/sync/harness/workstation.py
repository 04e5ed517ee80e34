"""One workstation of a fault run, as its own process: its own CARVROOOM_HOME and SQLite store,
the real SyncService in the background, and a workload writing ``--rate`` changes per second.

Every write logs an *intent* (table, row, the unique values it writes) before its transaction
and a *commit* (its outbox change id and stamp, read inside the same transaction) after it, so a
SIGKILL between the two is resolved afterwards from the store's outbox. Every read logs the
value it saw. The engine's pulled checkpoints and push phases are logged too; the phase also
goes to ``--phase`` so the harness can kill the process in the middle of a push.

    python -m tests.sync.harness.workstation --home DIR --name ws1 --shared URL --until EPOCH
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select, text
from sqlalchemy.orm import Session

DAY = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
SLOTS = 40  # one-hour slots on a few bays: bookings collide often
CHECKED = {"vehicles": ("make", "model"), "recordings": ("notes",)}


class Log:
    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.lock = threading.Lock()

    def __call__(self, **record) -> None:
        line = (json.dumps(record, default=str) + "\n").encode()
        with self.lock:
            os.write(self.fd, line)  # one write per line: a kill never leaves half a line in the page cache


class Workload:
    def __init__(self, store, log: Log, name: str, rng: random.Random) -> None:
        self.store, self.log, self.name, self.rng = store, log, name, rng
        self.boot = uuid.uuid4().hex[:6]
        self.n = 0
        self.recording: tuple[uuid.UUID, int] | None = None
        self.changes = 0

    def value(self) -> str:
        self.n += 1
        return f"{self.name}.{self.boot}.{self.n}"

    # -- writes: intent, one transaction that also reads its outbox entry, commit --------------------

    def _write(self, table: str, row_id: uuid.UUID, values: dict, apply) -> None:
        n = self.value()
        self.log(k="intent", n=n, table=table, row=row_id.hex, values=values, t=time.time())
        with Session(self.store.engine, expire_on_commit=False) as s, s.begin():
            apply(s)
            s.flush()
            entry = s.execute(text("SELECT change_id, hlc FROM sync_outbox WHERE table_name = :t AND row_id = :r "
                                   "ORDER BY local_seq DESC LIMIT 1"), {"t": table, "r": row_id.hex}).first()
        self.log(k="commit", n=n, change_id=entry.change_id if entry else None, hlc=entry.hlc if entry else None)
        self.changes += 1

    def new_vehicle(self) -> None:
        from carvrooom_desktop.storage.models import VehicleRow

        row = VehicleRow(id=uuid.uuid4(), vin=f"{self.name}-{uuid.uuid4().hex[:8]}", make=self.value(), model=self.value(),
                         origin=self.name)
        self._write("vehicles", row.id, {"make": row.make, "model": row.model, "deleted": False}, lambda s: s.add(row))

    def edit_vehicle(self) -> None:
        from carvrooom_desktop.storage.models import VehicleRow

        vid = self._pick(VehicleRow)
        if vid is None:
            return self.new_vehicle()
        field, value = self.rng.choice(("make", "model")), self.value()

        def apply(s):
            row = s.get(VehicleRow, vid)
            setattr(row, field, value)
            row.version += 1

        self._write("vehicles", vid, {field: value}, apply)

    def delete_vehicle(self) -> None:
        from carvrooom_desktop.storage.models import VehicleRow

        vid = self._pick(VehicleRow)
        if vid is None:
            return

        def apply(s):
            row = s.get(VehicleRow, vid)
            row.deleted, row.version = True, row.version + 1

        self._write("vehicles", vid, {"deleted": True}, apply)

    def recording_step(self) -> None:
        from carvrooom_desktop.domain import RecordingState
        from carvrooom_desktop.storage.models import RecordingRow

        if self.recording is None:
            row = RecordingRow(id=uuid.uuid4(), vin=f"{self.name}-rec", notes=self.value(), origin=self.name,
                               signal_names=["rpm"], signal_units={"rpm": "1/min"})
            self._write("recordings", row.id, {"notes": row.notes}, lambda s: s.add(row))
            self.recording = (row.id, 0)
            return
        rec, seq = self.recording
        t = time.time() + np.arange(200) / 200
        self.store.recordings.append_samples(rec, seq, np.zeros(200, np.uint16), t, np.full(200, 800.0 + seq))
        self.changes += 1
        self.recording = (rec, seq + 1)
        if seq >= 8:
            self.store.recordings.finish(rec, RecordingState.FINISHED)
            self.recording = None

    def edit_notes(self) -> None:
        from carvrooom_desktop.storage.models import RecordingRow

        rid = self._pick(RecordingRow)
        if rid is None:
            return self.recording_step()
        value = self.value()

        def apply(s):
            row = s.get(RecordingRow, rid)
            row.notes, row.version = value, row.version + 1

        self._write("recordings", rid, {"notes": value}, apply)

    def book(self) -> None:
        from carvrooom_desktop.storage.workshop_models import WorkshopBayRow, WorkshopBookingRow, WorkshopJobRow

        with Session(self.store.engine) as s:
            bays = s.scalars(select(WorkshopBayRow.id).order_by(WorkshopBayRow.name)).all()
            job = s.scalars(select(WorkshopJobRow.id)).first()
        if not bays or job is None:
            return self.edit_vehicle()
        start = DAY + timedelta(hours=self.rng.randrange(SLOTS))
        row = WorkshopBookingRow(id=uuid.uuid4(), job_id=job, bay_id=self.rng.choice(bays), starts_at=start,
                                 ends_at=start + timedelta(hours=1), status="confirmed", origin=self.name)
        self._write("workshop_bookings", row.id, {"bay": row.bay_id.hex, "starts_at": start.isoformat()}, lambda s: s.add(row))

    def read(self) -> None:
        from carvrooom_desktop.storage.models import RecordingRow, VehicleRow

        model, table = self.rng.choice(((VehicleRow, "vehicles"), (RecordingRow, "recordings")))
        rid = self._pick(model, include_deleted=True)
        if rid is None:
            return
        field = self.rng.choice(CHECKED[table])
        with Session(self.store.engine) as s:
            value = s.scalar(select(getattr(model, field)).where(model.id == rid))
        self.log(k="read", table=table, row=rid.hex, field=field, value=value, t=time.time())

    def _pick(self, model, include_deleted: bool = False) -> uuid.UUID | None:
        with Session(self.store.engine) as s:
            query = select(model.id)
            if not include_deleted:
                query = query.where(model.deleted.is_(False))
            ids = s.scalars(query.order_by(model.id).limit(400)).all()
        return self.rng.choice(ids) if ids else None

    def step(self) -> None:
        r = self.rng.random()
        for limit, op in ((0.10, self.new_vehicle), (0.42, self.edit_vehicle), (0.45, self.delete_vehicle),
                          (0.62, self.recording_step), (0.77, self.edit_notes), (0.87, self.book)):
            if r < limit:
                return op()
        return self.edit_vehicle()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", required=True, type=Path)
    ap.add_argument("--name", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--until", type=float, required=True, help="epoch seconds: stop writing then")
    ap.add_argument("--rate", type=float, default=20.0, help="changes per second")
    ap.add_argument("--reads", type=float, default=5.0, help="logged reads per second")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skew-ms", type=int, default=0)
    ap.add_argument("--phase", type=Path)
    args = ap.parse_args(argv)
    os.environ["CARVROOOM_HOME"] = str(args.home)
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("carvrooom_desktop.sync").setLevel(logging.INFO)

    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.sync.service import SyncService

    log = Log(args.home / "history.jsonl")
    phase_fd = os.open(args.phase, os.O_RDWR | os.O_CREAT, 0o644) if args.phase else None

    def phase(name: str) -> None:
        if phase_fd is not None:
            os.pwrite(phase_fd, name.ljust(16).encode(), 0)

    store = Store.open(f"sqlite:///{args.home / 'carvrooom.sqlite3'}", origin=args.name)
    service = SyncService.for_store(store, args.shared, keep_acked=True, clock_skew_ms=args.skew_ms,
                                    correct_clock=args.skew_ms == 0, phase_hook=phase, local_poll_s=0.1, idle_s=5.0)
    service.engine.pulled_seq_hook = lambda seq: log(k="pulled", seq=seq, t=time.time())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    log(k="start", pid=os.getpid(), skew_ms=args.skew_ms, t=time.time())
    service.start()
    work = Workload(store, log, args.name, random.Random(f"{args.seed}-{args.name}-{os.getpid()}"))
    period, read_every = 1.0 / args.rate, args.reads / args.rate
    next_at = time.monotonic()
    while not stop.is_set() and time.time() < args.until:
        work.step()
        if work.rng.random() < read_every:
            work.read()
        next_at += period
        stop.wait(max(0.0, next_at - time.monotonic()))
    log(k="stop", changes=work.changes, t=time.time())
    service.stop()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
