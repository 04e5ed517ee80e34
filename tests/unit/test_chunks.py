import numpy as np
import pytest

from carvrooom_desktop.errors import DamagedData
from carvrooom_desktop.storage.chunks import decode_chunk, encode_chunk


def test_round_trip_keeps_every_column_bit_exact():
    rng = np.random.default_rng(1)
    columns = {
        "timestamp": np.cumsum(rng.random(10_000)) + 1.7e9,
        "arbitration_id": rng.integers(0, 0x7FF, 10_000).astype(np.uint32),
        "data": rng.integers(0, 256, (10_000, 8)).astype(np.uint8),
        "value": rng.normal(size=10_000).astype(np.float32),
    }
    back = decode_chunk(encode_chunk(columns))
    assert back.keys() == columns.keys()
    for name, col in columns.items():
        assert back[name].dtype == col.dtype and back[name].shape == col.shape
        np.testing.assert_array_equal(back[name], col)


def test_selected_columns_only():
    blob = encode_chunk({"a": np.arange(5.0), "b": np.arange(5, dtype=np.uint16)})
    assert list(decode_chunk(blob, {"b"})) == ["b"]


def test_shuffling_compresses_smooth_timestamps():
    t = np.arange(100_000) * 0.001 + 1.7e9
    assert len(encode_chunk({"t": t})) < t.nbytes / 4


@pytest.mark.parametrize("blob", [b"", b"XXXX\x00\x00\x00\x00", b"CVC1\x05\x00\x00\x00[]xx" + b"garbage"])
def test_damaged_blob_is_a_clear_error(blob):
    with pytest.raises(DamagedData):
        decode_chunk(blob)
