"""CAN FD bits on the wire (ISO 11898-1:2015): the vectorised count against a bit-by-bit reference, and bus load
with the data-phase bit rate for frames with BRS."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.acquisition.frame_pipeline import BusLoadMeter
from carvrooom_desktop.domain.frames import BRS, ESI, EXTENDED_ID, FD, FD_LENGTHS, FrameArrays, fd_length
from drivers.can import BusStatistics
from drivers.can.frame_bits import frame_bits, wire_time


def _bits(value: int, width: int) -> list[int]:
    return [(value >> i) & 1 for i in range(width - 1, -1, -1)]


def reference_fd_bits(can_id: int, extended: bool, brs: bool, esi: bool, data: bytes) -> tuple[int, int]:
    """(arbitration-phase bits, data-phase bits) of one FD data frame, bit by bit.

    Arbitration phase: SOF .. BRS, plus CRC delimiter, ACK slot and delimiter, EOF 7, intermission 3.
    Data phase: ESI, DLC, data, stuff count 4, CRC-17/21, fixed stuff bits (one before the stuff count and one
    after every fourth bit of the CRC field). Dynamic stuffing from SOF to the end of the data field; a stuff
    bit belongs to the phase of the bit it is sent before; none after the last data bit (the fixed one follows).
    """
    n = fd_length(len(data))
    payload = data.ljust(n, b"\0")
    if extended:
        arbitration = [0] + _bits(can_id >> 18, 11) + [1, 1] + _bits(can_id & 0x3FFFF, 18) + [0, 1, 0, int(brs)]
    else:
        arbitration = [0] + _bits(can_id, 11) + [0, 0, 1, 0, int(brs)]
    control = [int(esi)] + _bits(FD_LENGTHS.index(n), 4)
    stream = arbitration + control + [bit for byte in payload for bit in _bits(byte, 8)]
    stuff = [0, 0]  # arbitration phase, data phase
    last, run = 1, 1  # a recessive (idle) bus before SOF
    for i, bit in enumerate(stream):
        run, last = (run + 1, bit) if bit == last else (1, bit)
        if run == 5 and i + 1 < len(stream):
            stuff[0 if i + 1 < len(arbitration) else 1] += 1
            last, run = 1 - bit, 1
    crc_field = 4 + (17 if n <= 16 else 21)
    fixed = 1 + (crc_field - 1) // 4
    return len(arbitration) + stuff[0] + 13, len(stream) - len(arbitration) + stuff[1] + crc_field + fixed


def _fd_frames(rows) -> FrameArrays:
    n = len(rows)
    data = np.zeros((n, 64), np.uint8)
    for k, row in enumerate(rows):
        data[k, : len(row[4])] = list(row[4])
    flags = np.array([FD | (EXTENDED_ID if r[1] else 0) | (BRS if r[2] else 0) | (ESI if r[3] else 0) for r in rows], np.uint8)
    return FrameArrays(np.zeros(n), np.array([r[0] for r in rows], np.uint32), flags,
                       np.array([fd_length(len(r[4])) for r in rows], np.uint8), data)


fd_rows = st.builds(
    lambda ext, can_id, brs, esi, data: (can_id & (0x1FFFFFFF if ext else 0x7FF), ext, brs, esi, data),
    st.booleans(), st.integers(0, 0x1FFFFFFF), st.booleans(), st.booleans(),
    st.one_of(st.binary(max_size=64), st.sampled_from([b"", bytes(64), b"\xff" * 64, b"\x55" * 32, b"\x0f" * 20])))


@settings(max_examples=150, deadline=None)
@given(st.lists(fd_rows, min_size=1, max_size=30))
def test_exact_fd_count_matches_the_bit_by_bit_reference(rows):
    nominal, data_phase = frame_bits(_fd_frames(rows), "exact")
    assert list(zip(nominal.tolist(), data_phase.tolist(), strict=True)) == [reference_fd_bits(*r) for r in rows]


def test_an_all_zero_fd_frame_by_hand():
    # SOF + id 0 + RRS + IDE = 14 dominant bits: stuff bits after the 5th and 10th (arbitration phase); then FDF 1,
    # res, BRS, ESI, DLC 0000 = 7 dominant: one stuff bit after the 5th (sent after BRS: data phase).
    nominal, data_phase = frame_bits(_fd_frames([(0, False, False, False, b"")]), "exact")
    assert nominal.tolist() == [17 + 2 + 13] and data_phase.tolist() == [5 + 1 + 4 + 17 + 6]
    assert reference_fd_bits(0, False, False, False, b"") == (32, 33)


def test_crc_17_up_to_16_bytes_and_crc_21_above():
    _, small = frame_bits(_fd_frames([(0x123, False, True, False, bytes(16))]), "none")
    _, large = frame_bits(_fd_frames([(0x123, False, True, False, bytes(20))]), "none")
    assert small.tolist() == [5 + 128 + 4 + 17 + 6] and large.tolist() == [5 + 160 + 4 + 21 + 7]


def test_exact_stays_between_none_and_worst():
    rng = np.random.default_rng(3)
    rows = [(int(rng.integers(0, 0x800)), False, bool(k % 2), False, rng.choice([0, 0xFF, 0x0F, 0xAA], 64).astype(np.uint8).tobytes())
            for k in range(500)]
    frames = _fd_frames(rows)
    exact = sum(frame_bits(frames, "exact"))
    assert (exact >= sum(frame_bits(frames, "none"))).all() and (exact <= sum(frame_bits(frames, "worst"))).all()


def test_only_frames_with_brs_spend_their_data_phase_at_the_data_bitrate():
    switched, plain = _fd_frames([(0x100, False, True, False, bytes(64)), (0x100, False, False, False, bytes(64))])[[0]], \
        _fd_frames([(0x100, False, False, False, bytes(64))])
    n_bits, d_bits = reference_fd_bits(0x100, False, True, False, bytes(64))
    assert wire_time(switched, 500_000, 2_000_000)[0] == pytest.approx(n_bits / 500_000 + d_bits / 2_000_000)
    n_bits, d_bits = reference_fd_bits(0x100, False, False, False, bytes(64))
    assert wire_time(plain, 500_000, 2_000_000)[0] == pytest.approx((n_bits + d_bits) / 500_000)


def _fd_traffic(hz: float, seconds: float, brs: bool, start: float = 1_700_000_000.0) -> FrameArrays:
    n = round(hz * seconds)
    rng = np.random.default_rng(11)
    data = rng.integers(0, 256, (n, 64), dtype=np.uint8)
    return FrameArrays(start + np.arange(n) / hz, np.full(n, 0x1A0, np.uint32), np.full(n, FD | (BRS if brs else 0), np.uint8),
                       np.full(n, 64, np.uint8), data)


@pytest.mark.parametrize("brs", [True, False])
def test_bus_load_of_64_byte_fd_frames_with_the_data_phase_bit_rate(brs):
    frames = _fd_traffic(1000.0, 3.0, brs)  # 1,000 frames/s of 64 bytes, 500 kbit/s arbitration, 2 Mbit/s data
    rows = [(0x1A0, False, brs, False, frames.data[k].tobytes()) for k in range(len(frames))]
    seconds = [(a / 500_000 + b / (2_000_000 if brs else 500_000)) for a, b in (reference_fd_bits(*r) for r in rows)]
    expected = 100.0 * np.mean(seconds) * 1000.0
    stats = BusStatistics(500_000, data_bitrate=2_000_000, window=1.0)
    for i in range(0, len(frames), 97):
        stats.update(frames[i:i + 97])
    load = stats.snapshot().bus_load_percent
    assert load == pytest.approx(expected, rel=0.01)
    assert (load < 50.0) if brs else (load > 100.0)  # the same frames without BRS do not fit on the bus
    meter = BusLoadMeter(500_000, 0.05, data_bitrate=2_000_000)
    for i in range(0, len(frames), 50):
        value = meter.add(frames[i:i + 50])
    assert value == pytest.approx(min(expected, 100.0), rel=0.03)  # the live meter estimates stuff bits (mean)


def test_statistics_keep_the_whole_fd_payload_of_the_last_frame():
    frames = _fd_traffic(100.0, 0.5, True)
    stats = BusStatistics(500_000, data_bitrate=2_000_000)
    stats.update(frames)
    ident = stats.snapshot().ids[0]
    assert ident.is_fd and ident.dlc == 64 and ident.last_data == frames.data[-1].tobytes()
