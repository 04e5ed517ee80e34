"""Bits per frame: the vectorised exact count against a bit-by-bit reference, and the estimates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.domain.frames import BRS, ERROR, EXTENDED_ID, FD, REMOTE, FrameArrays
from drivers.can.frame_bits import frame_bits, wire_time


def _bits(value: int, width: int) -> list[int]:
    return [(value >> i) & 1 for i in range(width - 1, -1, -1)]


def reference_bits(can_id: int, extended: bool, remote: bool, dlc: int, data: bytes) -> int:
    """ISO 11898-1 classic frame, bit by bit: fields, CRC-15 shift register, stuffing, trailer."""
    n = 0 if remote else min(dlc, 8)
    bits = [0]  # SOF
    if extended:
        bits += _bits(can_id >> 18, 11) + [1, 1] + _bits(can_id & 0x3FFFF, 18) + [int(remote), 0, 0]
    else:
        bits += _bits(can_id, 11) + [int(remote), 0, 0]
    bits += _bits(dlc, 4)
    for byte in data[:n]:
        bits += _bits(byte, 8)
    crc = 0
    for bit in bits:
        feedback = bit ^ ((crc >> 14) & 1)
        crc = (crc << 1) & 0x7FFF
        if feedback:
            crc ^= 0x4599
    bits += _bits(crc, 15)
    stuff, run, last = 0, 0, None
    for bit in bits:
        run = run + 1 if bit == last else 1
        last = bit
        if run == 5:
            stuff += 1
            last, run = 1 - bit, 1
    return len(bits) + stuff + 1 + 2 + 7 + 3  # CRC delimiter, ACK slot + delimiter, EOF, intermission


def _frames(rows: list[tuple[int, bool, bool, int, bytes]], extra_flags: int = 0) -> FrameArrays:
    n = len(rows)
    data = np.zeros((n, 8), np.uint8)
    for i, row in enumerate(rows):
        data[i, : len(row[4][:8])] = list(row[4][:8])
    flags = np.array([(EXTENDED_ID if r[1] else 0) | (REMOTE if r[2] else 0) | extra_flags for r in rows], np.uint8)
    return FrameArrays(np.zeros(n), np.array([r[0] for r in rows], np.uint32), flags,
                       np.array([r[3] for r in rows], np.uint8), data)


frame_rows = st.builds(
    lambda ext, can_id, remote, dlc, data: (can_id & (0x1FFFFFFF if ext else 0x7FF), ext, remote, dlc, data),
    st.booleans(), st.integers(0, 0x1FFFFFFF), st.booleans(), st.integers(0, 8), st.binary(min_size=8, max_size=8))


@settings(max_examples=60, deadline=None)
@given(st.lists(frame_rows, min_size=1, max_size=40))
def test_exact_count_matches_the_bit_by_bit_reference(rows):
    nominal, data_phase = frame_bits(_frames(rows), "exact")
    assert nominal.tolist() == [reference_bits(*r) for r in rows]
    assert not data_phase.any()


def test_special_patterns_match_the_reference():
    rows = [(0, False, False, 0, bytes(8)), (0x7FF, False, False, 8, b"\xff" * 8), (0, False, False, 8, bytes(8)),
            (0x1FFFFFFF, True, False, 8, b"\xff" * 8), (0x555, False, False, 8, b"\x55" * 8), (0x123, False, True, 8, bytes(8))]
    assert frame_bits(_frames(rows))[0].tolist() == [reference_bits(*r) for r in rows]


def test_all_zero_frame_by_hand():
    # 34 dominant bits from SOF to CRC (id 0, DLC 0, CRC of zeros = 0): a stuff bit after every fifth -> 6.
    assert frame_bits(_frames([(0, False, False, 0, b"")]))[0].tolist() == [47 + 6]


def test_estimates_for_an_8_byte_11_bit_frame():
    frames = _frames([(0x123, False, False, 8, bytes(range(8)))])
    assert frame_bits(frames, "none")[0].tolist() == [111]
    assert frame_bits(frames, "worst")[0].tolist() == [135]  # 111 + floor((34 + 64 - 1) / 4)
    assert frame_bits(frames, "mean")[0] == pytest.approx(111 + 98 / 30)
    ext = _frames([(0x18DAF110, True, False, 8, bytes(8))])
    assert frame_bits(ext, "none")[0].tolist() == [131]
    assert frame_bits(ext, "worst")[0].tolist() == [131 + 29]


def test_exact_never_exceeds_worst_case():
    rng = np.random.default_rng(7)
    n = 5000
    frames = FrameArrays(np.zeros(n), rng.integers(0, 0x800, n).astype(np.uint32), np.zeros(n, np.uint8),
                         rng.integers(0, 9, n).astype(np.uint8), rng.choice([0, 0xFF, 0x0F, 0xAA], (n, 8)).astype(np.uint8))
    exact = frame_bits(frames, "exact")[0]
    assert (exact <= frame_bits(frames, "worst")[0]).all()
    assert (exact >= frame_bits(frames, "none")[0]).all()


def test_fd_frame_splits_arbitration_and_data_phase():
    frames = _frames([(0x123, False, False, 64, bytes(8))], extra_flags=FD | BRS)
    nominal, data_phase = frame_bits(frames, "none")
    assert nominal.tolist() == [17 + 13]
    assert data_phase.tolist() == [5 + 512 + 4 + 21 + 7]
    # 500 kbit/s arbitration, 2 Mbit/s data phase
    assert wire_time(frames, 500_000, 2_000_000, "none")[0] == pytest.approx(30 / 500_000 + 549 / 2_000_000)
    small = _frames([(0x123, False, False, 12, bytes(8))], extra_flags=FD)
    assert frame_bits(small, "none")[1].tolist() == [5 + 96 + 4 + 17 + 6]


def test_error_frame_bits():
    frames = FrameArrays(np.zeros(1), np.zeros(1, np.uint32), np.array([ERROR], np.uint8), np.zeros(1, np.uint8),
                         np.zeros((1, 8), np.uint8))
    assert frame_bits(frames)[0].tolist() == [23]


def test_unknown_stuffing_mode_is_refused():
    with pytest.raises(ValueError, match="stuffing"):
        frame_bits(FrameArrays.empty(), "guess")  # type: ignore[arg-type]
