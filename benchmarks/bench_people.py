"""People and trust (issue 14): password hashing, audit verification, audit appends.

    .venv/bin/python -m benchmarks.bench_people            # full: verify over 1,000,000 entries
    .venv/bin/python -m benchmarks.bench_people --quick    # 100,000 entries, fewer repeats

Targets: a password hash <= 0.5 s on 2 cores (with parameters at or above OWASP's: Argon2id, 19 MiB,
t=2, p=1); ``audit verify`` over 1,000,000 entries <= 60 s. Baselines measured in the same run:
argon2-cffi at OWASP's minimum parameters; for verify, one pass of the same SQL reading the same rows
without hashing; for appends, a plain INSERT in its own transaction (no lock, no chain).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_hash(repeats: int) -> None:
    from argon2 import PasswordHasher

    from carvrooom_desktop.people import passwords

    ours = _median(lambda: passwords.hash_password("correct horse battery"), repeats)
    owasp = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    floor = _median(lambda: owasp.hash("correct horse battery"), repeats)
    ph = passwords.hasher()
    print(f"password hash (Argon2id m={ph.memory_cost // 1024} MiB t={ph.time_cost} p={ph.parallelism}): "
          f"median {ours * 1000:.0f} ms of {repeats} (target <= 500 ms); OWASP minimum m=19 MiB t=2 p=1: "
          f"{floor * 1000:.0f} ms; ratio {ours / floor:.1f}x")


def _fill(url: str, n: int, origin: str) -> None:
    """``n`` chained entries written straight into the table (as ``AuditTrail.append`` hashes them)."""
    from sqlalchemy import insert

    from carvrooom_desktop.people.chain import GENESIS, entry_hash
    from carvrooom_desktop.storage.engine import make_engine
    from carvrooom_desktop.storage.people_models import AuditEntryRow

    engine = make_engine(url)
    table = AuditEntryRow.__table__
    prev, batch = GENESIS, []
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            at = f"2026-12-04T08:{seq // 60_000 % 60:02d}:{seq // 1000 % 60:02d}.{seq % 1_000_000:06d}Z"
            actor, action, record, after = f"user{seq % 7}", "start recordings", f"recording:{seq}", '{"notes":"bench"}'
            digest = entry_hash(origin, seq, at, actor, action, "ok", record, "null", after, prev)
            batch.append({"id": uuid.uuid4(), "origin": origin, "seq": seq, "at": at, "actor": actor, "action": action,
                          "outcome": "ok", "record": record, "before": "null", "after": after, "prev_hash": prev,
                          "entry_hash": digest})
            prev = digest
            if len(batch) == 20_000:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    engine.dispose()


def bench_verify(n: int, repeats: int) -> None:
    from carvrooom_desktop.people.audit_verify import verify_trail
    from carvrooom_desktop.storage.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'audit.sqlite3'}"
        store = Store.open(url, origin="bench-ws")
        t = time.perf_counter()
        _fill(url, n, "bench-ws")
        fill_s = time.perf_counter() - t

        def read_only() -> None:
            with store.engine.connect() as conn:
                cursor = conn.exec_driver_sql("SELECT origin, seq, at, actor, action, outcome, record, before, after, "
                                              "prev_hash, entry_hash FROM audit_entries ORDER BY origin, seq")
                while cursor.fetchmany(20_000):
                    pass

        reports = []
        verify_s = _median(lambda: reports.append(verify_trail(store.engine)), repeats)
        read_s = _median(read_only, repeats)
        assert reports[-1].ok and reports[-1].entries == n, reports[-1].problems[:3]
        store.close()
    print(f"audit verify over {n:,} entries: median {verify_s:.1f} s of {repeats} ({n / verify_s:,.0f} entries/s; "
          f"target 1,000,000 in <= 60 s); reading the rows alone {read_s:.1f} s (verify/read {verify_s / read_s:.1f}x); "
          f"writing them {fill_s:.1f} s")


def bench_append(n: int) -> None:
    from sqlalchemy import text

    from carvrooom_desktop.people.audit import AuditTrail
    from carvrooom_desktop.storage.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'append.sqlite3'}", origin="bench-ws")
        trail = AuditTrail(store.engine, "bench-ws")
        t = time.perf_counter()
        for i in range(n):
            trail.append("tina", "start recordings", record=f"recording:{i}", after={"notes": "bench"})
        chained = n / (time.perf_counter() - t)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE plain (id INTEGER PRIMARY KEY, actor TEXT, action TEXT, record TEXT)")
        t = time.perf_counter()
        for i in range(n):
            with store.engine.begin() as conn:
                conn.execute(text("INSERT INTO plain (actor, action, record) VALUES ('tina', 'start recordings', :r)"),
                             {"r": f"recording:{i}"})
        plain = n / (time.perf_counter() - t)
        store.close()
    print(f"audit append (one transaction each, SQLite WAL synchronous=FULL, a signed checkpoint every 100): "
          f"{chained:,.0f} entries/s; a plain INSERT per transaction: {plain:,.0f}/s (ratio {chained / plain:.2f})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench_people")
    parser.add_argument("--quick", action="store_true", help="100,000 entries, fewer repeats")
    parser.add_argument("--entries", type=int, help="entries to verify (default 1,000,000; --quick 100,000)")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    bench_hash(3 if args.quick else 7)
    bench_verify(args.entries or (100_000 if args.quick else 1_000_000), 1 if args.quick else 3)
    bench_append(200 if args.quick else 1000)


if __name__ == "__main__":
    main()
