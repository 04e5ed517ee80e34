"""Column helpers for the fast text parsers: a block's matched fields -> FrameArrays columns."""

from __future__ import annotations

import binascii

import numpy as np

from carvrooom_desktop.domain.frames import CLASSIC_WIDTH, FD_WIDTH


def payload_columns(hex_fields: list[bytes], strip: bytes = b"", keep: int = FD_WIDTH) -> tuple[np.ndarray, np.ndarray]:
    """Hex payload strings (even length once ``strip`` characters are removed) -> (bytes listed int64, data u1[n, w]).

    One ``unhexlify`` over the joined block, then one vectorised scatter. At most ``keep``
    bytes of each payload are kept; ``w`` is 8 when no kept payload is longer, else 64
    (CAN FD). The lengths say how many bytes each field listed.
    """
    n = len(hex_fields)
    if strip:
        hex_fields = [h.translate(None, strip) for h in hex_fields]
    lengths = np.fromiter(map(len, hex_fields), np.int64, n) // 2
    kept = np.minimum(lengths, keep)
    width = CLASSIC_WIDTH if n == 0 or int(kept.max()) <= CLASSIC_WIDTH else FD_WIDTH
    raw = np.frombuffer(binascii.unhexlify(b"".join(hex_fields)), np.uint8)
    starts = np.cumsum(lengths) - lengths
    if width == CLASSIC_WIDTH and (kept == CLASSIC_WIDTH).all():  # the common case: every frame 8 bytes
        if (lengths == CLASSIC_WIDTH).all():
            return lengths, raw.reshape(n, CLASSIC_WIDTH).copy()
    data = np.zeros((n, width), np.uint8)
    columns = np.arange(width)
    present = columns[None, :] < kept[:, None]
    data[present] = raw[(starts[:, None] + columns[None, :])[present]]
    return lengths, data
