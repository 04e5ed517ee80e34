"""Before/after comparison of two recordings of one vehicle: the proof of a fix.

    result = compare_recordings(store, before_id, after_id, dbc="car.dbc", signals=["coolant_temp", ...])
    result.signals   # SignalComparison per signal: stats before/after (mean, min, max, p95) and deltas
    result.dtcs      # DtcComparison: fixed / remaining / new codes (None when a side had no scan)
    result.series    # name -> (before (t, v), after (t, v)), t in seconds from each recording's start

Both recordings are put on a common time base: seconds from each one's first stored
timestamp, so a warm-up before and after the repair overlay from zero. Signals are the
polled samples stored in each recording plus, with a DBC, the signals decoded from its
frames. DTCs come from the scans taken during each recording (``vehicle_scans`` rows
linked to it); a recording without a scan has *unknown* codes, never "no codes".

The result is plain data (no Qt); the GUI renders it.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from carvrooom_desktop.acquisition.log_import import DbcSpec, decoder_for
from carvrooom_desktop.domain import Recording
from carvrooom_desktop.domain.progress import Progress
from carvrooom_desktop.errors import InvalidRequest

if TYPE_CHECKING:
    from collections.abc import Collection

    from carvrooom_desktop.acquisition.decode import BatchDecoder, ChannelDecoder
    from carvrooom_desktop.storage.recordings import RecordingRepository
    from carvrooom_desktop.storage.store import Store

Series = tuple[np.ndarray, np.ndarray]


class NotComparable(InvalidRequest):
    """The two recordings cannot be compared (different vehicles, the same recording)."""


@dataclass(frozen=True, slots=True)
class SignalStats:
    count: int
    mean: float
    min: float
    max: float
    p95: float

    @classmethod
    def of(cls, values: np.ndarray) -> SignalStats | None:
        v = values[np.isfinite(values)]
        if not len(v):
            return None
        return cls(int(len(v)), float(v.mean()), float(v.min()), float(v.max()), float(np.percentile(v, 95)))


@dataclass(frozen=True, slots=True)
class SignalComparison:
    name: str
    unit: str
    before: SignalStats | None  # None: the signal is not in that recording
    after: SignalStats | None

    def delta(self, stat: str) -> float | None:
        """after - before of ``stat`` (mean, min, max, p95), None when a side is missing."""
        if self.before is None or self.after is None:
            return None
        difference: float = getattr(self.after, stat) - getattr(self.before, stat)
        return difference

    def change_percent(self, stat: str = "mean") -> float | None:
        d = self.delta(stat)
        base = getattr(self.before, stat) if self.before else None
        return None if d is None or not base else 100.0 * d / abs(base)


@dataclass(frozen=True, slots=True)
class DtcComparison:
    before: tuple[str, ...] | None  # codes seen in the scans of "before"; None: no scan, unknown
    after: tuple[str, ...] | None
    fixed: tuple[str, ...] = ()  # before, not after
    remaining: tuple[str, ...] = ()  # in both
    new: tuple[str, ...] = ()  # after only
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        return self.before is not None and self.after is not None


@dataclass(slots=True)
class Comparison:
    before: Recording
    after: Recording
    signals: list[SignalComparison]
    dtcs: DtcComparison
    series: dict[str, tuple[Series | None, Series | None]]
    duration_s: tuple[float, float]  # length of each recording on the common base
    warnings: list[str] = field(default_factory=list)


def compare_recordings(
    store: Store,
    before_id: uuid.UUID,
    after_id: uuid.UUID,
    *,
    dbc: DbcSpec = None,
    signals: list[str] | None = None,
    allow_other_vehicle: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Comparison | None:
    """Compare two recordings; returns None if cancelled. Raises NotComparable, NotFound."""
    repo = store.recordings
    before, after = repo.get(before_id), repo.get(after_id)
    if before.id == after.id:
        raise NotComparable("pick two different recordings to compare")
    if before.vin and after.vin and before.vin != after.vin and not allow_other_vehicle:
        raise NotComparable(f"the recordings are of different vehicles ({before.vin} and {after.vin})")
    decoder = decoder_for(dbc)
    warnings: list[str] = []
    if not (before.vin and after.vin):
        warnings.append("a recording has no VIN: make sure both are of the same vehicle")
    loaded: list[dict[str, Series]] = []
    spans: list[float] = []
    for step, recording in enumerate((before, after)):
        if cancel is not None and cancel.is_set():
            return None
        data, start, end = _signals_of(repo, recording, decoder, signals)
        loaded.append({n: (t - start, v) for n, (t, v) in data.items()})
        spans.append(end - start)
        if progress is not None:
            progress(step + 1, 3)
    names = signals if signals is not None else sorted(set(loaded[0]) | set(loaded[1]))
    units = {**(decoder.units if decoder else {}), **before.signal_units, **after.signal_units}
    rows = [SignalComparison(n, units.get(n, ""), _stats(loaded[0].get(n)), _stats(loaded[1].get(n))) for n in names]
    missing = [n for n in names if n not in loaded[0] and n not in loaded[1]]
    if missing:
        warnings.append(f"in neither recording: {', '.join(missing)}")
    series = {n: (loaded[0].get(n), loaded[1].get(n)) for n in names}
    dtcs = _dtc_diff(repo.scans_for(before.id), repo.scans_for(after.id))
    if dtcs.before is None or dtcs.after is None:
        warnings.append("no scan was taken during " + " and ".join(
            side for side, codes in (("the before recording", dtcs.before), ("the after recording", dtcs.after)) if codes is None)
            + ": its trouble codes are unknown")
    if progress is not None:
        progress(3, 3)
    return Comparison(before, after, rows, dtcs, series, (spans[0], spans[1]), warnings)


def _stats(series: Series | None) -> SignalStats | None:
    return None if series is None else SignalStats.of(series[1])


def _signals_of(repo: RecordingRepository, recording: Recording, decoder: BatchDecoder | ChannelDecoder | None,
                wanted: Collection[str] | None) -> tuple[dict[str, Series], float, float]:
    span = repo.time_span(recording.id)
    if span is None:
        return {}, 0.0, 0.0
    stored = [n for n in recording.signal_names if wanted is None or n in wanted]
    data = {n: s for n, s in repo.load_samples(recording.id, stored).items() if len(s[0])} if stored else {}
    if decoder is not None and recording.frame_count:
        names = [n for n in decoder.signal_names if (wanted is None or n in wanted) and n not in data]
        parts: dict[str, list[Series]] = {}
        if names:
            for frames in repo.iter_frames(recording.id):
                for name, s in decoder.decode(frames, names).signals.items():
                    parts.setdefault(name, []).append(s)
        for name, ss in parts.items():
            t, v = np.concatenate([s[0] for s in ss]), np.concatenate([s[1] for s in ss])
            order = np.argsort(t, kind="stable")
            data[name] = (t[order], v[order])
    return data, span[0], span[1]


def _codes(scans: list[dict[str, Any]]) -> tuple[tuple[str, ...] | None, dict[str, str]]:
    if not scans:
        return None, {}
    codes: dict[str, str] = {}
    for scan in scans:
        for dtc in scan.get("dtcs") or []:
            code = str(dtc.get("code", "")).strip().upper()
            if code:
                codes.setdefault(code, str(dtc.get("description", "")))
    return tuple(sorted(codes)), codes


def _dtc_diff(before_scans: list[dict[str, Any]], after_scans: list[dict[str, Any]]) -> DtcComparison:
    before, d1 = _codes(before_scans)
    after, d2 = _codes(after_scans)
    descriptions = {**d1, **d2}
    if before is None or after is None:
        return DtcComparison(before, after, descriptions=descriptions)
    b, a = set(before), set(after)
    return DtcComparison(before, after, tuple(sorted(b - a)), tuple(sorted(b & a)), tuple(sorted(a - b)), descriptions)
