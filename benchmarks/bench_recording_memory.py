"""Memory of opening and plotting a long recording: one hour at 5,000 frames/s (18M frames).

Phases, each in its own process so ``ru_maxrss`` (peak RSS) belongs to that phase alone:

1. generate: the recording is written straight into a SQLite store the way the recorder
   writes it (one zstd chunk of frames per 0.5 s, polled samples every 10 s), from a pool
   of the simulator's broadcast frames with a running counter byte, so chunks do not
   compress to nothing.
2. ours: open the store, find the recording, compute min/max envelopes over 1280 px of
   8 decoded and 2 polled signals across the whole hour (recording_view.overview: one
   chunk at a time), then read an exact 10 s window in the middle (read_window).
3. baseline: what a naive viewer does: load every frame (load_frames), decode every
   signal at once (BatchDecoder.decode), load all polled samples, then reduce to 1280 px.

Printed: peak RSS and wall time per phase (ours: median of REPEATS runs), the RSS ratio.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MINUTES = 60.0
RATE = 5_000  # frames/s
CHUNK_SECONDS = 0.5
REPEATS = 3
WIDTH = 1280
POLLED = {"engine_speed": "rpm", "vehicle_speed": "km/h", "coolant_temp": "degC", "stft_b1": "%", "maf": "g/s", "battery_voltage": "V"}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def generate(db: Path, minutes: float, rate: int) -> dict:
    from benchmarks.bench_live_path import _frames
    from carvrooom_desktop.acquisition.frame_collector import to_frame_arrays
    from carvrooom_desktop.domain import FrameArrays
    from carvrooom_desktop.domain.recording import RecordingState
    from carvrooom_desktop.storage.store import Store
    from drivers.simulator.broadcast import load_sim_dbc

    pool = to_frame_arrays(_frames(load_sim_dbc(), 4_096))
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    per_chunk = int(rate * CHUNK_SECONDS)
    chunks = int(minutes * 60 / CHUNK_SECONDS)
    t0 = 1_700_000_000.0
    with Store.open(f"sqlite:///{db}") as store:
        recording_id = store.recordings.create(adapter="simulated car (benchmark)", notes=f"{minutes:g} min at {rate} frames/s",
                                               signal_units=POLLED)
        sample_seq = 0
        for seq in range(chunks):
            pick = rng.integers(0, len(pool), per_chunk)
            data = pool.data[pick].copy()
            data[:, 7] ^= np.arange(per_chunk, dtype=np.uint8)  # a changing byte, like a rolling counter
            start = seq * per_chunk
            frames = FrameArrays(t0 + (start + np.arange(per_chunk)) / rate, pool.arbitration_id[pick], pool.flags[pick],
                                 pool.dlc[pick], data)
            store.recordings.append_frames(recording_id, seq, frames)
            if (seq + 1) % int(10 / CHUNK_SECONDS) == 0:  # polled samples: 6 signals at 10 Hz, committed every 10 s
                t = t0 + (seq + 1) * CHUNK_SECONDS - 10 + np.arange(100) / 10
                signal = np.repeat(np.arange(len(POLLED), dtype=np.uint16), 100)
                value = 1000 + 500 * np.sin(np.tile(t, len(POLLED)) / 60.0) + rng.normal(0, 5, len(signal))
                store.recordings.append_samples(recording_id, sample_seq, signal, np.tile(t, len(POLLED)), value)
                sample_seq += 1
        store.recordings.finish(recording_id, RecordingState.FINISHED)
    return {"recording": str(recording_id), "frames": chunks * per_chunk, "seconds": time.perf_counter() - started,
            "bytes": db.stat().st_size, "rss_mb": _peak_rss_mb()}


def _decoded_names(decoder) -> list[str]:
    by_message: dict[str, str] = {}
    for name in decoder.signal_names:
        by_message.setdefault(name.split(".")[0], name)  # one signal of each message: 8 different messages
    return list(by_message.values())[:8]


def ours(db: Path, recording: str) -> dict:
    import uuid

    from carvrooom_desktop.acquisition.decode import BatchDecoder
    from carvrooom_desktop.acquisition.recording_view import overview, read_window, time_span
    from carvrooom_desktop.storage.store import Store
    from drivers.simulator.broadcast import load_sim_dbc

    decoder = BatchDecoder(load_sim_dbc())
    before = _peak_rss_mb()  # the interpreter, numpy, SQLAlchemy, cantools: what any phase pays
    started = time.perf_counter()
    with Store.open(f"sqlite:///{db}") as store:
        recording_id = uuid.UUID(recording)
        store.recordings.get(recording_id)
        names = [*_decoded_names(decoder), "engine_speed", "coolant_temp"]
        envelopes = overview(store, recording_id, names, decoder=decoder, width=WIDTH)
        plotted = time.perf_counter() - started
        lo, hi = time_span(store, recording_id)
        middle = (lo + hi) / 2
        window = read_window(store, recording_id, names, (middle, middle + 10.0), decoder=decoder)
        zoomed = time.perf_counter() - started - plotted
    counted = int(sum(e.count.sum() for e in envelopes.values()))
    return {"rss_mb": _peak_rss_mb(), "rss_before_mb": before, "plot_s": plotted, "zoom_s": zoomed, "signals": len(envelopes), "values": counted,
            "window_values": int(sum(len(t) for t, _ in window.values()))}


def baseline(db: Path, recording: str) -> dict:
    import uuid

    from carvrooom_desktop.acquisition.decimation import minmax_bins
    from carvrooom_desktop.acquisition.decode import BatchDecoder
    from carvrooom_desktop.storage.store import Store
    from drivers.simulator.broadcast import load_sim_dbc

    started = time.perf_counter()
    with Store.open(f"sqlite:///{db}") as store:
        recording_id = uuid.UUID(recording)
        frames = store.recordings.load_frames(recording_id)
        signals = BatchDecoder(load_sim_dbc()).decode(frames).signals
        signals |= store.recordings.load_samples(recording_id)
        lo, hi = float(frames.timestamp[0]), float(frames.timestamp[-1])
        points = sum(len(minmax_bins(t, v, v, lo, hi, WIDTH)[0]) for t, v in signals.values())
    return {"rss_mb": _peak_rss_mb(), "plot_s": time.perf_counter() - started, "signals": len(signals), "points": points,
            "values": int(sum(len(t) for t, _ in signals.values()))}


def _phase(name: str, db: Path, *extra: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_recording_memory", "--phase", name, "--db", str(db), *extra],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(minutes: float = MINUTES, rate: int = RATE, repeats: int = REPEATS, run_baseline: bool = True, keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as d:
        db = keep or Path(d) / "hour.sqlite3"
        info_file = db.with_suffix(".json")
        if keep is not None and info_file.exists():
            made = json.loads(info_file.read_text())
        else:
            made = _phase("generate", db, "--minutes", str(minutes), "--rate", str(rate))
            info_file.write_text(json.dumps(made))
        ours_runs = [_phase("ours", db, "--recording", made["recording"]) for _ in range(repeats)]
        base = _phase("baseline", db, "--recording", made["recording"]) if run_baseline else None
    rss = statistics.median(r["rss_mb"] for r in ours_runs)
    print(f"\nOpening and plotting a {made['frames'] / rate / 60:.0f} min recording at {rate:,} frames/s "
          f"({made['frames']:,} frames, {made['bytes'] / 1e6:,.0f} MB on disk; written in {made['seconds']:.0f} s)")
    print(f"  {'ours: overview 10 signals x 1280 px (median of ' + str(repeats) + ')':<60} peak RSS {rss:>8,.0f} MB  "
          f"{statistics.median(r['plot_s'] for r in ours_runs):6.1f} s  ({ours_runs[0]['values']:,} values folded; "
          f"{statistics.median(r['rss_before_mb'] for r in ours_runs):,.0f} MB before opening)")
    print(f"  {'ours: then an exact 10 s window':<60} {'':>17}  {statistics.median(r['zoom_s'] for r in ours_runs):6.2f} s  "
          f"({ours_runs[0]['window_values']:,} values)")
    if base is not None:
        print(f"  {'baseline: load all frames, decode all signals, then reduce':<60} peak RSS {base['rss_mb']:>8,.0f} MB  "
              f"{base['plot_s']:6.1f} s  ({base['values']:,} values in memory)")
        print(f"  peak RSS: ours {base['rss_mb'] / rss:.1f}x less than loading everything")
    return {"rss_mb": rss, "baseline_rss_mb": base["rss_mb"] if base else None}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=["generate", "ours", "baseline"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--recording")
    parser.add_argument("--minutes", type=float, default=MINUTES)
    parser.add_argument("--rate", type=int, default=RATE)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--keep", type=Path, help="store file to reuse between runs (generated once)")
    args = parser.parse_args()
    if args.phase == "generate":
        print(json.dumps(generate(args.db, args.minutes, args.rate)))
    elif args.phase == "ours":
        print(json.dumps(ours(args.db, args.recording)))
    elif args.phase == "baseline":
        print(json.dumps(baseline(args.db, args.recording)))
    else:
        main(args.minutes, args.rate, args.repeats, not args.no_baseline, args.keep)
