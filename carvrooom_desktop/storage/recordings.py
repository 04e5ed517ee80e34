"""Recordings in the store: a header row plus append-only compressed chunks."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import Engine, Table, func, or_, select, update
from sqlalchemy.orm import Session

from carvrooom_desktop.domain import FrameArrays, Recording, RecordingMark, RecordingState
from carvrooom_desktop.domain.frames import Channel
from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.storage.chunks import CODEC, chunk_meta, decode_chunk, encode_chunk, read_chunk
from carvrooom_desktop.storage.models import RecordingChunkRow, RecordingMarkRow, RecordingRow, VehicleScanRow, utcnow

FRAMES, SAMPLES = "frames", "samples"
STALE_AFTER = timedelta(seconds=30)  # a "recording" row untouched this long lost its writer


class RecordingRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    # -- writing -----------------------------------------------------------------------

    def create(
        self,
        *,
        vin: str = "",
        adapter: str = "",
        notes: str = "",
        vehicle_id: uuid.UUID | None = None,
        signal_units: dict[str, str] | None = None,
    ) -> uuid.UUID:
        units = dict(signal_units or {})
        row = RecordingRow(
            vin=vin, adapter=adapter, notes=notes, vehicle_id=vehicle_id, origin=self.origin,
            state=RecordingState.RECORDING.value, signal_names=list(units), signal_units=units,
        )
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return row.id

    def append_chunk(
        self,
        recording_id: uuid.UUID,
        kind: str,
        seq: int,
        columns: dict[str, np.ndarray],
        *,
        t_start: float,
        t_end: float,
        signal_units: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Write one chunk and bump the counts in one transaction (durable when it returns)."""
        count = len(next(iter(columns.values())))
        blob = encode_chunk(columns, meta)
        counter = RecordingRow.frame_count if kind == FRAMES else RecordingRow.sample_count
        values = {counter.key: counter + count, "updated_at": utcnow()}
        if signal_units is not None:
            values |= {"signal_names": list(signal_units), "signal_units": dict(signal_units)}
        with self.engine.begin() as conn:
            conn.execute(
                cast(Table, RecordingChunkRow.__table__).insert().values(  # a declarative model's table (typed FromClause)
                    id=uuid.uuid4(), recording_id=recording_id, kind=kind, seq=seq, t_start=t_start,
                    t_end=t_end, count=count, codec=CODEC, payload=blob, origin=self.origin,
                )
            )
            conn.execute(update(RecordingRow).where(RecordingRow.id == recording_id).values(**values))

    def append_frames(self, recording_id: uuid.UUID, seq: int, frames: FrameArrays, *, time_ordered: bool = True) -> None:
        """One chunk of raw frames: every column (full CAN FD payloads, flags, channel) and the channel table.

        ``time_ordered=False`` (imported logs: several trigger blocks, clock resets) takes the
        chunk's time range from min/max instead of the first and last frame.
        """
        t = frames.timestamp
        t_start, t_end = (float(t[0]), float(t[-1])) if time_ordered else (float(t.min()), float(t.max()))
        self.append_chunk(recording_id, FRAMES, seq, frames.columns(), t_start=t_start, t_end=t_end, meta=frames.meta())

    def append_samples(
        self, recording_id: uuid.UUID, seq: int, signal: np.ndarray, timestamp: np.ndarray, value: np.ndarray,
        signal_units: dict[str, str] | None = None,
    ) -> None:
        """Samples as three columns: signal index (into the recording's names), time, value."""
        order = np.argsort(signal, kind="stable")  # grouped by signal: loads slice, compresses better
        self.append_chunk(
            recording_id, SAMPLES, seq,
            {"signal": signal[order].astype(np.uint16), "timestamp": timestamp[order], "value": value[order]},
            t_start=float(timestamp.min()), t_end=float(timestamp.max()), signal_units=signal_units,
        )

    def add_mark(self, recording_id: uuid.UUID, timestamp: float, label: str) -> None:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(RecordingMarkRow(recording_id=recording_id, timestamp=timestamp, label=label, origin=self.origin))

    def finish(self, recording_id: uuid.UUID, state: RecordingState = RecordingState.FINISHED, ended_at: datetime | None = None) -> None:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.get(RecordingRow, recording_id)
            if row is None:
                raise NotFound(f"no recording {recording_id}")
            row.state, row.ended_at, row.version = state.value, ended_at or utcnow(), row.version + 1

    def update_notes(self, recording_id: uuid.UUID, notes: str) -> None:
        """Replace a recording's notes (the technician's text, or an import's outcome)."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.get(RecordingRow, recording_id)
            if row is None:
                raise NotFound(f"no recording {recording_id}")
            row.notes, row.version = notes, row.version + 1

    def recover_interrupted(self) -> int:
        """This workstation's recordings whose writer died (killed app, pulled power) become "interrupted"; data kept.

        Only its own (``origin``): a recording another workstation is making arrives here through sync
        as "recording" and may look stale between two syncs; its writer is alive and decides.
        """
        cutoff = utcnow() - STALE_AFTER
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            rows = s.scalars(select(RecordingRow).where(RecordingRow.state == RecordingState.RECORDING.value,
                                                        RecordingRow.origin == self.origin)).all()
            stale = [r for r in rows if _aware(r.updated_at) < cutoff]
            for row in stale:
                last = s.scalar(select(func.max(RecordingChunkRow.t_end)).where(RecordingChunkRow.recording_id == row.id))
                row.state = RecordingState.INTERRUPTED.value
                row.ended_at = datetime.fromtimestamp(last, UTC) if last else row.updated_at
                row.version += 1
        return len(stale)

    def soft_delete(self, recording_id: uuid.UUID) -> None:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.get(RecordingRow, recording_id)
            if row is None:
                raise NotFound(f"no recording {recording_id}")
            row.deleted, row.version = True, row.version + 1

    # -- reading -----------------------------------------------------------------------

    def list(self, vin: str | None = None, text: str | None = None, include_deleted: bool = False) -> list[Recording]:
        query = select(RecordingRow).order_by(RecordingRow.started_at.desc())
        if not include_deleted:
            query = query.where(RecordingRow.deleted.is_(False))
        if vin:
            query = query.where(RecordingRow.vin == vin)
        if text:
            like = f"%{text}%"
            query = query.where(or_(RecordingRow.notes.ilike(like), RecordingRow.vin.ilike(like), RecordingRow.adapter.ilike(like)))
        with Session(self.engine, expire_on_commit=False) as s:
            return [_to_domain(row, ()) for row in s.scalars(query)]

    def get(self, recording_id: uuid.UUID) -> Recording:
        with Session(self.engine, expire_on_commit=False) as s:
            row = s.get(RecordingRow, recording_id)
            if row is None:
                raise NotFound(f"no recording {recording_id}")
            marks = s.scalars(
                select(RecordingMarkRow).where(RecordingMarkRow.recording_id == recording_id).order_by(RecordingMarkRow.timestamp)
            ).all()
            return _to_domain(row, tuple(RecordingMark(m.timestamp, m.label) for m in marks))

    def find(self, prefix: str) -> Recording:
        """A recording by full id or by a unique prefix of it, as typed on the command line."""
        with Session(self.engine, expire_on_commit=False) as s:
            ids = [i for i in s.scalars(select(RecordingRow.id)) if str(i).startswith(prefix.lower())]
        if len(ids) != 1:
            raise NotFound(f"no recording matches {prefix!r}" if not ids else f"{prefix!r} matches {len(ids)} recordings; type more of the id")
        return self.get(ids[0])

    def _chunks(self, recording_id: uuid.UUID, kind: str, t_range: tuple[float, float] | None) -> Iterator[dict[str, np.ndarray]]:
        for columns, _meta in self._chunks_with_meta(recording_id, kind, t_range):
            yield columns

    def _chunks_with_meta(self, recording_id: uuid.UUID, kind: str, t_range: tuple[float, float] | None
                          ) -> Iterator[tuple[dict[str, np.ndarray], dict[str, Any]]]:
        query = select(RecordingChunkRow.payload).where(
            RecordingChunkRow.recording_id == recording_id, RecordingChunkRow.kind == kind
        ).order_by(RecordingChunkRow.seq)
        if t_range is not None:
            query = query.where(RecordingChunkRow.t_end >= t_range[0], RecordingChunkRow.t_start <= t_range[1])
        with self.engine.connect() as conn:
            for (payload,) in conn.execute(query):
                yield read_chunk(payload)

    def chunk_index(self, recording_id: uuid.UUID, kind: str) -> builtins.list[tuple[int, float, float, int]]:
        """(seq, t_start, t_end, count) of every chunk of ``kind``, in order, without reading payloads:
        enough to plan windowed reads of a long recording."""
        query = select(RecordingChunkRow.seq, RecordingChunkRow.t_start, RecordingChunkRow.t_end, RecordingChunkRow.count).where(
            RecordingChunkRow.recording_id == recording_id, RecordingChunkRow.kind == kind
        ).order_by(RecordingChunkRow.seq)
        with self.engine.connect() as conn:
            return [(seq, t_start, t_end, count) for seq, t_start, t_end, count in conn.execute(query)]

    def load_chunk(self, recording_id: uuid.UUID, kind: str, seq: int) -> dict[str, np.ndarray]:
        """One chunk's columns (short read transaction: a replay of an hour never holds the database open)."""
        return self._load_chunk(recording_id, kind, seq)[0]

    def load_chunk_and_meta(self, recording_id: uuid.UUID, kind: str, seq: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """One chunk's columns and its metadata (frames: ``{"channels": [...]}``; ``{}`` for chunks written before v2)."""
        return self._load_chunk(recording_id, kind, seq)

    def load_frame_chunk(self, recording_id: uuid.UUID, seq: int) -> FrameArrays:
        """One chunk of frames, channel table included (v1 chunks: channel unknown)."""
        columns, meta = self._load_chunk(recording_id, FRAMES, seq)
        return FrameArrays.from_columns(columns, meta.get("channels"))

    def _load_chunk(self, recording_id: uuid.UUID, kind: str, seq: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        query = select(RecordingChunkRow.payload).where(
            RecordingChunkRow.recording_id == recording_id, RecordingChunkRow.kind == kind, RecordingChunkRow.seq == seq
        )
        with self.engine.connect() as conn:
            payload = conn.execute(query).scalar()
        if payload is None:
            raise NotFound(f"recording {recording_id} has no {kind} chunk {seq}")
        return read_chunk(payload)

    def load_samples(
        self, recording_id: uuid.UUID, names: Sequence[str] | None = None, t_range: tuple[float, float] | None = None
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per signal: (timestamps, values), time-ordered."""
        all_names = self.get(recording_id).signal_names
        wanted = {all_names.index(n): n for n in (names or all_names) if n in all_names}
        parts: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {i: [] for i in wanted}
        for chunk in self._chunks(recording_id, SAMPLES, t_range):
            signal = chunk["signal"]
            for index in wanted:
                lo, hi = np.searchsorted(signal, [index, index + 1])
                if hi > lo:
                    parts[index].append((chunk["timestamp"][lo:hi], chunk["value"][lo:hi]))
        out = {}
        for index, name in wanted.items():
            t = np.concatenate([p[0] for p in parts[index]]) if parts[index] else np.empty(0)
            v = np.concatenate([p[1] for p in parts[index]]) if parts[index] else np.empty(0)
            if t_range is not None:
                keep = (t >= t_range[0]) & (t <= t_range[1])
                t, v = t[keep], v[keep]
            out[name] = (t, v)
        return out

    def iter_frames(self, recording_id: uuid.UUID, t_range: tuple[float, float] | None = None) -> Iterator[FrameArrays]:
        """Frames chunk by chunk in write order (only those inside ``t_range`` if given): streams a long recording."""
        self.get(recording_id)
        for columns, meta in self._chunks_with_meta(recording_id, FRAMES, t_range):
            frames = FrameArrays.from_columns(columns, meta.get("channels"))
            if t_range is not None:
                keep = (frames.timestamp >= t_range[0]) & (frames.timestamp <= t_range[1])
                if not keep.all():
                    frames = frames.rows(keep)
            if len(frames):
                yield frames

    def frame_ids(self, recording_id: uuid.UUID) -> np.ndarray:
        """The distinct CAN ids of a recording's frames (reads only that column of each chunk)."""
        query = select(RecordingChunkRow.payload).where(
            RecordingChunkRow.recording_id == recording_id, RecordingChunkRow.kind == FRAMES)
        found: set[int] = set()
        with self.engine.connect() as conn:
            for (payload,) in conn.execute(query):
                found.update(np.unique(decode_chunk(payload, {"arbitration_id"})["arbitration_id"]).tolist())
        return np.array(sorted(found), np.uint32)

    def frame_channels(self, recording_id: uuid.UUID) -> builtins.list[Channel]:
        """The bus channels named in a recording's frame chunks (read from the chunk headers only), in order of
        first appearance; ``[None]`` for frames whose channel was not known."""
        query = select(RecordingChunkRow.payload).where(
            RecordingChunkRow.recording_id == recording_id, RecordingChunkRow.kind == FRAMES).order_by(RecordingChunkRow.seq)
        found: dict[tuple[str, Channel], Channel] = {}
        with self.engine.connect() as conn:
            for (payload,) in conn.execute(query):
                for name in chunk_meta(payload).get("channels") or [None]:
                    found.setdefault((type(name).__name__, name), name)
        return list(found.values())

    def time_span(self, recording_id: uuid.UUID, kind: str | None = None) -> tuple[float, float] | None:
        """(first, last) timestamp of the stored data (frames, samples or both), None when nothing was stored."""
        query = select(func.min(RecordingChunkRow.t_start), func.max(RecordingChunkRow.t_end)).where(
            RecordingChunkRow.recording_id == recording_id)
        if kind is not None:
            query = query.where(RecordingChunkRow.kind == kind)
        with self.engine.connect() as conn:
            first, last = conn.execute(query).one()
        return None if first is None else (float(first), float(last))

    def scans_for(self, recording_id: uuid.UUID) -> builtins.list[dict[str, Any]]:
        """The scans (codes, readiness, freeze frames) taken during a recording, oldest first."""
        query = select(VehicleScanRow).where(VehicleScanRow.recording_id == recording_id, VehicleScanRow.deleted.is_(False)) \
            .order_by(VehicleScanRow.taken_at)
        with Session(self.engine, expire_on_commit=False) as s:
            return [{"id": r.id, "taken_at": _aware(r.taken_at), "adapter": r.adapter, "mil_on": r.mil_on, "dtcs": list(r.dtcs or []),
                     "readiness": list(r.readiness or []), "freeze_frames": list(r.freeze_frames or [])} for r in s.scalars(query)]

    def load_frames(self, recording_id: uuid.UUID, t_range: tuple[float, float] | None = None) -> FrameArrays:
        self.get(recording_id)  # NotFound for an unknown id
        return FrameArrays.concat([FrameArrays.from_columns(columns, meta.get("channels"))
                                   for columns, meta in self._chunks_with_meta(recording_id, FRAMES, t_range)])


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_domain(row: RecordingRow, marks: tuple[RecordingMark, ...]) -> Recording:
    return Recording(
        id=row.id, started_at=_aware(row.started_at), state=RecordingState(row.state), vin=row.vin,
        adapter=row.adapter, ended_at=_aware(row.ended_at) if row.ended_at else None, notes=row.notes,
        frame_count=row.frame_count, sample_count=row.sample_count, signal_names=tuple(row.signal_names or ()),
        signal_units=dict(row.signal_units or {}), marks=marks,
    )
