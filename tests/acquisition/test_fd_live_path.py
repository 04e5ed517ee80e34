"""The live frame path with CAN FD frames on two channels: every frame recorded whole (payload, BRS/ESI, channel),
each channel decoded with its own database like cantools; a recording of FD frames replays onto a bus as it was."""

from __future__ import annotations

import random
from pathlib import Path

import can
import numpy as np
from acquisition_helpers import random_frames, wait_for

from carvrooom_desktop.acquisition.bus_reader import BusReader
from carvrooom_desktop.acquisition.decode import ChannelDecoder, load_database
from carvrooom_desktop.acquisition.frame_pipeline import FramePipeline
from carvrooom_desktop.acquisition.recorder import Recorder
from carvrooom_desktop.acquisition.replay import Replay
from carvrooom_desktop.acquisition.ring_buffer import SignalBoard
from carvrooom_desktop.domain import SignalDefinition, SignalSource
from carvrooom_desktop.domain.frames import BRS, ESI, FD

HYUNDAI = Path(__file__).parent.parent / "drivers" / "fixtures" / "hyundai_canfd.dbc"


class TwoChannelBus(can.BusABC):
    """One handle on two virtual channels, as a two-channel adapter (Vector, Kvaser, PCAN-FD) hands them over:
    each frame carries the channel it came from."""

    def __init__(self, first: str, second: str) -> None:
        self.buses = [can.Bus(interface="virtual", channel=first), can.Bus(interface="virtual", channel=second)]
        self._next = 0
        self.channel_info = f"{first}+{second}"
        super().__init__(channel=None)

    def _recv_internal(self, timeout):
        for _ in range(2):
            bus = self.buses[self._next]
            self._next ^= 1
            msg = bus.recv(0)
            if msg is not None:
                return msg, False
        msg = self.buses[self._next].recv(min(timeout or 0.01, 0.01))
        return msg, False

    def send(self, msg, timeout=None):
        raise NotImplementedError

    def shutdown(self):
        for bus in self.buses:
            bus.shutdown()
        super().shutdown()


def fd_frames(db, n: int, seed: int) -> list[can.Message]:
    rng = random.Random(seed)
    messages = list(db.messages)
    out = []
    for _ in range(n):
        m = rng.choice(messages)
        out.append(can.Message(arbitration_id=m.frame_id, data=rng.randbytes(m.length), is_fd=True, bitrate_switch=rng.random() < 0.8,
                               error_state_indicator=rng.random() < 0.05, is_extended_id=m.is_extended_frame))
    return out


def cantools_series(db, frames, prefix: str = "") -> dict[str, tuple[list[float], list[float]]]:
    out: dict[str, tuple[list[float], list[float]]] = {}
    for t, frame_id, data in frames:
        try:
            message = db.get_message_by_frame_id(frame_id)
            decoded = message.decode(bytes(data), decode_choices=False)
        except Exception:  # noqa: BLE001 - unknown ids and refused frames are skipped by both
            continue
        for name, value in decoded.items():
            ts, vs = out.setdefault(f"{prefix}{message.name}.{name}", ([], []))
            ts.append(t)
            vs.append(float(value))
    return out


def test_fd_and_classic_frames_on_two_channels_are_recorded_whole_and_decoded_per_channel(store, sim_dbc):
    hyundai = load_database(HYUNDAI)
    fd_out = can.Bus(interface="virtual", channel="acq-fd", fd=True)
    classic_out = can.Bus(interface="virtual", channel="acq-classic")
    bus = TwoChannelBus("acq-fd", "acq-classic")
    reader = BusReader(bus).start()
    decoder = ChannelDecoder({"acq-fd": hyundai, "acq-classic": sim_dbc})
    board = SignalBoard()
    for name, plan in decoder.signals.items():
        board.add(SignalDefinition(name, plan.unit, SignalSource.CAN_DBC), 50_000)
    pipeline = FramePipeline(reader, t0=0.0, bitrate=500_000, data_bitrate=2_000_000).start()
    pipeline.set_decoder(decoder, board.buffers)
    recording_id = store.recordings.create(adapter="two virtual channels")
    recorder = Recorder(store.recordings, recording_id, {})
    pipeline.attach(recorder)
    fd, classic = fd_frames(hyundai, 4000, seed=1), random_frames(sim_dbc, 4000, seed=2)
    try:
        for a, b in zip(fd, classic, strict=True):
            fd_out.send(a)
            classic_out.send(b)
        wait_for(lambda: reader.total == 8000, what="every frame read")
        pipeline.detach()
        assert recorder.stop() is None
    finally:
        pipeline.stop()
        reader.stop()
        for b in (fd_out, classic_out, bus):
            b.shutdown()
    assert pipeline.bus_load_percent >= 0.0
    stored = store.recordings.load_frames(recording_id)
    assert len(stored) == 8000 == store.recordings.get(recording_id).frame_count  # none lost
    assert set(store.recordings.frame_channels(recording_id)) == {"acq-fd", "acq-classic"}
    on_fd = stored.rows(stored.on_channel("acq-fd"))
    on_classic = stored.rows(stored.on_channel("acq-classic"))
    assert [on_fd.payload(k) for k in range(len(on_fd))] == [bytes(m.data) for m in fd]
    assert ((on_fd.flags & FD) != 0).all() and ((on_fd.flags & BRS) != 0).tolist() == [m.bitrate_switch for m in fd]
    assert ((on_fd.flags & ESI) != 0).tolist() == [m.error_state_indicator for m in fd]
    assert [on_classic.payload(k) for k in range(len(on_classic))] == [bytes(m.data) for m in classic]
    expected = cantools_series(hyundai, ((on_fd.timestamp[k], on_fd.arbitration_id[k], on_fd.payload(k)) for k in range(len(on_fd))))
    expected |= cantools_series(sim_dbc, ((on_classic.timestamp[k], on_classic.arbitration_id[k], on_classic.payload(k))
                                          for k in range(len(on_classic))))
    assert len(expected) > 100
    for name, (t, v) in expected.items():
        got_t, got_v = board.window(name)
        np.testing.assert_array_equal(got_t, np.array(t), err_msg=name)
        np.testing.assert_array_equal(got_v, np.array(v), err_msg=name)


def test_a_recording_of_fd_frames_replays_onto_an_fd_bus_as_it_was(store):
    hyundai = load_database(HYUNDAI)
    sender = can.Bus(interface="virtual", channel="acq-rec", fd=True)
    listener = can.Bus(interface="virtual", channel="acq-rec", fd=True)
    reader = BusReader(listener).start()
    pipeline = FramePipeline(reader, t0=0.0).start()
    recording_id = store.recordings.create(adapter="virtual fd")
    recorder = Recorder(store.recordings, recording_id, {})
    pipeline.attach(recorder)
    frames = fd_frames(hyundai, 500, seed=5)
    try:
        for m in frames:
            sender.send(m)
        wait_for(lambda: reader.total == 500, what="every frame read")
        pipeline.detach()
        recorder.stop()
    finally:
        pipeline.stop()
        reader.stop()
        sender.shutdown()
        listener.shutdown()
    out = can.Bus(interface="virtual", channel="acq-replay", fd=True)
    receiver = can.Bus(interface="virtual", channel="acq-replay", fd=True)
    try:
        replay = Replay(store, recording_id, speed=float("inf"), database=hyundai, bus=out).start()
        assert replay.wait(30)
        got = [receiver.recv(1.0) for _ in range(500)]
    finally:
        replay.stop()
        out.shutdown()
        receiver.shutdown()
    assert replay.send_failures == 0 and replay.frames_replayed == 500
    assert [bytes(m.data) for m in got] == [bytes(m.data) for m in frames]
    assert [(m.is_fd, m.bitrate_switch, m.error_state_indicator, m.arbitration_id) for m in got] == \
        [(True, m.bitrate_switch, m.error_state_indicator, m.arbitration_id) for m in frames]
