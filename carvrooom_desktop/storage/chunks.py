"""Columnar chunk codec: named numpy columns -> one compressed blob, and back.

Layout: ``CVC1`` | u32 header length | JSON header (column name, dtype, shape) |
zstd frame of every column, byte-shuffled. Shuffling puts the same byte of each
value side by side (as Blosc does), which is what makes timestamps and slowly
moving signals compress well at zstd's fastest levels.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import zstandard

from carvrooom_desktop.errors import DamagedData

MAGIC = b"CVC1"
CODEC = "zstd-shuffle-v1"
_LEVEL = 1  # fastest; shuffling already does most of the work
_compressor = zstandard.ZstdCompressor(level=_LEVEL)


def _shuffle(column: np.ndarray) -> bytes:
    flat = np.ascontiguousarray(column).reshape(-1)
    if flat.dtype.itemsize == 1:
        return flat.tobytes()
    return flat.view(np.uint8).reshape(-1, flat.dtype.itemsize).T.tobytes()


def _unshuffle(raw: bytes, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    count = int(np.prod(shape)) if shape else 1
    data = np.frombuffer(raw, dtype=np.uint8)
    if dtype.itemsize > 1:
        data = data.reshape(dtype.itemsize, count).T.copy()
    return data.view(dtype).reshape(shape)


def encode_chunk(columns: dict[str, np.ndarray]) -> bytes:
    header = [{"name": name, "dtype": col.dtype.str, "shape": list(col.shape)} for name, col in columns.items()]
    header_bytes = json.dumps(header).encode()
    body = _compressor.compress(b"".join(_shuffle(col) for col in columns.values()))
    return MAGIC + struct.pack("<I", len(header_bytes)) + header_bytes + body


def decode_chunk(blob: bytes, names: set[str] | None = None) -> dict[str, np.ndarray]:
    """All columns, or only ``names``; raises ProtocolError for a damaged blob."""
    if blob[:4] != MAGIC or len(blob) < 8:
        raise DamagedData("not a CarVrooom chunk (bad magic)")
    (size,) = struct.unpack_from("<I", blob, 4)
    try:
        header = json.loads(blob[8 : 8 + size])
        raw = zstandard.ZstdDecompressor().decompress(blob[8 + size :])
    except (ValueError, zstandard.ZstdError) as e:
        raise DamagedData(f"damaged chunk: {e}") from e
    out: dict[str, np.ndarray] = {}
    offset = 0
    for column in header:
        dtype, shape = np.dtype(column["dtype"]), tuple(column["shape"])
        length = int(np.prod(shape)) * dtype.itemsize
        if names is None or column["name"] in names:
            out[column["name"]] = _unshuffle(raw[offset : offset + length], dtype, shape)
        offset += length
    if offset != len(raw):
        raise DamagedData("damaged chunk: column sizes do not match the data")
    return out
