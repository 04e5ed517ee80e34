"""Batch decode: our vectorised BatchDecoder vs cantools ``decode_message`` on the same frames.

Two variants, each with a real DBC, frames of every message in random order (mixed ids)
with random payloads (multiplexers set to a known id):

* classic: opendbc Toyota (../shared/datasets/dbc, else the workshop fixture), 8-byte
  frames. Target: >= 30x cantools.
* CAN FD: opendbc hyundai_canfd (tests/drivers/fixtures), frames of 8 to 32 bytes in
  64-byte rows. Target: >= 15x cantools.

Both decoders get the data ready in their own form (FrameArrays / bytes), and the results
are checked equal before timing. Prints signals/s too.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import numpy as np

from benchmarks.common import median_rate, report
from carvrooom_desktop.acquisition.decode import BatchDecoder, load_database
from carvrooom_desktop.domain.frames import EXTENDED_ID, FD, FrameArrays

ROOT = Path(__file__).resolve().parent.parent
REAL_DBC = ROOT.parent / "shared" / "datasets" / "dbc" / "toyota_nodsu_pt_generated.dbc"
FIXTURE_DBC = ROOT / "tests" / "drivers" / "fixtures" / "workshop_car.dbc"
FD_DBC = ROOT / "tests" / "drivers" / "fixtures" / "hyundai_canfd.dbc"
TARGETS = {"classic": 30.0, "fd": 15.0}


def make_frames(db, n: int, seed: int = 0, fd: bool = False) -> tuple[FrameArrays, list[tuple[int, bytes]]]:
    """``n`` frames of the database's messages in random order, valid for cantools (right length, known mux).

    ``fd``: every message (up to 64 bytes) as a CAN FD frame in 64-byte rows; else the messages of up to 8 bytes.
    """
    rng = random.Random(seed)
    messages = [m for m in db.messages if not m.is_container and (m.length <= 64 if fd else m.length <= 8)]
    decodable = []
    for m in messages:  # keep messages cantools can decode at all (strict=False files have some it cannot)
        try:
            m.decode(bytes(m.length), decode_choices=False)
            decodable.append(m)
        except Exception:  # noqa: BLE001 - unknown mux value 0 etc.: try an encoded frame
            try:
                m.decode(m.encode({s.name: 0 for s in m.signals}, strict=False), decode_choices=False)
                decodable.append(m)
            except Exception:  # noqa: BLE001
                continue
    pairs: list[tuple[int, bytes]] = []
    ext = []
    for _ in range(n):
        m = rng.choice(decodable)
        data = rng.randbytes(m.length)
        if m.is_multiplexed():
            data = m.encode({s.name: 0 for s in m.signals}, strict=False)
        pairs.append((m.frame_id, data))
        ext.append(m.is_extended_frame)
    data = np.zeros((n, 64 if fd else 8), np.uint8)
    for k, (_, p) in enumerate(pairs):
        data[k, : len(p)] = np.frombuffer(p, np.uint8)
    frames = FrameArrays(np.arange(n) * 1e-4, np.array([i for i, _ in pairs], np.uint32),
                         (np.where(np.array(ext), EXTENDED_ID, 0) | (FD if fd else 0)).astype(np.uint8),
                         np.array([len(p) for _, p in pairs], np.uint8), data)
    return frames, [(i | (0x80000000 if e else 0), p) for (i, p), e in zip(pairs, ext, strict=True)]


def check_equal(decoder, db, frames, pairs, limit=20_000) -> int:
    """Frames where our values differ from cantools' (must be 0)."""
    sub = frames[:limit]
    ours = decoder.decode(sub).signals
    cursor = {name: 0 for name in ours}
    bad = 0
    for key, payload in pairs[:limit]:
        message = db.get_message_by_frame_id(key)
        for sig, value in message.decode(payload, decode_choices=False).items():
            name = f"{message.name}.{sig}"
            if name not in ours:
                bad += 1
                continue
            got = ours[name][1][cursor[name]]
            cursor[name] += 1
            bad += not (got == float(value) or (got != got and value != value))
    return bad


def run_variant(variant: str, n: int, cantools_n: int, repeats: int) -> float:
    fd = variant == "fd"
    path = FD_DBC if fd else (REAL_DBC if REAL_DBC.is_file() else FIXTURE_DBC)
    db = load_database(path)
    decoder = BatchDecoder(db)
    frames, pairs = make_frames(db, n, fd=fd)
    mismatches = check_equal(decoder, db, frames, pairs)
    signals = sum(len(t) for t, _ in decoder.decode(frames).signals.values())
    ours, _ = median_rate(lambda: (decoder.decode(frames), n)[1], repeats)
    decode_message = db.decode_message
    subset = pairs[:cantools_n]

    def cantools_run() -> int:
        for key, payload in subset:
            decode_message(key, payload, decode_choices=False)
        return len(subset)

    base, _ = median_rate(cantools_run, repeats)
    lengths = np.unique(frames.dlc).tolist()
    kind = f"CAN FD, {min(lengths)}-{max(lengths)} bytes in 64-byte rows" if fd else "classic, 8-byte rows"
    report(f"Batch decode ({kind}), {path.name}, {len({i for i, _ in pairs})} ids mixed, {n:,} frames "
           f"({signals / n:.1f} signals/frame), {mismatches} mismatches vs cantools",
           [("cantools decode_message", base, "frames/s"), ("BatchDecoder (numpy, per message id)", ours, "frames/s")],
           baseline="cantools decode_message")
    ratio = ours / base
    target = TARGETS[variant]
    print(f"  ratio {ratio:.1f}x (target >= {target:.0f}x: {'met' if ratio >= target else 'NOT met'}); "
          f"{ours * signals / n:,.0f} signals/s")
    return ratio


def main(n: int = 200_000, cantools_n: int = 30_000, repeats: int = 5, variants=("classic", "fd")) -> dict[str, float]:
    return {variant: run_variant(variant, n, cantools_n, repeats) for variant in variants}


if __name__ == "__main__":
    quick = "--quick" in sys.argv or os.environ.get("CARVROOOM_BENCH_QUICK")
    chosen = tuple(v for v in ("classic", "fd") if f"--{v}" in sys.argv) or ("classic", "fd")
    main(n=50_000 if quick else 200_000, cantools_n=10_000 if quick else 30_000, repeats=3 if quick else 5, variants=chosen)
