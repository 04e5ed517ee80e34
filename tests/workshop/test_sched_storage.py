"""Workshop rows and bookings in the store, on SQLite and on the local PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from carvrooom_desktop.storage.diagnoses import DiagnosisRepository
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.workshop import NewJob, StoredPart, StoredShift
from carvrooom_desktop.storage.workshop_bookings import BookingConflict, BookingRequest
from carvrooom_desktop.workshop.scheduling import ScheduleProblemError, solve
from carvrooom_desktop.workshop.shop import add_jobs_checked, job_from_diagnosis, problem_from_store, save_plan
from tests.workshop.sched_helpers import at


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with Store.open(url, origin="ws-1") as s:
        yield s


def _shop(store):
    w = store.workshop
    w.set_opening_hours([(d, 480, 1020) for d in range(5)])
    lift = w.add_bay("Lift 1", "general lift")
    ana = w.add_technician("Ana", ("brakes", "general service"), tuple(StoredShift(d, 480, 1020, ((720, 750),)) for d in range(5)))
    return w, lift, ana


def _count(store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def test_synced_columns_and_round_trip(store):
    w, lift, ana = _shop(store)
    job = w.add_job(NewJob("pads", 1.5, "general lift", "brakes", reference="RO-1", promised_at=at(0, 17),
                           parts=[StoredPart("pads", at(0, 10), "ordered")]))
    stored = w.find_job("RO-1")
    assert stored.id == job and stored.promised_at == at(0, 17) and stored.parts[0].eta == at(0, 10)
    assert w.technicians()[0].shifts[0].breaks == ((720, 750),)
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT version, origin, deleted, updated_at FROM workshop_jobs")).one()
    assert row.version == 1 and row.origin == "ws-1" and not row.deleted and row.updated_at is not None


def test_a_job_nobody_can_do_is_refused_and_nothing_is_saved(store):
    w, _lift, _ana = _shop(store)
    good = NewJob("pads", 1.0, "general lift", "brakes")
    bad = NewJob("weld exhaust", 1.0, "general lift", "welding", reference="RO-7")
    with pytest.raises(ScheduleProblemError, match=r'job "RO-7": no technician has the skill \'welding\''):
        add_jobs_checked(w, [good, bad])
    assert _count(store, "workshop_jobs") == 0


def test_save_all_is_all_or_nothing(store):
    w, _lift, _ana = _shop(store)
    with pytest.raises(ValueError, match="labour hours must be between 0 and 200"):
        w.save_all(jobs=[NewJob("ok", 1.0, "general lift"), NewJob("bad", -2.0, "general lift", reference="RO-2")])
    with pytest.raises(Exception):
        w.save_all(jobs=[NewJob("ok", 1.0, "general lift"), NewJob("waits", 1.0, "general lift", after=[(uuid.uuid4(), 0)])])
    assert _count(store, "workshop_jobs") == 0


def test_bookings_refused_on_bay_and_technician_overlap_and_back_to_back_accepted(store):
    w, lift, ana = _shop(store)
    lift2 = w.add_bay("Lift 2", "general lift")
    ben = w.add_technician("Ben", ("brakes",))
    job = w.add_job(NewJob("pads", 2.0, "general lift", "brakes", reference="RO-1"))
    first = w.bookings.book(BookingRequest(job, lift, ana, at(0, 9), at(0, 11)))
    assert first.status == ("confirmed" if w.bookings.shared else "tentative")
    with pytest.raises(BookingConflict, match=r"bay Lift 1 is already booked .* for job RO-1") as e:
        w.bookings.book(BookingRequest(job, lift, ben, at(0, 10), at(0, 12)))
    assert e.value.resource == "bay" and e.value.conflicting.id == first.id
    with pytest.raises(BookingConflict, match="technician Ana is already booked") as e:
        w.bookings.book(BookingRequest(job, lift2, ana, at(0, 10, 45), at(0, 11, 15)))
    assert e.value.resource == "technician"
    w.bookings.book(BookingRequest(job, lift, ana, at(0, 11), at(0, 12)))  # back to back: half-open ranges
    w.bookings.book(BookingRequest(job, lift2, ben, at(0, 10), at(0, 12)))  # other bay, other technician
    w.bookings.cancel(first.id)
    w.bookings.book(BookingRequest(job, lift, None, at(0, 9), at(0, 11)))  # a cancelled booking blocks nothing
    assert len(w.bookings.list()) == 3


def test_plan_from_the_store_saved_and_replanned(store):
    w, lift, ana = _shop(store)
    ids = add_jobs_checked(w, [NewJob(f"job {i}", 2.0, "general lift", "brakes", reference=f"RO-{i}", promised_at=at(0, 17)) for i in range(3)])
    problem = problem_from_store(w, start=at(0, 8), days=5)
    plan = solve(problem, time_limit_s=2, deterministic=True)
    saved = save_plan(w, plan, problem)
    assert len(saved.bookings) == len(plan.bookings) == 3 and saved.shared == w.bookings.shared
    assert {j.status for j in w.jobs()} == {"planned"}
    again = problem_from_store(w, start=at(0, 8), days=5)
    assert len(again.previous) == 3
    plan2 = solve(again, time_limit_s=2, deterministic=True)
    assert plan2.moved == ()
    saved2 = save_plan(w, plan2, again)
    assert saved2.cancelled == 3 and len(w.bookings.list()) == 3
    assert sorted(str(b.job_id) for b in w.bookings.list()) == sorted(map(str, ids))


def test_job_from_diagnosis_in_one_click(store):
    w, _lift, _ana = _shop(store)
    diagnoses = DiagnosisRepository(store.engine, store.origin)
    result = {"summary": "seized caliper", "causes": [], "urgency": "do not drive",
              "job": {"title": "replace front left caliper", "labour_hours": 1.5, "skill": "brakes", "bay_type": "general lift",
                      "parts": ["brake caliper FL", "brake fluid"]}}
    did = diagnoses.add(vin="1HGCM82633A004352", source="offline", model="offline expert", result=result)
    record = diagnoses.get(did)
    job_id = job_from_diagnosis(w, record, promised_at=at(0, 15), parts_eta=at(0, 10))
    job = w.job(job_id)
    assert (job.title, job.labour_hours, job.skill, job.bay_type, job.urgency, job.priority) == (
        "replace front left caliper", 1.5, "brakes", "general lift", "do not drive", 3)
    assert [(p.name, p.eta, p.status) for p in job.parts] == [("brake caliper FL", at(0, 10), "ordered"), ("brake fluid", at(0, 10), "ordered")]
    assert job.diagnosis_id == did and job.vin == "1HGCM82633A004352" and job.status == "waiting_parts"
    assert job_from_diagnosis(w, record) == job_id  # one job per diagnosis
    no_bay = diagnoses.add(vin="X", source="offline", model="", result={**result, "job": {**result["job"], "bay_type": "adas calibration"}})
    with pytest.raises(ScheduleProblemError, match="no bay of type 'adas calibration'"):
        job_from_diagnosis(w, diagnoses.get(no_bay))
    assert len(w.jobs()) == 1


def test_two_workstations_race_on_sqlite_exactly_one_wins(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with Store.open(url, origin="setup") as s:
        w, lift, ana = _shop(s)
        job = w.add_job(NewJob("pads", 1.0, "general lift", "brakes"))
    stores = [Store.open(url, origin=f"ws-{k}") for k in range(2)]
    try:
        for round_ in range(20):
            start = at(0, 8) + timedelta(minutes=30 * round_)
            barrier = threading.Barrier(2)
            outcome: list[str] = []

            def client(s):
                barrier.wait()
                try:
                    s.workshop.bookings.book(BookingRequest(job, lift, ana, start, start + timedelta(minutes=30)))
                    outcome.append("won")
                except BookingConflict:
                    outcome.append("lost")

            threads = [threading.Thread(target=client, args=(s,)) for s in stores]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(outcome) == ["lost", "won"], round_
    finally:
        for s in stores:
            s.close()
