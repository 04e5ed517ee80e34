"""Columnar chunk codec: named numpy columns (+ a little metadata) -> one compressed blob, and back.

Layout v2 (written since issue 10 part 6): ``CVC2`` | u32 header length | JSON header
``{"columns": [{name, dtype, shape}...], "meta": {...}}`` | zstd frame of every column,
byte-shuffled. Shuffling puts the same byte of each value side by side (as Blosc does),
which is what makes timestamps and slowly moving signals compress well at zstd's fastest
levels. Frame chunks carry ``meta["channels"]`` (the batch's channel-name table, see
domain.frames) and a ``channel`` column.

Layout v1 (``CVC1``, before): the same without ``meta`` (the header is the column list).
v1 blobs are read forever: migration 0004 rewrites the frame chunks of a store, but a chunk
can still come from elsewhere (an old backup, another workstation).
"""

from __future__ import annotations

import json
import struct
from typing import Any, cast

import numpy as np
import zstandard

from carvrooom_desktop.errors import DamagedData

MAGIC = b"CVC2"
MAGIC_V1 = b"CVC1"
CODEC = "zstd-shuffle-v2"  # the recording_chunks.codec of what encode_chunk writes
CODEC_V1 = "zstd-shuffle-v1"
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


def encode_chunk(columns: dict[str, np.ndarray], meta: dict[str, Any] | None = None) -> bytes:
    """A v2 blob of ``columns`` (in order) and ``meta`` (JSON-able)."""
    header = {"columns": [{"name": name, "dtype": col.dtype.str, "shape": list(col.shape)} for name, col in columns.items()],
              "meta": meta or {}}
    header_bytes = json.dumps(header).encode()
    body = _compressor.compress(b"".join(_shuffle(col) for col in columns.values()))
    return MAGIC + struct.pack("<I", len(header_bytes)) + header_bytes + body


def chunk_version(blob: bytes) -> int:
    """1 or 2; raises DamagedData for anything else."""
    magic = bytes(blob[:4])
    if magic == MAGIC:
        return 2
    if magic == MAGIC_V1:
        return 1
    raise DamagedData("not a CarVrooom chunk (bad magic)")


def _header(blob: bytes) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    version = chunk_version(blob)
    if len(blob) < 8:
        raise DamagedData("damaged chunk: too short")
    (size,) = struct.unpack_from("<I", blob, 4)
    try:
        header = json.loads(bytes(blob[8 : 8 + size]))
    except ValueError as e:
        raise DamagedData(f"damaged chunk: {e}") from e
    if version == 1:
        columns, meta = header, cast(dict[str, Any], {})
    elif isinstance(header, dict):
        columns, meta = header.get("columns"), header.get("meta") or {}
    else:
        columns, meta = None, {}
    if not isinstance(columns, list):
        raise DamagedData("damaged chunk: no column list in the header")
    return columns, meta, 8 + size


def chunk_meta(blob: bytes) -> dict[str, Any]:
    """The metadata of a chunk, without decompressing its columns ({} for v1)."""
    return _header(blob)[1]


def decode_chunk(blob: bytes, names: set[str] | None = None) -> dict[str, np.ndarray]:
    """All columns, or only ``names``; raises DamagedData for a damaged blob. Reads v1 and v2."""
    return read_chunk(blob, names)[0]


def read_chunk(blob: bytes, names: set[str] | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(columns, meta) of a v1 or v2 blob."""
    header, meta, start = _header(blob)
    try:
        raw = zstandard.ZstdDecompressor().decompress(bytes(blob[start:]))
    except zstandard.ZstdError as e:
        raise DamagedData(f"damaged chunk: {e}") from e
    out: dict[str, np.ndarray] = {}
    offset = 0
    try:
        for column in header:
            dtype, shape = np.dtype(column["dtype"]), tuple(column["shape"])
            length = int(np.prod(shape)) * dtype.itemsize
            if names is None or column["name"] in names:
                if offset + length > len(raw):
                    raise DamagedData("damaged chunk: column sizes do not match the data")
                out[column["name"]] = _unshuffle(raw[offset : offset + length], dtype, shape)
            offset += length
    except (KeyError, TypeError, ValueError) as e:
        raise DamagedData(f"damaged chunk: bad column description ({e})") from e
    if offset != len(raw):
        raise DamagedData("damaged chunk: column sizes do not match the data")
    return out, meta


def upgrade_frames_chunk(blob: bytes) -> bytes:
    """A v1 frames chunk rewritten as v2 (a ``channel`` column of zeros, channel unknown); v2 blobs come back as they are.

    Frames stored before v2 kept at most 8 data bytes and no channel: nothing more can be
    recovered, so the upgrade only makes the layout uniform (migration 0004).
    """
    if chunk_version(blob) == 2:
        return blob
    columns, _meta = read_chunk(blob)
    n = len(columns["timestamp"])
    columns = {name: columns[name] for name in ("timestamp", "arbitration_id", "flags", "dlc", "data")} \
        | {"channel": np.zeros(n, np.uint8)}
    return encode_chunk(columns, {"channels": [None]})
