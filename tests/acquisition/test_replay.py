"""Replay of stored recordings: into ring buffers (same read interface as a live session), paused,
at original timing, and onto a python-can virtual bus."""

from __future__ import annotations

import math
import time
import uuid

import can
import numpy as np
import pytest
from acquisition_helpers import random_frames, wait_for

from carvrooom_desktop.acquisition.decode import BatchDecoder
from carvrooom_desktop.acquisition.frame_collector import to_frame_arrays
from carvrooom_desktop.acquisition.replay import Replay
from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.events import EventBus


@pytest.fixture
def synthetic_recording(store, sim_dbc):
    """Two chunks of random sim-DBC frames over 2 s and polled samples, stored as the recorder stores them."""
    messages = random_frames(sim_dbc, 4_000, seed=7)
    frames = to_frame_arrays(messages)
    frames = type(frames)(1_700_000_000.0 + np.arange(len(frames)) / 2_000.0, frames.arbitration_id, frames.flags,
                          frames.dlc, frames.data)
    units = {"engine_speed": "rpm", "coolant_temp": "degC"}
    recording_id = store.recordings.create(adapter="test bus", notes="synthetic", signal_units=units)
    half = len(frames) // 2
    for seq, part in enumerate((slice(0, half), slice(half, None))):
        store.recordings.append_frames(recording_id, seq, type(frames)(*(getattr(frames, f)[part] for f in frames.__slots__)))
    t = 1_700_000_000.0 + np.arange(20) * 0.1
    signal = np.tile(np.array([0, 1], np.uint16), 10)
    store.recordings.append_samples(recording_id, 0, signal, t, np.arange(20, dtype=float))
    return recording_id, frames


def test_a_replay_fills_the_ring_buffers_as_the_recording_decodes(store, sim_dbc, synthetic_recording):
    recording_id, frames = synthetic_recording
    replay = Replay(store, recording_id, speed=math.inf, database=sim_dbc).start()
    assert replay.wait(30) and replay.error is None
    assert replay.frames_replayed == len(frames) and replay.samples_replayed == 20
    assert replay.position == pytest.approx(replay.duration) and replay.duration == pytest.approx(1.9995)
    expected = BatchDecoder(sim_dbc).decode(frames).signals
    assert expected
    for name, (t, v) in expected.items():
        got_t, got_v = replay.window(name)
        np.testing.assert_allclose(got_t, t - replay.origin, atol=1e-9)
        np.testing.assert_array_equal(got_v, v)
    t, v = replay.window("engine_speed")
    np.testing.assert_allclose(t, np.arange(0, 20, 2) * 0.1, atol=1e-6)  # epoch seconds carry ~0.2 us of float64 rounding
    assert v.tolist() == list(np.arange(0, 20, 2, dtype=float)) and replay.latest("coolant_temp") == 19.0
    units = {d.name: d.unit for d in replay.signal_definitions()}
    assert units["engine_speed"] == "rpm" and units["ENGINE_1.engine_speed"] == "rpm"
    assert replay.recording_id is None


def test_original_timing_takes_the_recording_time_and_pause_holds_the_position(store, sim_dbc, synthetic_recording):
    recording_id, _ = synthetic_recording
    replay = Replay(store, recording_id, speed=1.0, database=sim_dbc)
    started = time.monotonic()
    replay.start()
    wait_for(lambda: replay.position > 0.3, what="replay under way")
    replay.pause()
    held = replay.position
    time.sleep(0.3)
    assert replay.position == held and replay.paused and not replay.finished
    replay.resume()
    assert replay.wait(30)
    # a lower bound only (machines are slow, never fast): original timing cannot finish early
    assert time.monotonic() - started >= replay.duration
    replay.stop()


def test_a_faster_replay_can_be_stopped_and_keeps_what_it_played(store, sim_dbc, synthetic_recording):
    recording_id, frames = synthetic_recording
    replay = Replay(store, recording_id, speed=0.5, database=sim_dbc).start()
    wait_for(lambda: replay.frames_replayed > 0, what="first frames")
    replay.stop()
    assert not replay.finished and not replay.running and replay.frames_replayed < len(frames)
    assert not replay.wait(1)
    played = replay.frames_replayed
    time.sleep(0.1)
    assert replay.frames_replayed == played  # stopped means stopped
    assert len(replay.window("ENGINE_1.engine_speed")[0]) <= played


def test_a_replay_onto_a_virtual_bus_sends_every_frame_in_order(store, sim_dbc, synthetic_recording):
    recording_id, frames = synthetic_recording
    channel = f"acq-replay-{uuid.uuid4().hex[:6]}"
    out = can.Bus(interface="virtual", channel=channel)
    receiver = can.Bus(interface="virtual", channel=channel)
    try:
        replay = Replay(store, recording_id, speed=8.0, database=sim_dbc, bus=out).start()
        received = []
        while len(received) < len(frames):
            msg = receiver.recv(5.0)
            assert msg is not None, f"only {len(received)} of {len(frames)} frames arrived"
            received.append(msg)
        assert replay.wait(10) and replay.send_failures == 0
    finally:
        out.shutdown()
        receiver.shutdown()
    assert [m.arbitration_id for m in received] == frames.arbitration_id.tolist()
    assert all(bytes(m.data) == bytes(frames.data[i][: frames.dlc[i]]) for i, m in enumerate(received))


def test_a_two_bus_recording_replays_onto_two_buses(store):
    """Channel 0 frames onto one bus, channel 1 frames onto the other; a channel without a bus is counted."""
    from carvrooom_desktop.domain import FrameArrays

    n = 300
    ids = np.arange(n, dtype=np.uint32) % 0x700 + 0x100
    data = (np.arange(n * 8, dtype=np.uint64) % 251).astype(np.uint8).reshape(n, 8)
    channel = (np.arange(n) % 3).astype(np.uint16)  # buses "1", "2" and a third nobody replays
    frames = FrameArrays(1_700_000_000.0 + np.arange(n) / 1000.0, ids, np.zeros(n, np.uint8), np.full(n, 8, np.uint8),
                         data, channel, (0, 1, 2))
    recording_id = store.recordings.create(adapter="two buses")
    store.recordings.append_frames(recording_id, 0, frames)
    names = [f"acq-two-{k}-{uuid.uuid4().hex[:6]}" for k in range(2)]
    outs = [can.Bus(interface="virtual", channel=c) for c in names]
    ins = [can.Bus(interface="virtual", channel=c) for c in names]
    try:
        replay = Replay(store, recording_id, speed=math.inf, bus={0: outs[0], 1: outs[1]}).start()
        assert replay.wait(10)
        got = [[m.arbitration_id for m in iter(lambda b=b: b.recv(0.5), None)] for b in ins]
    finally:
        for b in outs + ins:
            b.shutdown()
    assert got == [ids[channel == 0].tolist(), ids[channel == 1].tolist()]
    assert replay.unrouted == int((channel == 2).sum()) and replay.send_failures == 0


def test_a_recorded_simulator_session_replays_with_the_simulator_database(store):
    session = LiveSession(SourceSpec(kind="sim"), events=EventBus(), store=store, poll_interval=0.05)
    try:
        session.connect()
        recording_id = session.start_recording()
        wait_for(lambda: len(session.window("ENGINE_1.engine_speed")[0]) > 30 and len(session.window("engine_speed")[0]) > 3)
        recording = session.stop_recording()
    finally:
        session.close()
    replay = Replay(store, recording_id, speed=math.inf).start()  # database found from the adapter
    assert replay.wait(30) and replay.error is None
    engine_frames = store.recordings.load_frames(recording_id).arbitration_id == session.decoder.plan.messages[0].frame_id
    first = session.decoder.plan.messages[0]
    assert len(replay.window(f"{first.name}.{first.signals[0].signal}")[0]) == engine_frames.sum() > 0
    assert len(replay.window("engine_speed")[0]) == len(store.recordings.load_samples(recording_id, ["engine_speed"])["engine_speed"][0])
    assert replay.frames_replayed == recording.frame_count


def test_bad_requests_are_refused_clearly(store, synthetic_recording):
    recording_id, _ = synthetic_recording
    with pytest.raises(ValueError, match="above zero"):
        Replay(store, recording_id, speed=0)
    with pytest.raises(NotFound):
        Replay(store, uuid.uuid4())
    replay = Replay(store, recording_id)  # no vin, not simulated: frames replay undecoded
    assert "no signal database" in replay.signal_database_note
    assert {d.name for d in replay.signal_definitions()} == {"engine_speed", "coolant_temp"}
