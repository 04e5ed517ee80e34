"""Column helpers for the fast text parsers: a block's matched fields -> FrameArrays columns."""

from __future__ import annotations

import binascii

import numpy as np


def payload_columns(hex_fields: list[bytes], strip: bytes = b"") -> tuple[np.ndarray, np.ndarray]:
    """Hex payload strings (even length once ``strip`` characters are removed) -> (lengths u1, data u1[n, 8]).

    One ``unhexlify`` over the joined block, then eight vectorised scatters. Payloads
    longer than 8 bytes (CAN FD) keep their first 8 bytes; the length says how many there were.
    """
    n = len(hex_fields)
    data = np.zeros((n, 8), np.uint8)
    if strip:
        hex_fields = [h.translate(None, strip) for h in hex_fields]
    lengths = np.fromiter((len(h) for h in hex_fields), np.int64, n) // 2
    raw = np.frombuffer(binascii.unhexlify(b"".join(hex_fields)), np.uint8)
    starts = np.cumsum(lengths) - lengths
    for j in range(8):
        has = lengths > j
        if not has.any():
            break
        data[has, j] = raw[starts[has] + j]
    return np.minimum(lengths, 255).astype(np.uint8), data
