"""BusStatistics on synthetic batches with known rates, intervals and load."""

from __future__ import annotations

import dataclasses

import can
import numpy as np
import pytest

from carvrooom_desktop.domain.frames import ERROR, EXTENDED_ID, FrameArrays
from drivers.can import BusStatistics, frames_from_messages


def periodic(ids_hz: dict[int, float], seconds: float, start: float = 1_700_000_000.0, flags: int = 0,
             dlc: int = 8) -> FrameArrays:
    """Frames of each id at its rate, merged in time order; data byte 0 counts up per id."""
    parts = []
    for can_id, hz in ids_hz.items():
        n = round(seconds * hz)
        ts = start + np.arange(n) / hz
        data = np.zeros((n, 8), np.uint8)
        data[:, 0] = np.arange(n) % 256
        parts.append((ts, np.full(n, can_id, np.uint32), data))
    ts = np.concatenate([p[0] for p in parts])
    order = np.argsort(ts, kind="stable")
    n = len(ts)
    return FrameArrays(ts[order], np.concatenate([p[1] for p in parts])[order], np.full(n, flags, np.uint8),
                       np.full(n, dlc, np.uint8), np.concatenate([p[2] for p in parts])[order])


def batches(frames: FrameArrays, size: int):
    for i in range(0, len(frames), size):
        yield frames[i:i + size]


def test_rates_intervals_and_last_data_across_batches():
    frames = periodic({0x100: 100.0, 0x200: 50.0, 0x7E8: 10.0}, seconds=3.0)
    stats = BusStatistics(500_000, window=1.0)
    for batch in batches(frames, 37):  # batch edges fall inside ids' sequences
        stats.update(batch)
    snap = stats.snapshot()
    by_id = {s.arbitration_id: s for s in snap.ids}
    assert [s.arbitration_id for s in snap.ids] == [0x100, 0x200, 0x7E8]
    assert by_id[0x100].count == 300 and by_id[0x200].count == 150 and by_id[0x7E8].count == 30
    assert by_id[0x100].frames_per_second == pytest.approx(100, abs=1)
    assert by_id[0x200].frames_per_second == pytest.approx(50, abs=1)
    assert by_id[0x7E8].frames_per_second == pytest.approx(10, abs=1)
    for can_id, hz in ((0x100, 100.0), (0x200, 50.0), (0x7E8, 10.0)):
        s = by_id[can_id]
        assert s.min_interval == pytest.approx(1 / hz, rel=1e-4) and s.max_interval == pytest.approx(1 / hz, rel=1e-4)  # epoch float64: ~0.2 µs
        assert s.mean_interval == pytest.approx(1 / hz, rel=1e-4)
    assert by_id[0x100].last_data == bytes([299 % 256]) + bytes(7)
    assert snap.total_frames == 480 and snap.error_frames == 0
    assert snap.frames_per_second == pytest.approx(160, abs=2)


@pytest.mark.parametrize(("stuffing", "low", "high"), [("none", 88.7, 88.9), ("mean", 91.3, 91.5),
                                                         ("exact", 90.0, 93.0), ("worst", 107.9, 108.1)])
def test_bus_load_of_4000_frames_per_second_on_500_kbit(stuffing, low, high):
    # 8-byte 11-bit frames: 111 bits unstuffed (88.8 %), 114.3 mean (91.4 %), 135 worst (108 %).
    rng = np.random.default_rng(3)
    frames = periodic({0x100 + i: 100.0 for i in range(40)}, seconds=2.0)
    frames = dataclasses.replace(frames, data=rng.integers(0, 256, (len(frames), 8)).astype(np.uint8))
    stats = BusStatistics(500_000, stuffing=stuffing)
    for batch in batches(frames, 400):
        stats.update(batch)
    snap = stats.snapshot()
    assert snap.frames_per_second == pytest.approx(4000, rel=0.01)
    assert low <= snap.bus_load_percent <= high


def test_window_slides_when_an_id_goes_quiet():
    stats = BusStatistics(window=1.0)
    stats.update(periodic({0x100: 100.0, 0x200: 100.0}, seconds=2.0, start=0.0))
    stats.update(periodic({0x100: 100.0}, seconds=2.0, start=2.0))
    by_id = {s.arbitration_id: s for s in stats.snapshot().ids}
    assert by_id[0x200].frames_per_second == 0.0
    assert by_id[0x200].count == 200
    assert by_id[0x100].frames_per_second == pytest.approx(100, abs=1)


def test_error_frames_are_counted_apart_and_in_the_load():
    frames = periodic({0x100: 100.0}, seconds=1.0, start=10.0)
    errors = FrameArrays(np.linspace(10.0, 10.9, 10), np.full(10, 0x20000004, np.uint32), np.full(10, ERROR, np.uint8),
                         np.zeros(10, np.uint8), np.zeros((10, 8), np.uint8))
    stats = BusStatistics(500_000, stuffing="none")
    stats.update(FrameArrays.concat([frames, errors]))
    snap = stats.snapshot()
    assert snap.error_frames == 10 and snap.total_frames == 110
    assert [s.arbitration_id for s in snap.ids] == [0x100]
    assert snap.error_frames_per_second == pytest.approx(10, rel=0.02)
    assert snap.bus_load_percent == pytest.approx(100 * (100 * 111 + 10 * 23) / 500_000 / 0.99, rel=0.01)


def test_message_lists_give_the_same_figures_as_frame_arrays():
    messages = [can.Message(timestamp=100 + i / 200, arbitration_id=0x18DAF110 if i % 2 else 0x7E8,
                            is_extended_id=bool(i % 2), data=bytes([i % 256, 1, 2]), dlc=3) for i in range(400)]
    from_messages = BusStatistics(250_000)
    from_messages.update(messages)
    from_arrays = BusStatistics(250_000)
    from_arrays.update(frames_from_messages(messages))
    assert from_messages.snapshot() == from_arrays.snapshot()
    ids = from_messages.snapshot().ids
    assert [(s.arbitration_id, s.is_extended) for s in ids] == [(0x7E8, False), (0x18DAF110, True)]
    assert ids[1].last_data == bytes([399 % 256, 1, 2]) and ids[1].dlc == 3


def test_same_number_as_11_and_29_bit_ids_stay_apart():
    f = periodic({0x123: 10.0}, seconds=1.0)
    g = dataclasses.replace(periodic({0x123: 20.0}, seconds=1.0), flags=np.full(20, EXTENDED_ID, np.uint8))
    stats = BusStatistics()
    stats.update(FrameArrays.concat([f, g]))
    assert [(s.arbitration_id, s.is_extended, s.count) for s in stats.snapshot().ids] == [(0x123, False, 10), (0x123, True, 20)]


def test_out_of_order_batch_gives_no_negative_interval():
    stats = BusStatistics()
    stats.update(periodic({0x100: 10.0}, seconds=1.0, start=50.0))
    stats.update(periodic({0x100: 10.0}, seconds=0.5, start=49.0))  # late replay of older frames
    [s] = stats.snapshot().ids
    assert s.count == 15 and s.min_interval == pytest.approx(0.1)
    assert s.last_timestamp == pytest.approx(50.9)
    assert s.last_data[0] == 9  # the newest frame, not the last fed


def test_snapshot_is_immutable_and_empty_stats_are_sane():
    stats = BusStatistics(500_000)
    snap = stats.snapshot()
    assert snap.ids == () and snap.total_frames == 0 and snap.bus_load_percent == 0.0 and snap.timestamp is None
    stats.update([])
    stats.update(periodic({0x1: 10.0}, seconds=1.0))
    snap = stats.snapshot()
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.total_frames = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.ids[0].count = 0  # type: ignore[misc]
    assert BusStatistics().snapshot().bus_load_percent is None
    stats.reset()
    assert stats.snapshot().total_frames == 0


def test_single_frame_has_no_interval():
    stats = BusStatistics()
    stats.update([can.Message(timestamp=5.0, arbitration_id=0x10, data=b"\x01")])
    [s] = stats.snapshot().ids
    assert s.count == 1 and s.min_interval is None and s.mean_interval is None
