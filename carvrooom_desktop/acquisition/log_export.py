"""Exporting a stored recording: raw frames to BLF, ASC, candump, TRC or MF4; signals to a time-aligned CSV.

    export_recording(store, rec_id, "drive.blf", "blf", progress=bar, cancel=flag)
    export_recording(store, rec_id, "drive.csv", "csv", dbc="car.dbc", period=0.05)

Frame formats carry every frame as stored: its channel, FD/BRS/ESI flags and whole payload
(drivers.logs.writers; TRC leaves error frames out and counts them in ``skipped``).

CSV: one row per ``period`` seconds (default 0.1 s) from the first to the last stored
timestamp, column ``time_s`` relative to the start, then one column per signal: the polled
samples stored in the recording and, with a DBC, the signals decoded from its frames (a
stored signal wins over a decoded one of the same name). Each cell is the signal's latest
value at or before that time (empty before its first value), as a workshop's data logger
shows it. Value-table signals stay numbers. The recording is read in windows of
``WINDOW_S`` seconds, so an hour-long recording never sits in memory at once.

A cancelled export removes the partial file; a failed write raises LogFileError.
"""

from __future__ import annotations

import io
import math
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from carvrooom_desktop.acquisition.decode import BatchDecoder, ChannelDecoder
from carvrooom_desktop.acquisition.log_import import DbcSpec, decoder_for
from carvrooom_desktop.domain import FrameArrays, Recording
from carvrooom_desktop.domain.progress import Cancelled, Progress
from carvrooom_desktop.errors import InvalidRequest
from drivers.logs import LogFileError, write_log_result

if TYPE_CHECKING:
    from carvrooom_desktop.storage.recordings import RecordingRepository
    from carvrooom_desktop.storage.store import Store

EXPORT_FORMATS = ("csv", "blf", "asc", "candump", "trc", "mf4")
DEFAULT_PERIOD = 0.1
WINDOW_S = 60.0


@dataclass(slots=True)
class ExportResult:
    path: str
    format: str
    rows: int = 0  # CSV rows, or frames written
    columns: tuple[str, ...] = ()  # CSV signal columns
    cancelled: bool = False
    skipped: int = 0  # frames the format cannot hold (TRC: error frames)


class ExportCancelled(Cancelled):
    """An export stopped on request: the partly written file is removed."""


def export_recording(
    store: Store,
    recording_id: uuid.UUID,
    path: str | os.PathLike[str],
    format: str,
    *,
    dbc: DbcSpec = None,
    signals: list[str] | None = None,
    period: float | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Write recording ``recording_id`` of ``store`` to ``path`` as ``format`` (one of EXPORT_FORMATS).

    ``progress(done, total)`` counts frames (frame formats) or seconds of recording (CSV).
    """
    format = format.lower()
    if format not in EXPORT_FORMATS:
        raise InvalidRequest(f"cannot export as {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    recording = store.recordings.get(recording_id)  # NotFound for an unknown id
    path = os.fspath(path)
    result = ExportResult(path, format)
    try:
        if format == "csv":
            _export_csv(store.recordings, recording, path, decoder_for(dbc), signals, period or DEFAULT_PERIOD,
                        progress, cancel, result)
        else:
            frames = _frames(store.recordings, recording_id, recording.frame_count, progress, cancel)
            written = write_log_result(path, frames, format)
            result.rows, result.skipped = written.frames, written.skipped
    except ExportCancelled:
        result.cancelled = True
        _remove(path)
    return result


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _frames(repo: RecordingRepository, recording_id: uuid.UUID, total: int, progress: Progress | None,
            cancel: threading.Event | None) -> Iterator[FrameArrays]:
    done = 0
    for frames in repo.iter_frames(recording_id):
        if cancel is not None and cancel.is_set():
            raise ExportCancelled
        yield frames
        done += len(frames)
        if progress is not None:
            progress(done, total)


def _export_csv(repo: RecordingRepository, recording: Recording, path: str, decoder: BatchDecoder | ChannelDecoder | None,
                wanted: list[str] | None, period: float, progress: Progress | None, cancel: threading.Event | None,
                result: ExportResult) -> None:
    if period <= 0 or not math.isfinite(period):
        raise InvalidRequest("the CSV period must be a positive number of seconds")
    span = repo.time_span(recording.id)
    stored = list(recording.signal_names)
    decoded: list[str] = []
    if decoder is not None and recording.frame_count:
        ids = set(repo.frame_ids(recording.id).tolist())
        decoded = [name for name in decoder.signals_for_ids(ids) if name not in stored]
    columns = stored + decoded
    if not columns and recording.frame_count:
        raise InvalidRequest("this recording holds raw frames only: give a signal database (DBC) to decode them for the CSV"
                         if decoder is None else "the signal database knows none of this recording's frame ids")
    if wanted is not None:
        unknown = [n for n in wanted if n not in columns]
        if unknown:
            raise InvalidRequest(f"not in this recording: {', '.join(unknown)}")
        columns = [n for n in columns if n in wanted]
    result.columns = tuple(columns)
    from_samples = [n for n in columns if n in stored]
    from_frames = [n for n in columns if n not in stored]
    last = np.full(len(columns), np.nan)
    col = {n: i for i, n in enumerate(columns)}
    try:
        f = open(path, "w", encoding="utf-8", newline="\n")
    except OSError as e:
        raise LogFileError(f"cannot write {path}: {e.strerror or e}") from e
    with f:
        f.write(",".join(["time_s", *(_csv_name(n, recording.signal_units.get(n) or (decoder.units.get(n) if decoder else ""))
                                      for n in columns)]) + "\n")
        if span is None:
            return
        t0, t1 = span
        steps = int(math.floor((t1 - t0) / period + 1e-9)) + 1
        per_window = max(1, int(WINDOW_S / period))
        for first in range(0, steps, per_window):
            if cancel is not None and cancel.is_set():
                raise ExportCancelled
            grid = t0 + np.arange(first, min(steps, first + per_window)) * period
            lo, hi = float(grid[0]) if first == 0 else float(grid[0]) - period, float(grid[-1])
            window: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            if from_samples:
                window.update(repo.load_samples(recording.id, from_samples, (lo, hi)))
            if from_frames:
                known = cast("BatchDecoder | ChannelDecoder", decoder)  # frame columns come only from a decoder
                window.update(_decode_window(repo, recording.id, known, from_frames, (lo, hi)))
            table = np.empty((len(grid), len(columns) + 1))
            table[:, 0] = grid - t0
            for name, (t, v) in window.items():
                i = col[name]
                if first == 0:
                    keep = t <= hi
                else:
                    keep = (t > lo) & (t <= hi)
                t, v = t[keep], v[keep]
                idx = np.searchsorted(t, grid, side="right") - 1
                table[:, i + 1] = np.where(idx >= 0, v[np.maximum(idx, 0)] if len(v) else np.nan, last[i])
                if len(v):
                    last[i] = v[-1]
            for name in columns:
                if name not in window:
                    table[:, col[name] + 1] = last[col[name]]
            f.write(_rows_text(table))
            result.rows += len(grid)
            if progress is not None:
                progress(int(round(float(grid[-1] - t0))), int(round(t1 - t0)))


def _decode_window(repo: RecordingRepository, recording_id: uuid.UUID, decoder: BatchDecoder | ChannelDecoder, names: list[str],
                   t_range: tuple[float, float]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for frames in repo.iter_frames(recording_id, t_range):
        for name, series in decoder.decode(frames, names).signals.items():
            parts.setdefault(name, []).append(series)
    out = {}
    for name, pieces in parts.items():
        t = np.concatenate([s[0] for s in pieces])
        v = np.concatenate([s[1] for s in pieces])
        order = np.argsort(t, kind="stable")
        out[name] = (t[order], v[order])
    return out


def _csv_name(name: str, unit: str | None) -> str:
    text = f"{name} [{unit}]" if unit else name
    return f'"{text}"' if ("," in text or '"' in text) else text


def _rows_text(table: np.ndarray) -> str:
    buf = io.StringIO()
    np.savetxt(buf, table, fmt="%.10g", delimiter=",")
    return buf.getvalue().replace("nan", "")
