"""Writing frames to log files: BLF and ASC through python-can's writers, candump with our own (same dialect)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from carvrooom_desktop.domain.frames import ERROR, EXTENDED_ID, FD, REMOTE, RX, FrameArrays
from drivers.logs.base import LogFileError
from drivers.logs.candump import write_candump


def write_log(path: str | os.PathLike[str], chunks: Iterable[FrameArrays], format: str) -> int:
    """Write every frame of ``chunks`` to ``path`` as ``format`` (blf, asc, candump); returns the frame count."""
    format = format.lower()
    try:
        if format == "candump":
            return write_candump(path, chunks)
        if format in ("blf", "asc"):
            return _write_python_can(path, chunks, format)
    except OSError as e:
        raise LogFileError(f"cannot write {os.fspath(path)}: {e.strerror or e}") from e
    raise LogFileError(f"cannot write {format!r} logs; choose blf, asc or candump")


def _write_python_can(path, chunks: Iterable[FrameArrays], format: str) -> int:
    import can

    writer = can.BLFWriter(path) if format == "blf" else can.ASCWriter(path)
    count = 0
    try:
        for frames in chunks:
            for msg in to_messages(frames):
                writer.on_message_received(msg)
            count += len(frames)
    finally:
        writer.stop()
    return count


def to_messages(frames: FrameArrays):
    """python-can Messages of ``frames`` (channel 0)."""
    import can

    for t, ident, flag, dlc, row in zip(frames.timestamp.tolist(), frames.arbitration_id.tolist(), frames.flags.tolist(),
                                        frames.dlc.tolist(), frames.data.tobytes() and _rows(frames), strict=True):
        remote, fd = bool(flag & REMOTE), bool(flag & FD)
        size = min(dlc, 8)
        yield can.Message(
            timestamp=t, arbitration_id=ident, is_extended_id=bool(flag & EXTENDED_ID), is_remote_frame=remote,
            is_error_frame=bool(flag & ERROR), is_fd=fd, is_rx=bool(flag & RX), dlc=dlc if not fd else size,
            data=b"" if remote else row[:size], channel=0, check=False,
        )


def _rows(frames: FrameArrays) -> list[bytes]:
    raw = frames.data.tobytes()
    return [raw[i * 8:(i + 1) * 8] for i in range(len(frames))]
