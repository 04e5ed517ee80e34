"""Two (or three) workstations and the real shared PostgreSQL: the engine's rules, one at a time."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
import sqlalchemy as sa

from carvrooom_desktop.domain import Vehicle
from carvrooom_desktop.storage.models import RecordingChunkRow, RecordingRow, VehicleRow
from carvrooom_desktop.storage.sync_models import SyncConflictRow
from carvrooom_desktop.storage.workshop_models import WorkshopBookingRow, WorkshopJobRow
from carvrooom_desktop.sync import outbox as outbox_mod
from carvrooom_desktop.sync.conflicts import list_conflicts, resolve
from carvrooom_desktop.sync.server import push
from carvrooom_desktop.sync.status import SyncState
from tests.sync.helpers import add, bay_and_job, booking, edit, get, outbox, server_count, vehicle

pytestmark = pytest.mark.postgres


def test_rows_written_on_one_workstation_arrive_on_the_other(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    vid = a.store.vehicles.upsert(Vehicle("VF1AAAAA000000001", "Renault", "Clio", 2019, 42_000.0))
    rec = a.store.recordings.create(vin="VF1AAAAA000000001", notes="idle rattle", vehicle_id=vid)
    assert a.sync().state is SyncState.SYNCED
    assert b.sync().state is SyncState.SYNCED
    assert b.store.vehicles.get_by_vin("VF1AAAAA000000001") == Vehicle("VF1AAAAA000000001", "Renault", "Clio", 2019, 42_000.0)
    got = get(b.store, RecordingRow, rec)
    assert got.notes == "idle rattle" and got.origin == "ws-a" and got.vehicle_id == vid
    assert outbox(b.store) == []  # pulled rows are not changes of b


def test_a_re_sent_batch_is_applied_once(workstations, shared_url):
    a = workstations("ws-a")
    vid = vehicle(a.store, make="Fiat")
    a.engine._ensure_capturing()
    a.engine._check_server()
    batch = outbox_mod.build_batch(a.store.engine, a.engine.tables)
    with a.engine._server.begin() as conn:  # pushed, then "killed" before the local acknowledgement
        first = push(conn, "ws-a", batch.items, a.engine.tables)
    assert a.sync().state is SyncState.SYNCED  # pushes the same change ids again
    applied = server_count(shared_url, "SELECT change_id, seq FROM sync_applied")
    assert len(applied) == 1 and applied[0].seq == first.seq
    assert server_count(shared_url, f"SELECT version FROM vehicles WHERE id = '{vid}'")[0].version == 1


def test_last_writer_by_hybrid_clock_wins_a_note_field_by_field(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    rec = a.store.recordings.create(vin="V1", notes="first")
    vid = vehicle(a.store, make="Opel", model="Astra")
    a.sync(), b.sync()
    a.store.recordings.update_notes(rec, "note from a")
    edit(a.store, VehicleRow, vid, make="Opel (a)")
    b.store.recordings.update_notes(rec, "note from b")  # later: a larger stamp
    edit(b.store, VehicleRow, vid, model="Astra (b)")  # another field of the same row: both survive
    a.sync(), b.sync(), a.sync()
    for ws in (a, b):
        assert get(ws.store, RecordingRow, rec).notes == "note from b"
        v = get(ws.store, VehicleRow, vid)
        assert (v.make, v.model) == ("Opel (a)", "Astra (b)")


def test_a_causally_later_edit_wins_although_its_clock_is_ten_minutes_behind(workstations):
    a = workstations("ws-a")
    slow = workstations("ws-slow", clock_skew_ms=-600_000, correct_clock=False)
    rec = a.store.recordings.create(vin="V1", notes="front desk")
    a.sync(), slow.sync()
    assert get(slow.store, RecordingRow, rec).notes == "front desk"
    slow.store.recordings.update_notes(rec, "bench, after reading the front desk's note")
    slow.sync(), a.sync()
    assert get(a.store, RecordingRow, rec).notes == "bench, after reading the front desk's note"


def test_clock_offset_is_measured_so_a_skewed_clock_does_not_win_races(workstations):
    fast = workstations("ws-fast", clock_skew_ms=600_000)  # correct_clock: the offset cancels the skew
    fast.sync()
    with fast.store.engine.connect() as conn:
        offset = conn.execute(sa.text("SELECT offset_ms FROM sync_state")).scalar()
    assert abs(offset - 600_000) < 5_000  # the injected skew, stored as the offset...
    fast.store.recordings.create(vin="V1")
    stamp = outbox(fast.store)[-1].hlc >> 16
    import time

    assert abs(stamp - time.time() * 1000 - 600_000) < 5_000  # ...shifts the physical part of the stamps


def test_deletes_are_tombstones_and_win_over_a_concurrent_edit(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    rec = a.store.recordings.create(vin="V1", notes="x")
    a.sync(), b.sync()
    b.store.recordings.update_notes(rec, "edited on b")
    a.store.recordings.soft_delete(rec)
    a.sync(), b.sync(), a.sync()
    for ws in (a, b):
        row = get(ws.store, RecordingRow, rec)
        assert row.deleted and row.notes == "edited on b"


def test_a_hard_delete_travels_as_a_tombstone(workstations, shared_url):
    a, b = workstations("ws-a"), workstations("ws-b")
    vid = vehicle(a.store, make="Seat")
    a.sync(), b.sync()
    with a.store.engine.begin() as conn:
        conn.execute(sa.delete(VehicleRow.__table__).where(VehicleRow.__table__.c.id == vid))
    a.sync(), b.sync()
    assert get(b.store, VehicleRow, vid).deleted
    assert server_count(shared_url, f"SELECT deleted FROM vehicles WHERE id = '{vid}'")[0].deleted


def test_two_managers_changing_a_job_status_go_to_the_conflict_list(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    _bay, job = bay_and_job(a.store)
    a.sync(), b.sync()
    edit(a.store, WorkshopJobRow, job, status="waiting_parts", notes="parts ordered")
    edit(b.store, WorkshopJobRow, job, status="cancelled")
    assert a.sync().state is SyncState.SYNCED
    status = b.sync()
    assert status.state is SyncState.CONFLICT and status.conflicts == 1 and status.value == "conflict (1)"
    (c,) = list_conflicts(b.store.engine)
    assert c.fields == ("status",) and c.mine == {"status": "cancelled"} and c.theirs == {"status": "waiting_parts"}
    row = get(b.store, WorkshopJobRow, job)
    assert row.status == "waiting_parts" and row.notes == "parts ordered"  # theirs kept, the rest merged
    resolve(b.store.engine, c.id[:6], "mine")
    assert b.sync().state is SyncState.SYNCED
    a.sync()
    assert get(a.store, WorkshopJobRow, job).status == "cancelled"


def test_pending_local_fields_survive_a_pull(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    vid = vehicle(a.store, make="Kia", model="Ceed")
    a.sync(), b.sync()
    edit(b.store, VehicleRow, vid, model="Ceed SW")  # pending on b
    edit(a.store, VehicleRow, vid, make="KIA")
    a.sync()
    b.engine._pull_all(None)  # a pull while b's change is still in its outbox
    v = get(b.store, VehicleRow, vid)
    assert (v.make, v.model) == ("KIA", "Ceed SW")
    b.sync(), a.sync()
    assert (get(a.store, VehicleRow, vid).model, get(b.store, VehicleRow, vid).make) == ("Ceed SW", "KIA")


def test_pages_end_on_whole_transactions_and_carry_parents_changed_later(workstations):
    a = workstations("ws-a")
    vids = [vehicle(a.store, vin=f"VIN{i:05d}") for i in range(30)]
    recs = [a.store.recordings.create(vin=f"VIN{i:05d}", vehicle_id=vids[i]) for i in range(30)]
    a.sync()
    for vid in vids[:10]:  # parents change after their children: later sequence numbers
        edit(a.store, VehicleRow, vid, make="later")
    a.sync()
    fresh = workstations("ws-new", page_rows=7)
    seen = []
    status = fresh.engine.sync_once(progress=lambda done, total: seen.append((done, total)))
    assert status.state is SyncState.SYNCED and seen[-1][0] == seen[-1][1] == 60
    for rec in recs:
        assert get(fresh.store, RecordingRow, rec) is not None
    assert get(fresh.store, VehicleRow, vids[3]).make == "later"


def test_recording_chunks_upload_once_in_slices_and_download_on_demand(workstations, shared_url):
    a = workstations("ws-a", batch_bytes=20_000)
    b = workstations("ws-b")
    rec = a.store.recordings.create(vin="V1", signal_units={"rpm": "1/min"})
    rng = np.random.default_rng(1)
    for seq in range(40):
        t = 1.7e9 + seq + np.arange(500) / 500
        a.store.recordings.append_samples(rec, seq, np.zeros(500, np.uint16), t, rng.normal(800, 50, 500))
    assert a.sync().state is SyncState.SYNCED
    pushes = server_count(shared_url, "SELECT count(DISTINCT seq) AS n FROM sync_applied WHERE table_name = 'recording_chunks'")
    assert pushes[0].n > 3  # several slices, each acknowledged on its own
    assert server_count(shared_url, "SELECT count(*) AS n FROM recording_chunks")[0].n == 40
    b.sync()
    assert get(b.store, RecordingRow, rec).sample_count == 20_000
    assert b.engine.fetch_recording(rec) == 40 and b.engine.fetch_recording(rec) == 0
    mine, theirs = a.store.recordings.load_samples(rec), b.store.recordings.load_samples(rec)
    assert np.array_equal(mine["rpm"][1], theirs["rpm"][1])


def test_a_booking_the_server_refuses_is_kept_as_rejected_with_an_open_conflict(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    bay, job = bay_and_job(a.store)
    a.sync(), b.sync()
    mine = booking(a.store, bay, job, slot=2)
    theirs = booking(b.store, bay, job, slot=2, hours=2.0)
    a.sync()
    status = b.sync()
    assert status.state is SyncState.CONFLICT
    row = get(b.store, WorkshopBookingRow, theirs)
    assert row.status == "rejected" and "ex_workshop_bookings_bay_time" in row.reason
    (c,) = list_conflicts(b.store.engine)
    assert c.kind == "rejected"
    with pytest.raises(ValueError, match="dismiss"):
        resolve(b.store.engine, c.id, "mine")
    resolve(b.store.engine, c.id, "dismissed")
    a.sync()
    assert get(a.store, WorkshopBookingRow, theirs).status == "rejected"
    assert get(a.store, WorkshopBookingRow, mine).status == "confirmed"
    assert b.sync().state is SyncState.SYNCED


def test_switching_on_sync_queues_what_the_store_already_holds(workstations, shared_url):
    a = workstations("ws-a")
    for i in range(5):
        vehicle(a.store, vin=f"OLD{i}")
    assert outbox(a.store) == []  # capture is off until sync is configured
    assert a.sync().state is SyncState.SYNCED
    assert server_count(shared_url, "SELECT count(*) AS n FROM vehicles")[0].n == 5


def test_conflict_rows_are_not_duplicated_when_an_acknowledgement_repeats(workstations):
    a, b = workstations("ws-a"), workstations("ws-b")
    _bay, job = bay_and_job(a.store)
    a.sync(), b.sync()
    edit(a.store, WorkshopJobRow, job, labour_hours=2.0)
    edit(b.store, WorkshopJobRow, job, labour_hours=3.0)
    a.sync()
    b.engine._ensure_capturing()
    batch = outbox_mod.build_batch(b.store.engine, b.engine.tables)
    with b.engine._server.begin() as conn:
        push(conn, "ws-b", batch.items, b.engine.tables)
    b.sync()  # the re-sent batch returns the stored outcome: the same conflict, recorded once
    with b.store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SyncConflictRow)).scalar() == 1


def test_every_synced_table_is_found_from_the_models():
    from carvrooom_desktop.storage.sync_tables import synced_tables

    found = {t.name: t for t in synced_tables()}
    assert {"vehicles", "recordings", "recording_marks", "diagnoses", "workshop_bookings", "workshop_jobs"} <= found.keys()
    assert found["recording_chunks"].append_only and not found["vehicles"].append_only
    assert not any(name.startswith("sync_") for name in found)
    order = [t.name for t in synced_tables()]
    assert order.index("vehicles") < order.index("recordings") < order.index("recording_chunks")
    assert ("recording_id", "recordings") in found["recording_chunks"].parents
    assert RecordingChunkRow.__tablename__ in found and uuid.UUID  # noqa: B018


def test_the_same_signal_database_stored_on_two_workstations_ends_as_the_servers_one(workstations):
    import hashlib

    from carvrooom_desktop.storage.models import SignalDatabaseFileRow

    a, b = workstations("ws-a"), workstations("ws-b")
    content = b"VERSION \"\"\nBO_ 100 ENGINE: 8 ECU\n"
    sha = hashlib.sha256(content).hexdigest()
    first = add(a.store, SignalDatabaseFileRow(sha256=sha, name="engine.dbc", content=content))
    second = add(b.store, SignalDatabaseFileRow(sha256=sha, name="my copy.dbc", content=content))
    a.sync()
    assert b.sync().state is SyncState.CONFLICT  # the server refused b's duplicate...
    assert b.sync().state is SyncState.CONFLICT and a.sync().state is SyncState.SYNCED  # ...and no pull is stuck on it
    for ws in (a, b):
        assert get(ws.store, SignalDatabaseFileRow, first).name == "engine.dbc"
        assert get(ws.store, SignalDatabaseFileRow, second) is None
    (c,) = list_conflicts(b.store.engine)
    assert c.kind == "rejected" and c.mine["name"] == "my copy.dbc"


def test_writes_made_on_the_shared_database_directly_reach_the_workstations(workstations, shared_url):
    from carvrooom_desktop.storage.store import Store

    a, b = workstations("ws-a"), workstations("ws-b")
    rec = a.store.recordings.create(vin="V1", notes="from a")
    a.sync(), b.sync()  # installs the shared database's change triggers
    with Store.open(shared_url, origin="front-desk-on-postgres") as direct:  # a workstation whose store IS the shared DB
        vid = vehicle(direct, vin="DIRECT1", make="Dacia")
        direct.recordings.update_notes(rec, "fixed on the server")
        with direct.engine.begin() as conn:  # a plain UPDATE that forgets the version
            conn.execute(sa.update(VehicleRow.__table__).where(VehicleRow.__table__.c.id == vid).values(model="Sandero"))
    b.sync()
    v = get(b.store, VehicleRow, vid)
    assert (v.make, v.model, v.version) == ("Dacia", "Sandero", 2)  # the trigger bumped the version
    assert get(b.store, RecordingRow, rec).notes == "fixed on the server"
    a.store.recordings.update_notes(rec, "a again, after the fix")  # causally later: wins over the direct write
    a.sync(), b.sync()
    assert get(b.store, RecordingRow, rec).notes == "a again, after the fix"
    assert server_count(shared_url, "SELECT count(*) AS n FROM sync_changes WHERE table_name = 'vehicles'")[0].n == 1


def test_schedule_confirm_straight_into_the_shared_database_and_sync_agree(workstations, shared_url):
    """`carvrooom schedule confirm --shared` books on PostgreSQL directly; sync must carry it, not fight it."""
    from datetime import timedelta

    from carvrooom_desktop.storage.workshop_bookings import BookingRepository, BookingRequest, push_tentative
    from carvrooom_desktop.sync.engine import server_engine
    from tests.sync.helpers import DAY

    a, b = workstations("ws-a"), workstations("ws-b")
    bay, job = bay_and_job(a.store)
    a.sync(), b.sync()
    tentative = a.store.workshop.bookings.book(BookingRequest(job, bay, None, DAY, DAY + timedelta(hours=2)))
    assert tentative.status == "tentative"
    shared = server_engine(shared_url)
    try:
        assert [s for _b, s in push_tentative(a.store.workshop.bookings, BookingRepository(shared, "ws-a"))] == ["confirmed"]
    finally:
        shared.dispose()
    assert b.sync().state is SyncState.SYNCED  # the direct booking is in the change log already
    assert get(b.store, WorkshopBookingRow, tentative.id).status == "confirmed"
    assert a.sync().state is SyncState.SYNCED and b.sync().state is SyncState.SYNCED  # a's own outbox: no conflict
    assert {get(ws.store, WorkshopBookingRow, tentative.id).status for ws in (a, b)} == {"confirmed"}


def test_two_workstations_meeting_a_fresh_database_at_once_install_its_triggers_once(shared_url, caplog):
    import threading

    from carvrooom_desktop.storage.sync_tables import table_map
    from carvrooom_desktop.sync.engine import server_engine
    from carvrooom_desktop.sync.server_capture import ensure_server_capture, missing

    tables = table_map()
    engines = [server_engine(shared_url) for _ in range(2)]
    barrier, counts, errors = threading.Barrier(2), [], []

    def install(engine):
        try:
            barrier.wait(5)
            with engine.begin() as conn:
                counts.append(ensure_server_capture(conn, tables))
        except Exception as e:  # reported below
            errors.append(e)

    try:
        threads = [threading.Thread(target=install, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        with engines[0].connect() as conn:
            left = missing(conn, tables)
    finally:
        for e in engines:
            e.dispose()
    assert not errors and not left
    assert sorted(counts) == [0, len([t for t in tables.values() if not t.append_only])]  # one installed, one found them
    assert "cannot install" not in caplog.text
