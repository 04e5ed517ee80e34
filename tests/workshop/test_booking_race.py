"""No double booking across workstations: the shared PostgreSQL refuses the booking that loses the race."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.workshop import NewJob, StoredShift
from carvrooom_desktop.storage.workshop_bookings import BookingConflict, BookingRequest, push_tentative
from tests.workshop.sched_helpers import at

pytestmark = pytest.mark.postgres

ROUNDS = 100


@pytest.fixture
def shared(postgres_url):
    with Store.open(postgres_url, origin="setup") as s:
        w = s.workshop
        ids = {"lift": w.add_bay("Lift 1", "general lift"), "lift2": w.add_bay("Lift 2", "general lift"),
               "ana": w.add_technician("Ana", ("brakes",), tuple(StoredShift(d, 480, 1020) for d in range(5))),
               "ben": w.add_technician("Ben", ("brakes",))}
        ids["job"] = w.add_job(NewJob("pads", 1.0, "general lift", "brakes", reference="RO-1"))
    yield postgres_url, ids


def _race(url, requests_for_round):
    """Two workstations (two stores, two connection pools, two threads) book at the same instant, ROUNDS times."""
    clients = [Store.open(url, origin=f"ws-{k}") for k in range(2)]
    results = []
    try:
        for round_ in range(ROUNDS):
            barrier = threading.Barrier(2)
            outcome: dict[int, object] = {}

            def client(k: int) -> None:
                request = requests_for_round(round_, k)
                barrier.wait()
                try:
                    outcome[k] = clients[k].workshop.bookings.book(request)
                except BookingConflict as e:
                    outcome[k] = e

            threads = [threading.Thread(target=client, args=(k,), name=f"booking-race-{k}") for k in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            results.append(outcome)
    finally:
        for c in clients:
            c.close()
    return results


def test_two_clients_race_for_one_slot_exactly_one_wins_every_round(shared):
    url, ids = shared

    def request(round_, _k):
        start = at(0, 8) + timedelta(minutes=15 * round_)
        return BookingRequest(ids["job"], ids["lift"], ids["ana"], start, start + timedelta(minutes=15))

    results = _race(url, request)
    for round_, outcome in enumerate(results):
        kinds = sorted(type(v).__name__ for v in outcome.values())
        assert kinds == ["BookingConflict", "StoredBooking"], round_
        loser = next(v for v in outcome.values() if isinstance(v, BookingConflict))
        winner = next(v for v in outcome.values() if not isinstance(v, BookingConflict))
        assert loser.conflicting is not None and loser.conflicting.id == winner.id
        assert winner.status == "confirmed"
    with Store.open(url) as s, s.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM workshop_bookings")).scalar() == ROUNDS


def test_bay_race_with_different_technicians_and_technician_race_on_different_bays(shared):
    url, ids = shared

    def same_bay(round_, k):
        start = at(1, 8) + timedelta(minutes=15 * round_)
        return BookingRequest(ids["job"], ids["lift"], ids["ana" if k == 0 else "ben"], start, start + timedelta(minutes=30))

    def same_technician(round_, k):
        start = at(3, 8) + timedelta(minutes=15 * round_)
        return BookingRequest(ids["job"], ids["lift" if k == 0 else "lift2"], ids["ben"], start, start + timedelta(minutes=30))

    # each round overlaps the previous round's winner too (30-minute bookings every 15 minutes): a loser can
    # lose against either, but never are two bookings on one bay (or one technician) at once
    for race, resource in ((same_bay, "bay"), (same_technician, "technician")):
        results = _race(url, race)
        wins = [v for o in results for v in o.values() if not isinstance(v, BookingConflict)]
        losses = [v for o in results for v in o.values() if isinstance(v, BookingConflict)]
        assert len(wins) + len(losses) == 2 * ROUNDS and all(len([v for v in o.values() if not isinstance(v, BookingConflict)]) <= 1 for o in results)
        assert {e.resource for e in losses} <= {"bay", "technician"} and resource in {e.resource for e in losses}
        spans = sorted((b.starts_at, b.ends_at) for b in wins)
        assert all(a2 >= b1 for (_a1, b1), (a2, _b2) in zip(spans, spans[1:]))


def test_rejections_and_non_overlapping_pair(shared):
    url, ids = shared
    with Store.open(url, origin="ws-1") as s:
        b = s.workshop.bookings
        first = b.book(BookingRequest(ids["job"], ids["lift"], ids["ana"], at(0, 9), at(0, 10)))
        with pytest.raises(BookingConflict, match=r"bay Lift 1 is already booked .* RO-1 .*refused"):
            b.book(BookingRequest(ids["job"], ids["lift"], ids["ben"], at(0, 9, 30), at(0, 10, 30)))
        with pytest.raises(BookingConflict, match="technician Ana is already booked"):
            b.book(BookingRequest(ids["job"], ids["lift2"], ids["ana"], at(0, 9, 45), at(0, 11)))
        b.book(BookingRequest(ids["job"], ids["lift"], ids["ana"], at(0, 10), at(0, 11)))  # touching, not overlapping
        b.book(BookingRequest(ids["job"], ids["lift2"], ids["ben"], at(0, 9), at(0, 10)))
        # a plan write is all or nothing
        with pytest.raises(BookingConflict):
            b.book_many([BookingRequest(ids["job"], ids["lift2"], ids["ana"], at(0, 13), at(0, 14)),
                         BookingRequest(ids["job"], ids["lift"], ids["ben"], at(0, 10, 30), at(0, 12))])
        assert all(x.starts_at != at(0, 13) for x in b.list())
        # the server itself refuses a raw insert that bypasses our code
        with pytest.raises(sa.exc.IntegrityError, match="ex_workshop_bookings_bay_time"), s.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO workshop_bookings (id, job_id, bay_id, technician_id, starts_at, ends_at, status, reason, "
                                 "updated_at, version, origin, deleted) VALUES (:id, :job, :bay, NULL, :a, :b, 'confirmed', '', now(), 1, 'x', false)"),
                         {"id": uuid.uuid4(), "job": ids["job"], "bay": ids["lift"], "a": at(0, 9, 15), "b": at(0, 9, 45)})
        assert first.id in {x.id for x in b.list()}


def test_offline_bookings_are_tentative_until_the_shared_database_confirms(shared, tmp_path):
    url, ids = shared
    with Store.open(f"sqlite:///{tmp_path / 'offline.sqlite3'}", origin="laptop") as local, Store.open(url, origin="office") as office:
        lw = local.workshop
        lw.add_bay("Lift 1", "general lift", id=ids["lift"])
        lw.add_technician("Ana", ("brakes",), id=ids["ana"])
        lw.add_job(NewJob("pads", 1.0, "general lift", "brakes", reference="RO-1", id=ids["job"]))
        ok = lw.bookings.book(BookingRequest(ids["job"], ids["lift"], ids["ana"], at(2, 8), at(2, 9)))
        clash = lw.bookings.book(BookingRequest(ids["job"], ids["lift"], None, at(2, 13), at(2, 14)))
        assert ok.status == clash.status == "tentative"
        office.workshop.bookings.book(BookingRequest(ids["job"], ids["lift"], ids["ben"], at(2, 13, 30), at(2, 15)))  # taken meanwhile
        results = dict((b.id, r) for b, r in push_tentative(lw.bookings, office.workshop.bookings))
        assert results[ok.id] == "confirmed" and "bay Lift 1 is already booked" in results[clash.id]
        statuses = {b.id: (b.status, b.reason) for b in lw.bookings.list(live_only=False)}
        assert statuses[ok.id][0] == "confirmed" and statuses[clash.id][0] == "rejected" and "refused" in statuses[clash.id][1]
