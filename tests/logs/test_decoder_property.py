"""The vectorised decoder equals cantools' decode_message, frame by frame (random frames, real DBCs)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carvrooom_desktop.acquisition.decode import BatchDecoder, load_database
from tests.logs.decode_oracle import DATA_DIR, frames_from, mismatches

HERE = Path(__file__).parent
EDGES = HERE / "fixtures" / "edge_cases.dbc"
WORKSHOP = HERE.parent / "drivers" / "fixtures" / "workshop_car.dbc"
REAL_DBCS = sorted(Path(DATA_DIR).glob("*.dbc")) if os.path.isdir(DATA_DIR) else []


def _decoder(path):
    db = load_database(path)
    return db, BatchDecoder(db)


EDGE_DB, EDGE_DECODER = _decoder(EDGES)
WORKSHOP_DB, WORKSHOP_DECODER = _decoder(WORKSHOP)


def _names(db, ids):
    by_id = {m.frame_id: m.name for m in db.messages}
    return [by_id[i] for i in ids]


def _with_mux(decoder: BatchDecoder, frame_id: int, payload: bytearray, rng: random.Random) -> bytearray:
    """Set every multiplexer of the message to one of its known ids (random bytes rarely hit one)."""
    plan = next((m for m in decoder.plan.messages if m.frame_id == frame_id), None)
    if plan is None or not plan.is_multiplexed:
        return payload
    word = int.from_bytes(bytes(payload[:8]).ljust(8, b"\0"), "little")
    for i in plan.mux_order:
        sig = plan.signals[i]
        keys = plan.mux_keys[i].tolist()
        if not keys or rng.random() < 0.1:
            continue
        raw = int(round((rng.choice(keys) - sig.offset) / sig.scale)) & sig.mask
        if sig.little_endian:
            word = (word & ~(sig.mask << sig.shift)) | (raw << sig.shift)
        else:
            be = int.from_bytes(word.to_bytes(8, "little"), "big")
            be = (be & ~(sig.mask << sig.shift)) | (raw << sig.shift)
            word = int.from_bytes(be.to_bytes(8, "big"), "little")
    out = bytearray(word.to_bytes(8, "little"))
    out[8:] = payload[8:]
    return out[: len(payload)] if len(payload) <= 8 else out


def _random_frames(db, decoder, seed: int, n: int, truncate: float = 0.1):
    rng = random.Random(seed)
    messages = [m for m in db.messages if not m.is_container]
    ids, payloads, ext = [], [], []
    for _ in range(n):
        if rng.random() < 0.05:
            ids.append(rng.randrange(0x800)), ext.append(False), payloads.append(rng.randbytes(8))  # unknown id
            continue
        m = rng.choice(messages)
        length = m.length if rng.random() > truncate else rng.randrange(0, max(m.length, 9))
        payload = bytearray(rng.randbytes(max(length, 0)))
        if len(payload) >= m.length or rng.random() < 0.5:
            payload = _with_mux(decoder, m.frame_id, payload, rng)
        ids.append(m.frame_id), ext.append(m.is_extended_frame), payloads.append(bytes(payload))
    return frames_from(ids, payloads, ext), payloads


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([m.frame_id for m in EDGE_DB.messages]), st.binary(min_size=0, max_size=8)),
                min_size=1, max_size=40), st.integers(0, 2**32))
def test_random_frames_match_cantools_on_edge_cases(frames, seed):
    rng = random.Random(seed)
    ids = [i for i, _ in frames]
    payloads = [bytes(_with_mux(EDGE_DECODER, i, bytearray(p), rng)) if rng.random() < 0.7 else p for i, p in frames]
    arrays = frames_from(ids, payloads, [EDGE_DB.get_message_by_name(n).is_extended_frame for n in _names(EDGE_DB, ids)])
    assert mismatches(EDGE_DECODER, EDGE_DB, arrays, payloads) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([m.frame_id for m in WORKSHOP_DB.messages]), st.binary(min_size=0, max_size=8)),
                min_size=1, max_size=40), st.integers(0, 2**32))
def test_random_frames_match_cantools_on_the_workshop_car(frames, seed):
    rng = random.Random(seed)
    ids = [i for i, _ in frames]
    payloads = [bytes(_with_mux(WORKSHOP_DECODER, i, bytearray(p), rng)) for i, p in frames]
    arrays = frames_from(ids, payloads, [WORKSHOP_DB.get_message_by_name(n).is_extended_frame for n in _names(WORKSHOP_DB, ids)])
    assert mismatches(WORKSHOP_DECODER, WORKSHOP_DB, arrays, payloads) == []


def test_edge_cases_are_all_planned():
    assert EDGE_DECODER.plan.warnings == ()
    assert {"Floats.F32BE", "Float64.F64", "WideBE.S64BE", "ExtendedMux.Deep", "ExtendedMux.DeepBE"} <= set(EDGE_DECODER.signals)
    assert EDGE_DECODER.choices["Mixed.State"] == {0: "off", 1: "on", 7: "fault"}


@pytest.mark.skipif(not REAL_DBCS, reason="shared DBC data set not present")
@pytest.mark.parametrize("path", REAL_DBCS, ids=lambda p: p.name)
def test_every_real_dbc_matches_cantools(path):
    db, decoder = _decoder(path)
    frames, payloads = _random_frames(db, decoder, seed=len(path.name), n=6000)
    assert mismatches(decoder, db, frames, payloads) == []
    matched = decoder.decode(frames).matched
    assert matched > 0.9 * len(frames)


def test_names_limit_the_work_and_choices_stay_numbers():
    frames, _payloads = _random_frames(WORKSHOP_DB, WORKSHOP_DECODER, seed=3, n=500, truncate=0)
    batch = WORKSHOP_DECODER.decode(frames, names=["EngineData.Gear"])
    assert set(batch.signals) == {"EngineData.Gear"}
    _t, v = batch.signals["EngineData.Gear"]
    assert v.dtype == np.float64 and set(np.unique(v)) <= set(range(8))
    assert WORKSHOP_DECODER.choices["EngineData.Gear"][3] == "Drive"


def test_short_frames_are_counted_as_invalid_and_unknown_ids_as_unknown():
    frames = frames_from([256, 256, 0x7FF], [bytes(8), bytes(3), bytes(8)])
    batch = WORKSHOP_DECODER.decode(frames)
    assert batch.invalid == {"EngineData": 1}
    assert batch.unknown == 1
    assert len(batch.signals["EngineData.EngineSpeed"][0]) == 1


@pytest.mark.skipif(not REAL_DBCS, reason="shared DBC data set not present")
def test_salvage_decodes_the_signals_cantools_refuses():
    """toyota PCS_HUD has overlapping signals: cantools refuses every frame, salvage mode decodes what fits."""
    path = Path(DATA_DIR) / "toyota_nodsu_pt_generated.dbc"
    db = load_database(path)
    strict, salvage = BatchDecoder(db), BatchDecoder(db, salvage=True)
    message = db.get_message_by_name("PCS_HUD")
    frames = frames_from([message.frame_id] * 3, [bytes(range(8))] * 3)
    assert strict.decode(frames).invalid == {"PCS_HUD": 3} and not strict.decode(frames).signals
    assert any("PCS_HUD" in w for w in strict.warnings)
    decoded = salvage.decode(frames).signals
    assert decoded and all(len(t) == 3 for t, _ in decoded.values())


if REAL_DBCS:
    _REAL = {p.name: _decoder(p) for p in REAL_DBCS}

    def _frames_of(name):
        ids = [m.frame_id for m in _REAL[name][0].messages if not m.is_container]
        frame = st.tuples(st.sampled_from(ids), st.binary(min_size=0, max_size=8), st.booleans())
        return st.tuples(st.just(name), st.lists(frame, min_size=1, max_size=30))

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(sorted(_REAL)).flatmap(_frames_of), st.integers(0, 2**32))
    def test_hypothesis_frames_on_real_dbcs_match_cantools(example, seed):
        name, frames = example
        rng = random.Random(seed)
        db, decoder = _REAL[name]
        by_id = {m.frame_id: m for m in db.messages}
        ids, payloads = [], []
        for frame_id, payload, full in frames:
            if full:  # the message's own length, multiplexers on known ids
                payload = bytes(_with_mux(decoder, frame_id, bytearray(payload.ljust(by_id[frame_id].length, b"\0")), rng))
            ids.append(frame_id), payloads.append(payload)
        arrays = frames_from(ids, payloads, [by_id[i].is_extended_frame for i in ids])
        assert mismatches(decoder, db, arrays, payloads) == []
