"""Log import end to end (read + decode + store) vs python-can's bare reader, for BLF and ASC.

The log: frames of a real DBC (opendbc Toyota, else the workshop fixture) written by
python-can's own writers. Baseline: iterating ``can.BLFReader`` / ``can.ASCReader`` and
doing nothing with the messages. Ours: ``import_log`` into a fresh SQLite store (WAL,
durable commits), decoding every frame with the DBC and storing frames and signals.
Target: >= 0.8x the bare reader.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import can

from benchmarks.bench_decode import FIXTURE_DBC, REAL_DBC, make_frames
from benchmarks.common import median_rate, report
from carvrooom_desktop.acquisition.decode import BatchDecoder, load_database
from carvrooom_desktop.acquisition.log_import import import_log
from carvrooom_desktop.storage.store import Store
from drivers.logs import write_log


def main(n: int = 200_000, repeats: int = 3) -> dict[str, float]:
    dbc = REAL_DBC if REAL_DBC.is_file() else FIXTURE_DBC
    db = load_database(dbc)
    decoder = BatchDecoder(db)
    frames, _ = make_frames(db, n)
    frames = type(frames)(frames.timestamp + 1.7e9, frames.arbitration_id, frames.flags | 0x10, frames.dlc, frames.data)
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="carvrooom-bench-import-") as tmp:
        tmp = Path(tmp)
        counter = iter(range(1000))
        for fmt, reader_class in (("blf", can.BLFReader), ("asc", can.ASCReader)):
            path = tmp / f"drive.{fmt}"
            write_log(path, [frames], fmt)

            def bare(path=path, reader_class=reader_class) -> int:
                count = 0
                for _msg in reader_class(str(path)):
                    count += 1
                return count

            # a fresh store per run, opened (created, migrated) before the clock starts
            stores = [Store.open(f"sqlite:///{tmp / f'store{next(counter)}.sqlite3'}") for _ in range(repeats)]

            def ours(path=path, stores=stores) -> int:
                store = stores.pop()
                try:
                    return import_log(store, path, dbc=decoder).report.frames
                finally:
                    store.close()

            base, _ = median_rate(bare, repeats)
            rate, _ = median_rate(ours, repeats)
            report(f"Import {fmt.upper()} end to end, {n:,} frames, {dbc.name} ({path.stat().st_size / 1e6:.1f} MB)",
                   [(f"python-can {reader_class.__name__} (bare)", base, "frames/s"),
                    ("import_log: read + decode + store", rate, "frames/s")],
                   baseline=f"python-can {reader_class.__name__} (bare)")
            ratios[fmt] = rate / base
            print(f"  ratio {ratios[fmt]:.2f}x (target >= 0.8x)")
    return ratios


if __name__ == "__main__":
    quick = "--quick" in sys.argv or os.environ.get("CARVROOOM_BENCH_QUICK")
    main(n=50_000 if quick else 200_000, repeats=3)
