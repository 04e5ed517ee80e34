"""Min/max decimation for the plots: what is drawn stays true to the samples, the cache follows appends."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carvrooom_desktop.acquisition.decimation import BLOCK, SignalHistory, minmax_bins


def brute_columns(t, v, x0, x1, width):
    """Per pixel column (first one also taking anything before x0): (min, max) of its samples."""
    edges = np.linspace(x0, x1, width + 1)
    column = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, width - 1)
    out = {}
    for c in np.unique(column):
        values = v[column == c]
        out[int(c)] = (values.min(), values.max())
    return out


def test_few_samples_are_drawn_as_they_are():
    h = SignalHistory()
    h.append(np.arange(10.0), np.arange(10.0) * 2)
    d = h.decimate(2.5, 6.5, 800)
    assert d.raw
    assert list(d.t) == [2, 3, 4, 5, 6, 7]  # the neighbours outside keep the line to the edges
    assert list(d.v) == [4, 6, 8, 10, 12, 14]


def test_raw_columns_match_brute_force():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 100, 5000))
    v = rng.normal(size=5000)
    out_t, out_v = minmax_bins(t, v, v, 0.0, 100.0, 300)
    expected = brute_columns(t, v, 0.0, 100.0, 300)
    assert len(out_t) == 2 * len(expected)
    got = sorted(zip(out_v[0::2], out_v[1::2], strict=True))
    assert got == sorted(expected.values())


def test_long_history_reduces_to_two_points_per_pixel_and_keeps_spikes():
    h = SignalHistory()
    t = np.arange(1_000_000) * 0.001
    v = np.zeros_like(t)
    v[123_457] = 9.0  # one-sample spike in the middle of a million samples
    v[777_777] = -4.0
    h.append(t, v)
    d = h.decimate(0.0, t[-1], 1000)
    assert not d.raw
    assert len(d.t) <= 2 * 1000 + 2
    assert d.v.max() == 9.0 and d.v.min() == -4.0
    assert np.all(np.diff(d.t) >= 0)


def test_cache_is_reused_until_an_append():
    h = SignalHistory()
    h.append(np.arange(100_000.0), np.sin(np.arange(100_000.0)))
    first = h.decimate(0, 99_999, 500)
    assert h.decimate(0, 99_999, 500) is first
    assert h.decimate(0, 50_000, 500) is not first  # a new view is computed
    h.append([100_000.0], [5.0])
    again = h.decimate(0, 100_000, 500)
    assert again.v.max() == 5.0


def test_older_samples_are_skipped_and_unequal_lengths_refused():
    h = SignalHistory()
    assert h.append([1.0, 2.0, 3.0], [1, 2, 3]) == 3
    assert h.append([2.0, 3.0, 4.0], [9, 9, 4]) == 1  # a window pulled again overlaps what we have
    assert list(h.t) == [1, 2, 3, 4] and list(h.v) == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="2 times but 1 values"):
        h.append([5.0, 6.0], [1.0])
    assert len(h) == 4


def test_value_at_takes_the_sample_in_force():
    h = SignalHistory()
    h.append([1.0, 2.0, 3.0], [10.0, 20.0, 30.0])
    assert h.value_at(0.5) is None
    assert h.value_at(2.0) == 20.0
    assert h.value_at(2.7) == 20.0
    assert h.value_at(99.0) == 30.0


def test_memory_bound_drops_the_oldest():
    h = SignalHistory(max_samples=1000)
    for k in range(30):
        h.append(np.arange(k * 100, (k + 1) * 100, dtype=float), np.ones(100))
    assert len(h) <= 1000
    assert h.t[-1] == 2999.0
    d = h.decimate(h.t[0], h.t[-1], 50)
    assert d.v.min() == 1.0 == d.v.max()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40_000),
    batches=st.integers(1, 6),
    width=st.integers(1, 700),
    lo_frac=st.floats(0, 1),
    span_frac=st.floats(0.001, 1.2),
    seed=st.integers(0, 2**16),
)
def test_envelope_holds_and_incremental_equals_fresh(n, batches, width, lo_frac, span_frac, seed):
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.exponential(1.0, n))
    v = rng.normal(size=n).cumsum()
    incremental = SignalHistory()
    for part_t, part_v in zip(np.array_split(t, batches), np.array_split(v, batches), strict=True):
        incremental.append(part_t, part_v)
        if len(incremental):
            incremental.decimate(0.0, float(incremental.t[-1]), width)  # builds the pyramid part by part
    fresh = SignalHistory()
    fresh.append(t, v)
    if n == 0:
        assert len(incremental.decimate(0, 1, width).t) == 0
        return
    x0 = float(t[0] + lo_frac * (t[-1] - t[0]))
    x1 = x0 + span_frac * (t[-1] - t[0]) + 1e-9
    a, b = incremental.decimate(x0, x1, width), fresh.decimate(x0, x1, width)
    np.testing.assert_array_equal(a.t, b.t)
    np.testing.assert_array_equal(a.v, b.v)
    inside = (t >= x0) & (t <= x1)
    drawn = set(a.v.tolist())
    assert drawn <= set(v.tolist())  # nothing invented
    if inside.any():
        assert a.v.min() <= v[inside].min() and a.v.max() >= v[inside].max()
        if a.raw or inside.sum() < BLOCK * 4 * width:  # made of raw samples: exact per column
            if not a.raw:
                first = int(np.argmax(inside))
                last = len(t) - int(np.argmax(inside[::-1]))
                inner = a.v[int(first > 0): len(a.v) - int(last < len(t))]
                expected = brute_columns(t[inside], v[inside], x0, x1, width)
                assert sorted(zip(inner[0::2], inner[1::2], strict=True)) == sorted(expected.values())
