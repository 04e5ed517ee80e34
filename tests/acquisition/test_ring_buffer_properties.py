"""Property test: whatever batches arrive, a ring buffer's windows are the newest samples of a plain list."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.acquisition.ring_buffer import SignalRingBuffer

batches = st.lists(st.lists(st.floats(0.0, 5.0, allow_nan=False), min_size=0, max_size=40), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(capacity=st.integers(1, 64), steps=batches, seconds=st.one_of(st.none(), st.floats(0.0, 50.0)))
def test_windows_match_the_newest_samples_of_a_plain_list(capacity, steps, seconds):
    buffer = SignalRingBuffer(capacity)
    reference_t: list[float] = []
    now = 0.0
    for step in steps:
        t = now + np.cumsum(step)  # non-decreasing times, batches of any size (also larger than the capacity)
        if len(t):
            now = float(t[-1])
        buffer.append(t, t * 3.0)
        reference_t.extend(t.tolist())
    kept = np.array(reference_t[-capacity:]) if reference_t else np.empty(0)
    if seconds is not None and len(kept):
        kept = kept[kept >= kept[-1] - seconds]
    t, v = buffer.window(seconds)
    np.testing.assert_array_equal(t, kept)
    np.testing.assert_array_equal(v, kept * 3.0)
    assert buffer.written == len(reference_t) and len(buffer) == min(capacity, len(reference_t))
    assert buffer.latest() == ((reference_t[-1], reference_t[-1] * 3.0) if reference_t else None)


def test_bad_appends_are_refused_clearly():
    with pytest.raises(ValueError, match="capacity"):
        SignalRingBuffer(0)
    with pytest.raises(ValueError, match="2 times but 3 values"):
        SignalRingBuffer(4).append(np.zeros(2), np.zeros(3))
