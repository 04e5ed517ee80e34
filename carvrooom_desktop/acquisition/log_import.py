"""Importing a CAN log into the store: read in chunks -> decode (optional DBC) -> a new Recording.

    result = import_log(store, "drive.blf", dbc="car.dbc", vin="WVW...", progress=bar, cancel=flag)
    result.recording_id, result.report.bad_lines, result.signals

Raw frames are the truth (DESIGN.md): they are stored as they come — full CAN FD payloads,
FD/BRS/ESI flags and each frame's bus channel —, one chunk per reader chunk (<= 65,536
frames), so a log of any size streams through a fixed amount of memory,
and signals are decoded from them on demand later (plots, export, comparison), as for a
live recording. With a DBC every chunk is decoded during the import too: the result says
which signals the log holds and which frames the DBC refuses, and the DBC is remembered
for the vehicle (``--vin``) so later views pick it. ``dbc`` may also map channels to
databases (``{0: "powertrain.dbc", 1: "chassis_fd.dbc"}``, python-can channel names), one
signal database per bus. ``store_signals=True`` also stores the decoded values as
samples, for a recording that must read without its DBC.

The recording's notes say where it came from and what was skipped. Bad lines never stop
an import; a cancelled import keeps what was stored and is marked interrupted; a failure
of the store marks it interrupted and re-raises.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop.acquisition.decode import BatchDecoder, ChannelDecoder, load_database
from carvrooom_desktop.domain import RecordingState, Vehicle
from carvrooom_desktop.domain.progress import Progress
from carvrooom_desktop.storage.recordings import SAMPLES
from drivers.logs import ReadReport, open_log

if TYPE_CHECKING:
    from carvrooom_desktop.acquisition.decode.decoder import Series
    from carvrooom_desktop.acquisition.decode.plan import Database
    from carvrooom_desktop.domain.frames import Channel
    from carvrooom_desktop.storage.recordings import RecordingRepository
    from carvrooom_desktop.storage.store import Store

# One signal database: a file, a loaded one, or a decoder built already.
DbcOne: TypeAlias = "str | os.PathLike[str] | Database | BatchDecoder"
# What ``dbc=`` takes: one of those, a decoder per channel, None (undecoded), or channel -> database ("*": the rest).
DbcSpec: TypeAlias = "DbcOne | ChannelDecoder | Mapping[Channel, str | os.PathLike[str] | Database] | None"

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ImportResult:
    recording_id: uuid.UUID
    report: ReadReport  # frames read, bad lines (numbered), skipped, stopped_at, cancelled
    signals: dict[str, int] = field(default_factory=dict)  # decoded signal -> values stored
    undecoded_frames: int = 0  # frames whose id the DBC does not know (or no DBC given)
    invalid_frames: dict[str, int] = field(default_factory=dict)  # message -> frames refused (short DLC, unknown mux)
    warnings: list[str] = field(default_factory=list)
    decoded: bool = False  # a DBC was given

    @property
    def cancelled(self) -> bool:
        return self.report.cancelled

    def summary(self) -> str:
        if not self.decoded:
            return f"{self.report.summary()}; not decoded (no signal database given)"
        text = f"{self.report.summary()}; {len(self.signals)} signal(s) decoded"
        invalid = sum(self.invalid_frames.values())
        return text + (f", {invalid} frame(s) refused by the DBC" if invalid else "")


def _database(dbc: str | os.PathLike[str] | Database) -> Database:
    return load_database(dbc) if isinstance(dbc, str | os.PathLike) else dbc


def decoder_for(dbc: DbcSpec) -> BatchDecoder | ChannelDecoder | None:
    """A decoder from a DBC path, a cantools/SignalDatabase, a BatchDecoder/ChannelDecoder (as is), None, or a
    mapping channel -> any of those (one database per bus channel; the key ``"*"`` is the default for the others)."""
    if dbc is None or isinstance(dbc, BatchDecoder | ChannelDecoder):
        return dbc
    if isinstance(dbc, Mapping):
        per_channel = {channel: _database(db) for channel, db in dbc.items() if channel != "*"}
        default = _database(dbc["*"]) if "*" in dbc else None
        if not per_channel and default is not None:
            return BatchDecoder(default)
        return ChannelDecoder(per_channel, default=default)
    return BatchDecoder(_database(dbc))  # a path, a cantools Database or a SignalDatabase


def _dbc_paths(dbc: DbcSpec) -> list[str]:
    if isinstance(dbc, str | os.PathLike):
        return [os.fspath(dbc)]
    if isinstance(dbc, Mapping):
        return [os.fspath(v) for v in dbc.values() if isinstance(v, str | os.PathLike)]
    return []


def import_log(
    store: Store,
    path: str | os.PathLike[str],
    *,
    dbc: DbcSpec = None,
    vin: str = "",
    notes: str = "",
    format: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    chunk_frames: int | None = None,
    store_signals: bool = False,
) -> ImportResult:
    """Import ``path`` into a new recording of ``store`` (a storage Store).

    ``dbc``: a path, cantools/SignalDatabase or BatchDecoder, or None (frames are not decoded).
    ``progress(done_bytes, total_bytes)`` is called after every block read; setting
    ``cancel`` stops between blocks. Raises LogFileError (drivers.logs) when the file
    cannot be opened or is no log at all, SignalDatabaseError for an unusable DBC.
    """
    decoder = decoder_for(dbc)
    reader = open_log(path, format, chunk_frames=chunk_frames)
    name = os.path.basename(os.fspath(path))
    vehicle_id = store.vehicles.upsert(Vehicle(vin)) if vin else None
    if vin and isinstance(dbc, str | os.PathLike):
        store.vehicles.remember_signal_database(vin, os.path.abspath(dbc))
    repo = store.recordings
    paths = _dbc_paths(dbc)
    source = f"imported from {name}" + (f", decoded with {', '.join(os.path.basename(p) for p in paths)}" if paths else "")
    recording_id = repo.create(vin=vin, adapter=f"log file ({reader.format})", vehicle_id=vehicle_id,
                               notes=f"{notes} ({source})" if notes else source)
    result = ImportResult(recording_id, reader.report, decoded=decoder is not None)
    if decoder is not None:
        result.warnings.extend(decoder.warnings)
    names: dict[str, int] = {}  # signal -> index in the recording's names
    units = decoder.units if decoder is not None else {}
    seq = 0
    state = RecordingState.INTERRUPTED
    try:
        for frames in reader.chunks(progress, cancel):
            # min/max, not first/last: a log's time may step back (several trigger blocks, clock resets)
            repo.append_frames(recording_id, seq, frames, time_ordered=False)
            if decoder is not None:
                batch = decoder.decode(frames)
                result.undecoded_frames += batch.unknown
                for message, count in batch.invalid.items():
                    result.invalid_frames[message] = result.invalid_frames.get(message, 0) + count
                for n, (t, _v) in batch.signals.items():
                    result.signals[n] = result.signals.get(n, 0) + len(t)
                if store_signals:
                    _store_signals(repo, recording_id, seq, batch.signals, names, units)
            else:
                result.undecoded_frames += len(frames)
            seq += 1
        state = RecordingState.INTERRUPTED if reader.report.cancelled else RecordingState.FINISHED
    finally:
        try:
            repo.finish(recording_id, state)
            _note_outcome(repo, recording_id, result, name)
        except (SQLAlchemyError, OSError) as e:  # the store itself failed (disk full): keep the first error
            log.error("import of %s: could not close recording %s: %s", name, recording_id, e)
            if state is RecordingState.FINISHED:
                raise
    return result


def _store_signals(repo: RecordingRepository, recording_id: uuid.UUID, seq: int, signals: dict[str, Series],
                   names: dict[str, int], units: dict[str, str]) -> None:
    """Decoded values as one samples chunk, grouped by signal index already (no sort needed)."""
    if not signals:
        return
    new = [n for n in signals if n not in names]
    for n in new:
        names[n] = len(names)
    present = sorted(signals, key=names.__getitem__)
    index = np.concatenate([np.full(len(signals[n][0]), names[n], np.uint16) for n in present])
    stamps = np.concatenate([signals[n][0] for n in present])
    values = np.concatenate([signals[n][1] for n in present])
    repo.append_chunk(recording_id, SAMPLES, seq, {"signal": index, "timestamp": stamps, "value": values},
                      t_start=float(stamps.min()), t_end=float(stamps.max()),
                      signal_units={n: units.get(n, "") for n in names} if new else None)


def _note_outcome(repo: RecordingRepository, recording_id: uuid.UUID, result: ImportResult, name: str) -> None:
    """The import's outcome in the recording's notes: a technician sees what was left out."""
    text = f"{repo.get(recording_id).notes} — {name}: {result.summary()}"
    if result.report.bad_lines:
        first = result.report.bad_lines[0]
        text += f" (first bad line {first.line_no}: {first.reason})"
    repo.update_notes(recording_id, text)
