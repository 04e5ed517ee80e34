"""Sync with the shared PostgreSQL (loopback): speed against the issue's targets, and the full fault runs.

    .venv/bin/python -m benchmarks.bench_sync                  # speed (medians of 3) + 3 fault runs of 60 s
    .venv/bin/python -m benchmarks.bench_sync --runs 0         # speed only
    .venv/bin/python -m benchmarks.bench_sync --quick          # one repeat, one 20 s fault run

Targets (issue 13): 10,000 queued changes synced <= 30 s; a 10-minute recording (~3 MB of chunks)
uploaded <= 5 s; the first pull of a workshop with 1,000 vehicles and 10,000 recordings'
metadata <= 10 s; steady-state sync <= 2 % of a core on an idle workstation; a booking at the
front desk on the bench within 2 s. Fault runs: 5 workstation processes x 20 changes/s x 60 s,
SIGKILL mid-push, PostgreSQL restarts, link cuts, a clock 10 minutes off: zero anomalies.

Each measurement gets a fresh schema in the database of ``CARVROOOM_TEST_PG_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and fresh SQLite stores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("CARVROOOM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_schema():
    from carvrooom_desktop.storage.migrate import upgrade_to_head
    from carvrooom_desktop.sync.engine import server_engine

    admin = sa.create_engine(PG_URL, pool_pre_ping=True)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    engine = server_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    try:
        yield url
    finally:
        from tests.sync.harness.run import ensure_postgres_running, wait_for_postgres

        ensure_postgres_running()
        wait_for_postgres(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def workstation(url: str, name: str, **kwargs):
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.sync.engine import SyncEngine

    with tempfile.TemporaryDirectory() as home:
        store = Store.open(f"sqlite:///{home}/carvrooom.sqlite3", origin=name)
        engine = SyncEngine(store.engine, url, origin=name, **kwargs)
        try:
            yield store, engine
        finally:
            engine.close()
            store.close()


def _vehicles(store, n: int, prefix: str) -> list[uuid.UUID]:
    from carvrooom_desktop.storage.models import VehicleRow

    rows = [VehicleRow(id=uuid.uuid4(), vin=f"{prefix}{i:08d}", make="Make", model="Model", year=2015 + i % 10,
                       odometer_km=float(i), origin=store.origin) for i in range(n)]
    ids = [r.id for r in rows]
    with Session(store.engine) as s, s.begin():
        s.add_all(rows)
    return ids


def bench_queued_changes(n: int = 10_000) -> float:
    """n changes queued offline (half new vehicles, half edits of them), then one sync."""
    from carvrooom_desktop.storage.models import VehicleRow

    with fresh_schema() as url, workstation(url, "ws-bench") as (store, engine):
        engine.sync_once()  # switch capture on
        ids = _vehicles(store, n // 2, "Q")
        with Session(store.engine) as s, s.begin():
            for vid in ids:
                s.get(VehicleRow, vid).odometer_km += 1.5
        pending = engine.status().pending
        assert pending == n, pending
        started = time.perf_counter()
        status = engine.sync_once()
        took = time.perf_counter() - started
        assert status.state.value == "synced" and status.pending == 0, status
        return took


def bench_recording_upload(minutes: float = 10.0) -> tuple[float, int]:
    """A recording as the recorder writes it (one frames and one samples chunk every 0.5 s), then one sync."""
    with fresh_schema() as url, workstation(url, "ws-bench") as (store, engine):
        engine.sync_once()
        rng = np.random.default_rng(0)
        rec = store.recordings.create(vin="VF1BENCH000000001", signal_units={f"s{i}": "" for i in range(8)})
        from carvrooom_desktop.domain import FrameArrays

        t0 = 1.8e9
        for seq in range(int(minutes * 60 * 2)):
            n = 140  # ~280 frames/s of diagnostic traffic: ~3 MB in 10 minutes, as the issue says
            t = t0 + seq * 0.5 + np.sort(rng.uniform(0, 0.5, n))
            frames = FrameArrays(timestamp=t, arbitration_id=rng.choice([0x7E8, 0x7E9], n).astype(np.uint32),
                                 flags=np.zeros(n, np.uint8), dlc=np.full(n, 8, np.uint8),
                                 data=rng.integers(0, 256, (n, 8)).astype(np.uint8))
            store.recordings.append_frames(rec, seq, frames)
            sig = np.repeat(np.arange(8, dtype=np.uint16), 3)
            store.recordings.append_samples(rec, seq, sig, np.tile(t[:3], 8), np.round(rng.normal(50, 5, 24), 1))
        with store.engine.connect() as conn:
            size = conn.execute(sa.text("SELECT sum(length(payload)) FROM recording_chunks")).scalar()
        started = time.perf_counter()
        status = engine.sync_once()
        took = time.perf_counter() - started
        assert status.state.value == "synced", status
        return took, int(size)


def bench_first_pull(vehicles: int = 1_000, recordings: int = 10_000) -> float:
    from carvrooom_desktop.storage.models import RecordingRow

    with fresh_schema() as url:
        with workstation(url, "ws-front") as (store, engine):
            engine.sync_once()
            ids = _vehicles(store, vehicles, "P")
            rows = [RecordingRow(vehicle_id=ids[i % vehicles], vin=f"P{i % vehicles:08d}", adapter="ELM327 v1.5", notes=f"visit {i}",
                                 state="finished", frame_count=120_000, sample_count=30_000, origin=store.origin,
                                 signal_names=["engine_speed", "coolant_temp", "vehicle_speed"],
                                 signal_units={"engine_speed": "1/min", "coolant_temp": "degC", "vehicle_speed": "km/h"})
                    for i in range(recordings)]
            with Session(store.engine) as s, s.begin():
                s.add_all(rows)
            assert engine.sync_once().state.value == "synced"
        with workstation(url, "ws-new") as (store, engine):
            started = time.perf_counter()
            status = engine.sync_once()
            took = time.perf_counter() - started
            assert status.state.value == "synced"
            with store.engine.connect() as conn:
                got = conn.execute(sa.text("SELECT (SELECT count(*) FROM vehicles), (SELECT count(*) FROM recordings)")).one()
            assert tuple(got) == (vehicles, recordings), got
            return took


def bench_idle_cpu(seconds: float = 30.0) -> float:
    """Per cent of one core the sync threads use on a workstation that does nothing (listener connected)."""
    from carvrooom_desktop.sync.service import SyncService

    with fresh_schema() as url, workstation(url, "ws-idle") as (store, engine):
        service = SyncService(engine)
        service.start()
        try:
            deadline = time.monotonic() + 10
            while not (service.listener.connected and service.cycles) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            time.sleep(seconds)
            cpu1, wall1 = time.process_time(), time.perf_counter()
        finally:
            service.stop()
        return 100.0 * (cpu1 - cpu0) / (wall1 - wall0)


def bench_live_update(rounds: int = 20) -> float:
    """Front desk books, bench sees it: median seconds, both workstations running their SyncService."""
    from carvrooom_desktop.storage.workshop_models import WorkshopBookingRow
    from carvrooom_desktop.sync.service import SyncService
    from tests.sync.helpers import bay_and_job, booking

    with fresh_schema() as url, workstation(url, "front") as (front, fe), workstation(url, "bench") as (bench, be):
        bay, job = bay_and_job(front)
        fe.sync_once(), be.sync_once()
        services = [SyncService(fe, idle_s=60), SyncService(be, idle_s=60)]
        for s in services:
            s.start()
        took = []
        try:
            time.sleep(1.0)
            for slot in range(rounds):
                started = time.perf_counter()
                bid = booking(front, bay, job, slot)
                while True:
                    with Session(bench.engine) as s:
                        if s.get(WorkshopBookingRow, bid) is not None:
                            break
                    if time.perf_counter() - started > 10:
                        raise RuntimeError("booking did not arrive within 10 s")
                    time.sleep(0.005)
                took.append(time.perf_counter() - started)
        finally:
            for s in services:
                s.stop()
        return statistics.median(took)


def fault_runs(runs: int, seconds: float) -> list:
    from tests.sync.harness.run import Faults, fault_run

    results = []
    for seed in range(runs):
        with fresh_schema() as url, tempfile.TemporaryDirectory() as work:
            faults = Faults(kills=max(3, int(seconds / 8)), pg_restarts=max(1, int(seconds / 30)), link_cuts=max(1, int(seconds / 20)))
            result = fault_run(url, Path(work) / "run", workstations=5, rate=20, seconds=seconds, faults=faults, seed=seed)
            print(f"  run {seed + 1}: {result.summary()}", flush=True)
            results.append(result)
    return results


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--runs", type=int, default=3, help="fault runs (0: none)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each fault run")
    ap.add_argument("--quick", action="store_true", help="one repeat, one 20 s fault run, 10 s idle")
    args = ap.parse_args(argv)
    repeats, runs, seconds, idle_s = (1, min(args.runs, 1), 20.0, 10.0) if args.quick else (args.repeats, args.runs, args.seconds, 30.0)

    def med(fn, *a):
        values = [fn(*a) for _ in range(repeats)]
        return statistics.median(values), values

    rows = []
    q, qs = med(bench_queued_changes)
    rows.append(("10,000 queued changes synced", q, "s", "<= 30 s", qs))
    upload = [bench_recording_upload() for _ in range(repeats)]
    u = statistics.median(t for t, _ in upload)
    rows.append((f"10-min recording ({upload[0][1] / 1e6:.1f} MB, 2,400 chunks) uploaded", u, "s", "<= 5 s", [t for t, _ in upload]))
    p, ps = med(bench_first_pull)
    rows.append(("first pull: 1,000 vehicles + 10,000 recordings", p, "s", "<= 10 s", ps))
    c, cs = med(bench_idle_cpu, idle_s)
    rows.append((f"idle workstation, sync threads ({idle_s:.0f} s)", c, "% core", "<= 2 %", cs))
    lv, lvs = med(bench_live_update)
    rows.append(("booking front desk -> bench (median of 20)", lv * 1000, "ms", "<= 2,000 ms", [x * 1000 for x in lvs]))
    print("\nSync with the shared PostgreSQL (loopback, medians of %d)" % repeats)
    for name, value, unit, target, values in rows:
        print(f"  {name:<58} {value:9.2f} {unit:<7} target {target:<12} runs: {', '.join(f'{v:.2f}' for v in values)}")
    results = {}
    if runs:
        print(f"\nFault runs: {runs} x 5 workstations x 20 changes/s x {seconds:g} s", flush=True)
        done = fault_runs(runs, seconds)
        anomalies = sum(len(r.report.anomalies) for r in done)
        faults = sum(r.faults for r in done)
        mid = sum(r.kills_mid_push for r in done)
        print(f"  total: {runs} runs, {faults} faults ({mid} SIGKILL mid-push, {sum(r.kills_other for r in done)} other kills, "
              f"{sum(r.pg_restarts for r in done)} PostgreSQL restarts, {sum(r.link_cuts for r in done)} link cuts, "
              f"{sum(1 for r in done if r.skewed)} skewed clocks), "
              f"{sum(r.report.counts['changes'] for r in done):,} changes checked: {anomalies} anomalies")
        results["fault_runs"] = done
    results["speed"] = {name: value for name, value, *_ in rows}
    return results


if __name__ == "__main__":
    main()
