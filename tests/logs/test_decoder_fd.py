"""Decoding beyond byte 8: the batch decoder equals cantools on CAN FD messages (random layouts, a real FD DBC),
and one signal database per channel (ChannelDecoder)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carvrooom_desktop.acquisition.decode import BatchDecoder, ChannelDecoder, load_database, parse_channel
from carvrooom_desktop.domain.frames import FD, FrameArrays
from tests.logs.decode_oracle import frames_from, mismatches

HYUNDAI = Path(__file__).parent.parent / "drivers" / "fixtures" / "hyundai_canfd.dbc"
WORKSHOP = Path(__file__).parent.parent / "drivers" / "fixtures" / "workshop_car.dbc"
FD_LENGTHS = (12, 16, 20, 24, 32, 48, 64)


# -- random FD layouts ---------------------------------------------------------------------------

def _physical_bits(byte_order: str, start: int, length: int) -> set[tuple[int, int]]:
    """(byte, bit in byte) of every bit the signal occupies."""
    if byte_order == "little_endian":
        return {((start + i) // 8, (start + i) % 8) for i in range(length)}
    msb = 8 * (start // 8) + 7 - start % 8
    return {((msb + i) // 8, 7 - (msb + i) % 8) for i in range(length)}


@st.composite
def fd_messages(draw):
    """A cantools CAN FD message of 12..64 bytes with up to 12 non-overlapping signals anywhere in it."""
    from cantools.database.can import Message, Signal
    from cantools.database.conversion import BaseConversion

    length = draw(st.sampled_from(FD_LENGTHS))
    used: set[tuple[int, int]] = set()
    signals = []
    for k in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["int", "int", "int", "float32", "float64", "wide"]))
        bits = {"float32": 32, "float64": 64, "wide": draw(st.integers(57, 64))}.get(kind) or draw(st.integers(1, 40))
        if bits > 8 * length:
            continue
        byte_order = draw(st.sampled_from(["little_endian", "big_endian"]))
        if byte_order == "little_endian":
            start = draw(st.integers(0, 8 * length - bits))
        else:
            msb = draw(st.integers(0, 8 * length - bits))
            start = 8 * (msb // 8) + 7 - msb % 8
        occupied = _physical_bits(byte_order, start, bits)
        if occupied & used:
            continue
        used |= occupied
        is_float = kind.startswith("float")
        plain = is_float or kind == "wide"  # beyond 2**53 cantools scales exact Python ints; we round first (documented)
        scale = draw(st.sampled_from([1.0, 0.5, 0.01, 3.0])) if not plain else 1.0
        offset = draw(st.sampled_from([0.0, -40.0, 100.0])) if not plain else 0.0
        signals.append(Signal(f"S{k}", start, bits, byte_order, is_signed=not is_float and draw(st.booleans()),
                              conversion=BaseConversion.factory(scale, offset, None, is_float)))
    if not signals:
        signals.append(Signal("S0", 8 * length - 8, 8, "little_endian"))
    return Message(0x123, "FdMessage", length, signals, is_fd=True, strict=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fd_messages(), st.lists(st.tuples(st.binary(min_size=64, max_size=64), st.integers(0, 70)), min_size=1, max_size=25))
def test_random_fd_layouts_match_cantools(message, frames):
    from cantools.database.can import Database

    db = Database(messages=[message], strict=True)
    decoder = BatchDecoder(db)
    assert decoder.plan.warnings == ()
    payloads = []
    for data, cut in frames:  # most frames the message's length, some shorter (refused) or longer (read up to it)
        size = message.length if cut > 40 else min(64, [n for n in (0, 8, *FD_LENGTHS) if n <= max(cut, message.length // 2)][-1])
        payloads.append(data[:size] if cut <= 60 else data)
    arrays = frames_from([0x123] * len(payloads), payloads, fd=[True] * len(payloads))
    assert mismatches(decoder, db, arrays, payloads) == []
    truncated = BatchDecoder(db, allow_truncated=True)
    ours = truncated.decode(arrays).signals
    for k, payload in enumerate(payloads):  # allow_truncated: the signals that lie in the bytes present
        expected = message.decode(payload, decode_choices=False, allow_truncated=True)
        for name, value in expected.items():
            t, v = ours[f"FdMessage.{name}"]
            got = v[np.flatnonzero(t == arrays.timestamp[k])[0]]
            assert got == value or (got != got and value != value)


def test_a_signal_wider_than_a_window_takes_its_last_bits_from_the_next_byte():
    from cantools.database.can import Database, Message, Signal

    signals = [Signal("LE", 3, 64, "little_endian", is_signed=True), Signal("BE", 8 * 9 + 7 - 5, 64, "big_endian")]
    message = Message(0x55, "Wide", 32, [signals[0], Signal("BE", 8 * 10 + 2, 61, "big_endian")], is_fd=True)
    db = Database(messages=[message])
    plan = BatchDecoder(db).plan.messages[0]
    assert {s.signal: bool(s.spill) for s in plan.signals} == {"LE": True, "BE": True}
    rng = random.Random(1)
    payloads = [rng.randbytes(32) for _ in range(50)]
    assert mismatches(BatchDecoder(db), db, frames_from([0x55] * 50, payloads), payloads) == []


# -- a real CAN FD database ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def hyundai():
    db = load_database(HYUNDAI)
    return db, BatchDecoder(db)


def test_hyundai_canfd_plans_every_signal_cantools_decodes(hyundai):
    db, decoder = hyundai
    assert max(m.length for m in db.messages) == 32
    decodable = {f"{m.name}.{s.name}" for m in db.messages for s in m.signals}
    refused = {m.name for m in decoder.plan.messages if m.refused}
    assert set(decoder.signals) == {n for n in decodable if n.split(".")[0] not in refused}
    assert any(s.byte >= 8 for s in decoder.signals.values()) and any(not s.little_endian for s in decoder.signals.values())


def _hyundai_frames(db, n: int, seed: int, truncate: float):
    rng = random.Random(seed)
    messages = list(db.messages)
    ids, payloads, ext = [], [], []
    for _ in range(n):
        m = rng.choice(messages)
        size = m.length if rng.random() > truncate else rng.choice([0, 8, 12, 16, 20, 24, 32, 48, 64])
        ids.append(m.frame_id), ext.append(m.is_extended_frame), payloads.append(rng.randbytes(size))
    return frames_from(ids, payloads, ext, fd=[True] * n), payloads


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hyundai_canfd_matches_cantools_frame_by_frame(hyundai, seed):
    db, decoder = hyundai
    frames, payloads = _hyundai_frames(db, 4000, seed, truncate=0.1)
    assert mismatches(decoder, db, frames, payloads) == []
    batch = decoder.decode(frames)
    assert batch.matched == 4000 and batch.invalid_total > 0  # the short frames are refused as cantools refuses them


def test_hyundai_canfd_read_from_a_blf_decodes_as_cantools(hyundai, tmp_path):
    """FD frames written by python-can, read by our BLF reader, decoded: the same values cantools gives."""
    import can

    db, decoder = hyundai
    rng = random.Random(4)
    messages = [m for m in db.messages]
    path = tmp_path / "hyundai.blf"
    writer = can.BLFWriter(str(path))
    sent = []
    for k in range(1500):
        m = rng.choice(messages)
        data = rng.randbytes(m.length)
        writer.on_message_received(can.Message(timestamp=1.7e9 + k * 1e-3, arbitration_id=m.frame_id, data=data, is_fd=True,
                                               bitrate_switch=True, channel=0))
        sent.append((m.frame_id, data))
    writer.stop()
    from drivers.logs import open_log

    frames = open_log(path).read_all()
    assert frames.width == 64 and (frames.flags & FD).all()
    assert mismatches(decoder, db, frames, [d for _, d in sent]) == []


# -- one signal database per channel -------------------------------------------------------------

def _workshop_frames(channel_names, seed=0, n=600):
    import cantools

    db = cantools.database.load_file(str(WORKSHOP))
    engine = db.get_message_by_name("EngineData")
    rng = random.Random(seed)
    payloads = [engine.encode({"EngineSpeed": rng.randrange(800, 6000), "CoolantTemp": 80, "Gear": 2, "ThrottlePos": 5},
                              strict=False) for _ in range(n)]
    frames = frames_from([engine.frame_id] * n, payloads)
    codes = np.array([k % len(channel_names) for k in range(n)], np.uint8)
    return frames.with_channels(codes, channel_names), payloads


def test_each_channel_is_decoded_with_its_own_database(hyundai):
    hyundai_db, _ = hyundai
    workshop = load_database(WORKSHOP)
    h_frames, h_payloads = _hyundai_frames(hyundai_db, 300, 7, truncate=0)
    w_frames, _ = _workshop_frames(("can0",))
    mixed = FrameArrays.concat([h_frames.on_one_channel(1), w_frames]).rows(np.random.default_rng(0).permutation(900))
    decoder = ChannelDecoder({1: hyundai_db, "can0": workshop})
    batch = decoder.decode(mixed)
    assert batch.matched == 900 and batch.frames == 900
    on_fd = mixed.rows(mixed.on_channel(1))
    alone = BatchDecoder(hyundai_db).decode(on_fd).signals
    workshop_alone = BatchDecoder(workshop).decode(mixed.rows(mixed.on_channel("can0"))).signals
    assert set(batch.signals) == set(alone) | set(workshop_alone)  # different databases: plain names
    for name, (t, v) in alone.items():
        np.testing.assert_array_equal(batch.signals[name][0], t)
        np.testing.assert_array_equal(batch.signals[name][1], v)
    for name, (t, v) in workshop_alone.items():
        np.testing.assert_array_equal(batch.signals[name][0], t)
    # one database for both buses reads the FD bus's frames whose id the workshop car also uses as workshop messages
    wrong = BatchDecoder(workshop).decode(mixed).signals["EngineData.EngineSpeed"][0]
    assert len(wrong) > len(batch.signals["EngineData.EngineSpeed"][0])


def test_the_same_database_on_two_channels_gets_channel_qualified_names():
    workshop = load_database(WORKSHOP)
    frames, _ = _workshop_frames((0, 1))
    decoder = ChannelDecoder({0: workshop, 1: workshop})
    batch = decoder.decode(frames)
    assert {n.split(":")[0] for n in batch.signals} == {"1", "2"}  # channel 0 is "1", as the log shows it
    assert len(batch.signals["1:EngineData.EngineSpeed"][0]) == len(batch.signals["2:EngineData.EngineSpeed"][0]) == 300
    assert "2:EngineData.EngineSpeed" in decoder.units and decoder.units["2:EngineData.EngineSpeed"] == "rpm"
    only = decoder.decode(frames, names=["2:EngineData.EngineSpeed"]).signals
    assert list(only) == ["2:EngineData.EngineSpeed"]
    with pytest.raises(ValueError, match="more than one channel"):
        ChannelDecoder({0: workshop, 1: workshop}, qualify=False)


def test_a_default_database_decodes_the_other_channels_and_names_match_by_number():
    workshop = load_database(WORKSHOP)
    frames, _ = _workshop_frames(("can3", "vcan7", None))
    decoder = ChannelDecoder({3: workshop}, default=workshop)  # int 3 matches "can3" (python-can's channel2int)
    assert decoder.resolve("can3")[1] is decoder.decoders[3] and decoder.resolve("vcan7")[1] is decoder.default
    batch = decoder.decode(frames)
    assert batch.matched == 600
    assert len(batch.signals["4:EngineData.EngineSpeed"][0]) == 200 and len(batch.signals["EngineData.EngineSpeed"][0]) == 400
    without = ChannelDecoder({3: workshop}).decode(frames)
    assert without.matched == 200 and without.unknown == 400


def test_channels_as_typed_on_the_command_line():
    assert parse_channel("1") == 0 and parse_channel("2") == 1 and parse_channel("can0") == "can0"
    with pytest.raises(ValueError):
        parse_channel("0")
