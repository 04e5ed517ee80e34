"""Recording throughput into the store: our chunked recorder vs raw sqlite3 executemany vs ORM add_all.

All three write (signal, timestamp, value) samples to a fresh SQLite file in WAL
mode with synchronous=FULL and commit, so every figure is durable on commit.
Target: >= 5M samples/s for the chunked store.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import numpy as np
from sqlalchemy import Float, Integer, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from benchmarks.common import median_rate, report
from carvrooom_desktop.storage.engine import _sqlite_pragmas
from carvrooom_desktop.storage.store import Store

SIGNALS = 32
CHUNK = 250_000  # samples per chunk: ~1 s of 32 signals at 8 kHz total, or a busy second of a real bus
CHUNKS = 8
SQLITE_N = 400_000
ORM_N = 40_000


def _samples(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    signal = (np.arange(n) % SIGNALS).astype(np.uint16)
    t = 1.7e9 + np.arange(n) / 8000.0
    value = np.round(800 + np.cumsum(rng.normal(0, 1, n)), 2)  # a slowly moving signal, like rpm
    return signal, t, value


def bench_store(tmp: Path) -> float:
    signal, t, value = _samples(CHUNK)
    counter = iter(range(1_000))

    def run() -> int:
        with Store.open(f"sqlite:///{tmp / f'store{next(counter)}.sqlite3'}") as store:
            rec = store.recordings.create(signal_units={f"s{i}": "" for i in range(SIGNALS)})
            for seq in range(CHUNKS):
                store.recordings.append_samples(rec, seq, signal, t + seq, value)
        return CHUNK * CHUNKS

    return median_rate(run)[0]


def bench_sqlite(tmp: Path) -> float:
    signal, t, value = _samples(SQLITE_N)
    rows = list(zip(signal.tolist(), t.tolist(), value.tolist(), strict=True))
    counter = iter(range(1_000))

    def run() -> int:
        conn = sqlite3.connect(tmp / f"raw{next(counter)}.sqlite3")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE sample (signal INTEGER, t REAL, value REAL)")
        conn.executemany("INSERT INTO sample VALUES (?, ?, ?)", rows)
        conn.commit()
        conn.close()
        return SQLITE_N

    return median_rate(run)[0]


class _Base(DeclarativeBase):
    pass


class _Sample(_Base):
    __tablename__ = "sample"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)


def bench_orm(tmp: Path) -> float:
    signal, t, value = _samples(ORM_N)
    counter = iter(range(1_000))

    def run() -> int:
        engine = create_engine(f"sqlite:///{tmp / f'orm{next(counter)}.sqlite3'}")
        event.listen(engine, "connect", _sqlite_pragmas)
        _Base.metadata.create_all(engine)
        with Session(engine) as s, s.begin():
            s.add_all(_Sample(signal=int(a), t=float(b), value=float(c)) for a, b, c in zip(signal, t, value, strict=True))
        engine.dispose()
        return ORM_N

    return median_rate(run, repeats=3)[0]


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = [
            ("CarVrooom chunked store (zstd, shuffled)", bench_store(tmp), "samples/s"),
            ("sqlite3 executemany (one row per sample)", bench_sqlite(tmp), "samples/s"),
            ("SQLAlchemy ORM add_all", bench_orm(tmp), "samples/s"),
        ]
    report("Recording throughput, durable on commit (median of 5; ORM 3)", rows, "sqlite3 executemany (one row per sample)")
    ours = rows[0][1]
    print(f"  target >= 5,000,000 samples/s: {'met' if ours >= 5e6 else 'NOT met'} ({ours / 1e6:.1f}M)")
    return {name: value for name, value, _ in rows}


if __name__ == "__main__":
    main()
