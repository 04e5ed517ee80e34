"""Bits on the wire per CAN frame, vectorised over a batch, for bus-load figures.

Classic CAN (ISO 11898-1, CAN 2.0), ``n`` data bytes (0 for a remote frame, at most 8):

* 11-bit id: SOF 1, id 11, RTR 1, IDE 1, r0 1, DLC 4, data 8n, CRC 15, CRC delimiter 1,
  ACK 1, ACK delimiter 1, EOF 7, intermission 3 = **47 + 8n** bits; bit stuffing applies
  to SOF..CRC = 34 + 8n bits.
* 29-bit id: adds SRR, 18 id bits and r1 = **67 + 8n** bits; stuffed region 54 + 8n.
* Stuff bits (one after every 5 equal bits, the stuff bit counting towards the next run):
  ``exact`` builds each frame's real bit string (header, data and its CRC-15) and counts
  them; ``worst`` = floor((stuffed region - 1) / 4); ``mean`` = stuffed region / 30, the
  rate of random bits (``exact`` on 8-byte 11-bit frames with random data averages 3.3 bits);
  ``none`` = 0.

  8-byte 11-bit frame: 111 bits without stuffing, 114.3 with the mean, 135 at worst; at
  4,000 frames/s on 500 kbit/s that is 88.8 %, 91.5 % and 108 % bus load.

CAN FD (ISO 11898-1:2015), ``n`` in 0..8, 12, 16, 20, 24, 32, 48, 64 (a payload of another
length is padded to the next of these):

* arbitration phase, at the nominal bitrate: SOF, id 11, RRS, IDE, FDF, res, BRS = 17 bits
  (29-bit id: SOF, id 11, SRR, IDE, id 18, RRS, FDF, res, BRS = 36), plus CRC delimiter,
  ACK, ACK delimiter, EOF 7, intermission 3 = 13 bits;
* data phase, at the data bitrate when the frame switches (BRS set; else at the nominal
  bitrate too): ESI 1, DLC 4, data 8n, then the CRC field: stuff count 4 (3 bits Gray code +
  parity) and CRC-17 (n <= 16) or CRC-21, with fixed stuff bits before the stuff count and
  after every fourth bit of the field = 6 (CRC-17) or 7 (CRC-21);
* dynamic stuff bits apply from SOF to the end of the data field only (the CRC field has its
  fixed ones, so the CRC value does not change the length). ``exact`` counts them on the
  frame's real bits (full payload), those inserted up to BRS in the arbitration phase and
  those after it in the data phase; five equal bits that end the data field get no dynamic
  stuff bit, the fixed stuff bit that follows takes its place. ``mean``/``worst`` estimate
  them over SOF..data and split them between the phases in proportion to their stuffed bits.

``frame_bits`` counts bits per phase; which bitrate a frame's data phase runs at is the
frame's BRS flag (:func:`busy_seconds`, :func:`wire_time`). Error frames count 23 bits (flag
6, superposed flags up to 6, delimiter 8, intermission 3) at the nominal bitrate.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, REMOTE, FrameArrays

Stuffing = Literal["exact", "mean", "worst", "none"]
STUFFING_MODES: tuple[str, ...] = ("exact", "mean", "worst", "none")

ERROR_FRAME_BITS = 23
MEAN_STUFF_DIVISOR = 30.0
CRC15_POLY = 0x4599
FD_LENGTHS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64])


def _crc15_table() -> np.ndarray:
    table = np.zeros(256, np.uint16)
    for byte in range(256):
        crc = byte << 7
        for _ in range(8):
            crc = ((crc << 1) ^ CRC15_POLY) if crc & 0x4000 else (crc << 1)
            crc &= 0x7FFF
        table[byte] = crc
    return table


def _stuff_tables() -> tuple[np.ndarray, np.ndarray]:
    """State machine over one byte, MSB first. State = last_bit * 5 + run - 1 (run 1..5)."""
    next_state = np.zeros((10, 256), np.uint8)
    stuffed = np.zeros((10, 256), np.uint8)
    for state in range(10):
        for byte in range(256):
            last, run, count = state // 5, state % 5 + 1, 0
            for i in range(7, -1, -1):
                if run == 5:  # five equal bits were sent: the complement goes in
                    count += 1
                    last, run = 1 - last, 1
                bit = (byte >> i) & 1
                if bit == last:
                    run += 1
                else:
                    last, run = bit, 1
            next_state[state, byte] = last * 5 + run - 1
            stuffed[state, byte] = count
    return next_state, stuffed


def _bit_tables() -> tuple[np.ndarray, np.ndarray]:
    """The same state machine one bit at a time: (next state, stuff bits inserted before this bit) by [state, bit]."""
    next_state = np.zeros((10, 2), np.uint8)
    stuffed = np.zeros((10, 2), np.uint8)
    for state in range(10):
        for bit in (0, 1):
            last, run, count = state // 5, state % 5 + 1, 0
            if run == 5:
                count, last, run = 1, 1 - last, 1
            last, run = (last, run + 1) if bit == last else (bit, 1)
            next_state[state, bit], stuffed[state, bit] = last * 5 + run - 1, count
    return next_state, stuffed


_CRC15 = _crc15_table()
_NEXT_STATE, _STUFFED = _stuff_tables()
_NEXT_BIT, _STUFFED_BIT = _bit_tables()
_RUN5 = np.array([s % 5 == 4 for s in range(10)])
_IDLE = 5  # state after a recessive bus: last bit 1, a run of 1


def _pad_table() -> np.ndarray:
    """Row ``start``: 120 bits, alternating in columns < start with a 1 just before ``start``, packed."""
    columns = np.arange(120)
    starts = np.arange(121)[:, None]
    bits = np.where(columns < starts, (starts - columns) & 1, 0).astype(np.uint8)
    return np.packbits(bits, axis=1)


_PAD = _pad_table()


def frame_bits(frames: FrameArrays, stuffing: Stuffing = "exact") -> tuple[np.ndarray, np.ndarray]:
    """(bits at the nominal bitrate, bits in the FD data phase) per frame, float64.

    Classic and error frames have no data-phase bits. Sum both when nothing switches bitrate.
    """
    if stuffing not in STUFFING_MODES:
        raise ValueError(f"stuffing must be one of {STUFFING_MODES}, got {stuffing!r}")
    n_frames = len(frames)
    nominal = np.zeros(n_frames, np.float64)
    data_phase = np.zeros(n_frames, np.float64)
    if n_frames == 0:
        return nominal, data_phase
    flags = frames.flags
    error = (flags & ERROR) != 0
    fd = ((flags & FD) != 0) & ~error
    classic = ~fd & ~error
    extended = (flags & EXTENDED_ID) != 0
    nominal[error] = ERROR_FRAME_BITS

    if classic.any():
        idx = np.flatnonzero(classic)
        ext = extended[idx]
        remote = (flags[idx] & REMOTE) != 0
        n_bytes = np.where(remote, 0, np.minimum(frames.dlc[idx], 8)).astype(np.int64)
        region = np.where(ext, 54, 34) + 8 * n_bytes
        if stuffing == "exact":
            stuff = _classic_stuff_bits(frames.arbitration_id[idx], ext, remote, frames.dlc[idx], n_bytes, frames.data[idx])
        else:
            stuff = _estimate(region, stuffing)
        nominal[idx] = np.where(ext, 67, 47) + 8 * n_bytes + stuff

    if fd.any():
        idx = np.flatnonzero(fd)
        remote = (flags[idx] & REMOTE) != 0
        n_bytes = np.where(remote, 0, FD_LENGTHS[np.searchsorted(FD_LENGTHS, np.minimum(frames.dlc[idx], 64))])
        head = np.where(extended[idx], 36, 17)
        body = 5 + 8 * n_bytes
        if stuffing == "exact":
            stuff_head, stuff_body = _fd_stuff_bits(frames, idx, extended[idx], n_bytes)
        else:
            stuff_total = _estimate(head + body, stuffing)
            stuff_head = stuff_total * head / (head + body)
            stuff_body = stuff_total - stuff_head
        crc_part = np.where(n_bytes <= 16, 4 + 17 + 6, 4 + 21 + 7)
        nominal[idx] = head + 13 + stuff_head
        data_phase[idx] = body + crc_part + stuff_body
    return nominal, data_phase


def busy_seconds(frames: FrameArrays, nominal: np.ndarray, data_phase: np.ndarray, bitrate: float,
                 data_bitrate: float | None = None) -> np.ndarray:
    """Seconds each frame occupies the bus, from its :func:`frame_bits`: the data phase of a frame with BRS
    at ``data_bitrate`` (when given), every other bit at ``bitrate``."""
    if data_bitrate is None or data_bitrate == bitrate:
        seconds: np.ndarray = (nominal + data_phase) / bitrate
        return seconds
    switched = (frames.flags & (FD | BRS)) == (FD | BRS)
    return nominal / bitrate + data_phase / np.where(switched, data_bitrate, bitrate)


def wire_time(frames: FrameArrays, bitrate: float, data_bitrate: float | None = None,
              stuffing: Stuffing = "exact") -> np.ndarray:
    """Seconds each frame occupies the bus (FD data phase at ``data_bitrate`` for frames with BRS)."""
    nominal, data_phase = frame_bits(frames, stuffing)
    return busy_seconds(frames, nominal, data_phase, bitrate, data_bitrate)


def _estimate(region: np.ndarray, stuffing: str) -> np.ndarray:
    if stuffing == "worst":
        return np.floor((region - 1) / 4)
    if stuffing == "mean":
        return region / MEAN_STUFF_DIVISOR
    return np.zeros(len(region))


def _classic_stuff_bits(ids: np.ndarray, ext: np.ndarray, remote: np.ndarray, dlc: np.ndarray,
                        n_bytes: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Exact stuff-bit count of classic frames from their real bit strings (header, data, CRC-15)."""
    n = len(ids)
    ids = ids.astype(np.uint64)
    rtr = remote.astype(np.uint64)
    dlc_code = np.minimum(dlc, 15).astype(np.uint64)
    # Header from SOF (a dominant 0, so the most significant bit) to the DLC, as an integer.
    std_header = ((ids & 0x7FF) << 7) | (rtr << 6) | dlc_code  # 19 bits
    ext_header = (((ids >> 18) & 0x7FF) << 27) | (1 << 26) | (1 << 25) | ((ids & 0x3FFFF) << 7) | (rtr << 6) | dlc_code  # 39 bits
    header = np.where(ext, ext_header, std_header)
    header_bits = np.where(ext, 39, 19)

    # Header (as 5 bytes) and data right-aligned in 13 bytes: leading zeros leave a CRC with initial value 0 unchanged.
    header_bytes = ((header[:, None] >> (np.arange(4, -1, -1, dtype=np.uint64) * 8)) & 0xFF).astype(np.uint8)
    message = np.zeros((n, 13), np.uint8)
    for length in np.unique(n_bytes):
        rows = n_bytes == length
        message[rows, 8 - length:13 - length] = header_bytes[rows]
        message[rows, 13 - length:] = data[rows, :length]

    crc = np.zeros(n, np.uint16)
    for column in range(13):
        crc = ((crc << 8) & 0x7FFF) ^ _CRC15[((crc >> 7) ^ message[:, column]) & 0xFF]

    # Bit string SOF..CRC right-aligned in 15 bytes (one spare bit, 104 message bits, 15 CRC bits); before SOF,
    # alternating bits ending in 1: never stuffed, and they leave the state machine as after a recessive bus.
    stream = np.empty((n, 15), np.uint8)
    stream[:, 0] = message[:, 0] >> 1
    stream[:, 1:13] = (message[:, :12] << 7) | (message[:, 1:] >> 1)
    stream[:, 13] = (message[:, 12] << 7) | (crc >> 8).astype(np.uint8)
    stream[:, 14] = (crc & 0xFF).astype(np.uint8)
    stream |= _PAD[120 - (header_bits + 8 * n_bytes + 15)]

    state = np.zeros(n, np.uint8)
    count = np.zeros(n, np.int64)
    for column in range(15):
        byte = stream[:, column]
        count += _STUFFED[state, byte]
        state = _NEXT_STATE[state, byte]
    stuffed: np.ndarray = count + _RUN5[state]
    return stuffed  # five equal bits at the end of the CRC: one more stuff bit


def _bits_of(value: np.ndarray, width: int) -> np.ndarray:
    """(n, width) bits of ``value`` (uint64), most significant first."""
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64)
    return ((value[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)


def _fd_stuff_bits(frames: FrameArrays, idx: np.ndarray, extended: np.ndarray, n_bytes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dynamic stuff bits of FD frames ``idx``: (inserted up to BRS, inserted after it up to the end of the data)."""
    n = len(idx)
    ids = frames.arbitration_id[idx].astype(np.uint64)
    flags = frames.flags[idx]
    brs = ((flags & BRS) != 0).astype(np.uint64)
    esi = ((flags & ESI) != 0).astype(np.uint64)
    # SOF(0) id RRS(0) IDE(0) FDF(1) res(0) BRS | SOF(0) id-A SRR(1) IDE(1) id-B RRS(0) FDF(1) res(0) BRS
    std = ((ids & np.uint64(0x7FF)) << np.uint64(5)) | np.uint64(1 << 2) | brs
    ext = (((ids >> np.uint64(18)) & np.uint64(0x7FF)) << np.uint64(24)) | np.uint64((1 << 23) | (1 << 22)) \
        | ((ids & np.uint64(0x3FFFF)) << np.uint64(4)) | np.uint64(1 << 2) | brs
    head_bits = np.where(extended[:, None], _bits_of(ext, 36), np.pad(_bits_of(std, 17), ((0, 0), (0, 19))))
    head_len = np.where(extended, 36, 17)
    code = np.searchsorted(FD_LENGTHS, n_bytes).astype(np.uint64)
    control = _bits_of((esi << np.uint64(4)) | code, 5)

    state = np.full(n, _IDLE, np.uint8)
    head_stuff = np.zeros(n, np.int64)
    for column in range(36):
        bit = head_bits[:, column]
        active = column < head_len
        head_stuff += np.where(active, _STUFFED_BIT[state, bit], 0)
        state = np.where(active, _NEXT_BIT[state, bit], state)
    body_stuff = np.zeros(n, np.int64)
    for column in range(5):
        bit = control[:, column]
        body_stuff += _STUFFED_BIT[state, bit]
        state = _NEXT_BIT[state, bit]
    longest = int(n_bytes.max()) if n else 0
    if longest:
        data = frames.data[idx]
        if data.shape[1] < longest:
            data = np.pad(data, ((0, 0), (0, longest - data.shape[1])))
        for column in range(longest):
            byte = data[:, column]
            active = column < n_bytes
            body_stuff += np.where(active, _STUFFED[state, byte], 0)
            state = np.where(active, _NEXT_STATE[state, byte], state)
    return head_stuff.astype(np.float64), body_stuff.astype(np.float64)
