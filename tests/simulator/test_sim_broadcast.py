"""The simulator's DBC and the broadcast schedule built on it."""

from __future__ import annotations

import math
from collections import Counter

import cantools
import pytest

from drivers.simulator.broadcast import BroadcastSchedule, load_sim_dbc
from drivers.simulator.model import SIGNALS, VehicleModel
from resources import resource_path


@pytest.fixture(scope="module")
def db():
    return load_sim_dbc()


def test_dbc_loads_strictly_with_sane_ids(db):
    again = cantools.database.load_file(str(resource_path("dbc", "carvrooom_sim.dbc")), strict=True)
    assert [m.frame_id for m in again.messages] == [m.frame_id for m in db.messages]
    for msg in db.messages:
        assert not msg.is_extended_frame and msg.frame_id < 0x700, msg.name
        assert msg.cycle_time and msg.cycle_time > 0, msg.name
    assert db.get_message_by_name("ENGINE_1").frame_id == 0x0C9
    assert db.get_message_by_name("ENGINE_1").cycle_time == 10


def test_dbc_names_are_the_model_signals(db):
    names = {s.name for m in db.messages for s in m.signals if not s.is_multiplexer}
    assert names <= set(SIGNALS)
    assert set(SIGNALS) <= names  # everything the model reports is broadcast too
    assert any(s.choices for m in db.messages for s in m.signals)
    misfire = db.get_message_by_name("MISFIRE")
    assert misfire.is_multiplexed()
    coolant = db.get_message_by_name("COOLING").get_signal_by_name("coolant_temp")
    assert coolant.minimum == -40 and coolant.maximum == 215


def test_every_frame_decodes_back_within_scale(db):
    model = VehicleModel(seed=5)
    while model.time < 210.0:  # into the urban part of the drive: everything moving
        model.step(0.05)
    schedule = BroadcastSchedule(db)
    counts: Counter[int] = Counter()
    mux_seen = []
    worst = 0.0
    while model.time < 250.0:
        model.step(0.01)
        signals = model.signals()
        for frame_id, data in schedule.due(model.time, signals):
            counts[frame_id] += 1
            assert isinstance(data, bytes) and len(data) == 8
            msg = db.get_message_by_frame_id(frame_id)
            decoded = db.decode_message(frame_id, data, decode_choices=False)
            for name, value in decoded.items():
                if name == "misfire_cylinder":
                    mux_seen.append(value)
                    continue
                signal = msg.get_signal_by_name(name)
                expected = min(max(signals[name], signal.minimum), signal.maximum)
                error = abs(value - expected)
                assert error <= signal.scale * 0.5 + 1e-6, (name, value, expected)
                worst = max(worst, error / signal.scale)
    assert set(counts) == {m.frame_id for m in db.messages}
    assert 3_900 <= counts[0x0C9] <= 4_100  # 10 ms
    assert 39 <= counts[db.get_message_by_name("COOLING").frame_id] <= 41  # 1 s
    assert mux_seen[:8] == [1, 2, 3, 4, 1, 2, 3, 4]
    print(f"worst round-trip error: {worst:.2f} of a scale step")


def test_out_of_range_values_are_clipped_not_raised(db):
    schedule = BroadcastSchedule(db)
    signals = {name: 1e9 for name in SIGNALS}
    signals.update(coolant_temp=-40.0, engine_speed=-5.0, stft_b1=float("nan"), gear=3.0)
    frames = dict(schedule.due(0.0, signals))
    engine = db.decode_message(0x0C9, frames[0x0C9], decode_choices=False)
    assert engine["engine_speed"] == 0.0 and engine["throttle_position"] == pytest.approx(102.0)
    assert engine["gear"] == 3
    cooling = db.decode_message(db.get_message_by_name("COOLING").frame_id, frames[0x5A0], decode_choices=False)
    assert cooling["coolant_temp"] == -40 and cooling["intake_air_temp"] == 215
    fuel = db.decode_message(db.get_message_by_name("FUEL_CONTROL").frame_id, frames[0x3D0], decode_choices=False)
    assert math.isfinite(fuel["stft_b1"])


def test_schedule_follows_sim_time_and_restarts_with_it(db):
    schedule = BroadcastSchedule(db)
    signals = VehicleModel(history=False).signals()
    first = {fid for fid, _ in schedule.due(0.0, signals)}
    assert first == {m.frame_id for m in db.messages}
    assert schedule.due(0.005, signals) == []
    assert {fid for fid, _ in schedule.due(0.010, signals)} == {0x0C9}
    # A long gap sends each message once, never a burst of catch-up frames.
    late = [fid for fid, _ in schedule.due(5.0, signals)]
    assert len(late) == len(set(late)) == len(db.messages)
    # Sim time restarted (new drive): everything is due again.
    assert {fid for fid, _ in schedule.due(0.0, signals)} == first
