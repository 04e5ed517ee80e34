"""Windowed and decimated reads of stored recordings, checked against loading and decoding everything."""

from __future__ import annotations

import numpy as np
import pytest
from acquisition_helpers import random_frames

from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.acquisition.frame_collector import to_frame_arrays
from carvrooom_desktop.acquisition.recording_view import Cancelled, overview, read_window, time_span
from carvrooom_desktop.domain import FrameArrays
from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.storage.recordings import FRAMES, SAMPLES

T0 = 1_700_000_000.0


@pytest.fixture
def stored(store, sim_dbc):
    frames = to_frame_arrays(random_frames(sim_dbc, 6_000, seed=11))
    frames = FrameArrays(T0 + np.arange(len(frames)) / 1_000.0, frames.arbitration_id, frames.flags, frames.dlc, frames.data)
    recording_id = store.recordings.create(signal_units={"engine_speed": "rpm"})
    for seq, start in enumerate(range(0, len(frames), 500)):
        part = slice(start, start + 500)
        store.recordings.append_frames(recording_id, seq, frames[part])
    t = T0 + np.arange(60) * 0.1
    store.recordings.append_samples(recording_id, 0, np.zeros(60, np.uint16), t, np.sin(t - T0))
    return recording_id, frames


def test_the_chunk_index_and_single_chunks_read_without_the_rest(store, stored):
    recording_id, frames = stored
    index = store.recordings.chunk_index(recording_id, FRAMES)
    assert [row[0] for row in index] == list(range(12)) and sum(row[3] for row in index) == len(frames)
    chunk = store.recordings.load_chunk(recording_id, FRAMES, 3)
    np.testing.assert_array_equal(chunk["timestamp"], frames.timestamp[1500:2000])
    assert len(store.recordings.chunk_index(recording_id, SAMPLES)) == 1
    with pytest.raises(NotFound):
        store.recordings.load_chunk(recording_id, FRAMES, 99)
    assert time_span(store, recording_id) == (T0, pytest.approx(T0 + 5.999))


def test_the_overview_is_the_min_and_max_per_column_of_everything(store, stored, sim_dbc):
    recording_id, frames = stored
    decoder = BatchDecoder(sim_dbc)
    full = decoder.decode(frames).signals
    names = [*list(full)[:6], "engine_speed"]
    seen = []
    envelopes = overview(store, recording_id, names, decoder=decoder, width=100, progress=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (13, 13)
    lo, hi = time_span(store, recording_id)
    reference = {**{n: full[n] for n in names[:-1]}, "engine_speed": store.recordings.load_samples(recording_id)["engine_speed"]}
    for name, (t, v) in reference.items():
        column = np.minimum(((t - lo) * (100 / (hi - lo))).astype(int), 99)
        envelope = envelopes[name]
        for c in np.unique(column):
            assert envelope.low[c] == v[column == c].min() and envelope.high[c] == v[column == c].max(), name
        assert envelope.count.sum() == len(t)
        assert np.isnan(envelope.low[np.setdiff1d(np.arange(100), column)]).all()
        x, y = envelope.points()
        assert len(x) == len(y) == 2 * len(np.unique(column))


def test_a_zoomed_window_reads_exactly_the_samples_in_it(store, stored, sim_dbc):
    recording_id, frames = stored
    decoder = BatchDecoder(sim_dbc)
    full = decoder.decode(frames).signals
    name = next(iter(full))
    window = read_window(store, recording_id, [name, "engine_speed"], (T0 + 1.25, T0 + 2.75), decoder=decoder)
    t, v = full[name]
    keep = (t >= T0 + 1.25) & (t <= T0 + 2.75)
    np.testing.assert_array_equal(window[name][0], t[keep])
    np.testing.assert_array_equal(window[name][1], v[keep])
    assert len(window["engine_speed"][0]) == 15  # 1.3, 1.4 .. 2.7 s at 10 Hz


def test_an_overview_can_be_cancelled_and_refuses_a_zero_width(store, stored, sim_dbc):
    recording_id, _ = stored
    with pytest.raises(Cancelled):
        overview(store, recording_id, ["ENGINE_1.engine_speed"], decoder=BatchDecoder(sim_dbc), cancel=lambda: True)
    with pytest.raises(ValueError, match="pixel"):
        overview(store, recording_id, ["engine_speed"], width=0)
