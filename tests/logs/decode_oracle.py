"""cantools as the reference decoder: frame by frame, what ``decode_message`` returns."""

from __future__ import annotations

import math

import numpy as np

from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.domain.frames import EXTENDED_ID, FD, FrameArrays

DATA_DIR = "/work/shared/datasets/dbc"


def cantools_reference(db, frames: FrameArrays, payloads: list[bytes]) -> dict[str, list[tuple[float, float]]]:
    """Per ``MESSAGE.signal``: (timestamp, float value) of every frame cantools decodes."""
    from cantools.database.errors import DecodeError

    out: dict[str, list[tuple[float, float]]] = {}
    for k, payload in enumerate(payloads):
        frame_id = int(frames.arbitration_id[k])
        # Matched by identifier alone, as the live session does: the frame's 11/29-bit kind first.
        message = None
        for key in ((frame_id | 0x80000000, frame_id) if frames.flags[k] & EXTENDED_ID else (frame_id, frame_id | 0x80000000)):
            try:
                message = db.get_message_by_frame_id(key)
                break
            except KeyError:
                continue
        if message is None:
            continue
        if message.is_container:
            continue
        try:
            decoded = message.decode(payload, decode_choices=False, scaling=True)
        except (DecodeError, ValueError):
            continue
        t = float(frames.timestamp[k])
        for name, value in decoded.items():
            out.setdefault(f"{message.name}.{name}", []).append((t, float(value)))
    return out


def mismatches(decoder: BatchDecoder, db, frames: FrameArrays, payloads: list[bytes]) -> list[str]:
    """Every difference between our batch and cantools' frame-by-frame result, for the signals we plan."""
    ours = decoder.decode(frames).signals
    ref = cantools_reference(db, frames, payloads)
    planned = set(decoder.signals)
    problems: list[str] = []
    for name in sorted(planned | set(ref)):
        if name not in planned:
            continue  # left out on purpose, with a warning on the plan (tested separately)
        expected = ref.get(name, [])
        t, v = ours.get(name, (np.empty(0), np.empty(0)))
        if len(expected) != len(t):
            problems.append(f"{name}: {len(t)} values, cantools {len(expected)}")
            continue
        for (te, ve), tg, vg in zip(expected, t.tolist(), v.tolist(), strict=True):
            same = (ve == vg) or (math.isnan(ve) and math.isnan(vg))
            if te != tg or not same:
                problems.append(f"{name} at t={te}: ours {vg!r}, cantools {ve!r}")
                break
    return problems


def frames_from(ids: list[int], payloads: list[bytes], extended: list[bool] | None = None,
                fd: list[bool] | None = None) -> FrameArrays:
    """Frames of these payloads: 8-byte rows, or 64-byte rows (CAN FD) when one is longer; a payload longer
    than 8 bytes (or ``fd[k]``) is an FD frame."""
    n = len(ids)
    width = 64 if any(len(p) > 8 for p in payloads) else 8
    data = np.zeros((n, width), np.uint8)
    for k, p in enumerate(payloads):
        data[k, : min(width, len(p))] = np.frombuffer(p[:width], np.uint8)
    flags = np.array([(EXTENDED_ID if (extended and extended[k]) else 0)
                      | (FD if (len(payloads[k]) > 8 or (fd and fd[k])) else 0) for k in range(n)], np.uint8)
    return FrameArrays(np.arange(n, dtype=np.float64) * 0.001, np.array(ids, np.uint32), flags,
                       np.array([min(len(p), 255) for p in payloads], np.uint8), data)
