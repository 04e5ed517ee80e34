"""Trace fingerprints: a trimmed, re-sampled or noisy copy of a drive matches it, another drive does not;
on another car's claim the match raises ``shared_recording`` though the SHA-256 differs."""

from __future__ import annotations

import gzip
import itertools
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from carvrooom_desktop.domain import Vehicle
from carvrooom_desktop.warranty.coverage import load_rules
from carvrooom_desktop.warranty.from_recording import claim_from_recording
from carvrooom_desktop.warranty.history import MemoryHistory, StoreHistory
from carvrooom_desktop.warranty.signals import SHARED_RECORDING, SignalChecker
from carvrooom_desktop.warranty.traces import duration_window, fingerprint, similarity

CAROBD = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "carobd" / "obdiidata"
THRESHOLD = 0.9  # resources/warranty/signals.json: shared_recording.trace_threshold


def drive(seed: int, minutes: float = 20.0, hz: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A town-and-road drive with stops: speed a random walk between stops, rpm and load following it."""
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 * hz)
    t = np.arange(n) / hz
    speed = np.zeros(n)
    v, target, hold = 0.0, 0.0, 0
    for i in range(n):
        if hold <= 0:
            target = 0.0 if rng.random() < 0.25 else rng.uniform(20, 110)
            hold = int(rng.uniform(20, 120) * hz)
        hold -= 1
        v += np.clip(target - v, -3 / hz, 2 / hz) + rng.normal(0, 0.3)
        speed[i] = max(0.0, v)
    rpm = 800 + speed * 28 + rng.normal(0, 40, n)
    load = 20 + np.gradient(speed) * 8 + speed * 0.3 + rng.normal(0, 2, n)
    coolant = 90 - 70 * np.exp(-t / 400) + rng.normal(0, 0.3, n)
    return {"vehicle_speed": (t, speed), "engine_speed": (t, rpm), "engine_load": (t, load), "coolant_temp": (t, coolant)}


def copies(samples, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = len(samples["vehicle_speed"][0])
    cut = n // 50
    yield "trimmed 2 % and moved", {k: (t[cut:] + 1_000.0, v[cut:]) for k, (t, v) in samples.items()}
    yield "half the sample rate", {k: (t[::2], v[::2]) for k, (t, v) in samples.items()}
    yield "5 % noise", {k: (t, v + rng.normal(0, np.std(v) * 0.05, n)) for k, (t, v) in samples.items()}
    yield "in other units", {k: (t, v * 0.621 + 3.0) for k, (t, v) in samples.items()}


def test_copies_of_a_drive_match_it_and_other_drives_do_not():
    drives = [fingerprint(drive(seed)) for seed in range(8)]
    for a, b in itertools.combinations(drives, 2):
        assert similarity(a, b) < THRESHOLD
    original = drive(3)
    for what, copy in copies(original):
        assert similarity(fingerprint(original), fingerprint(copy)) >= 0.95, what


def test_a_session_that_never_moves_or_is_too_short_has_no_fingerprint():
    idle = {k: (t, v if k != "vehicle_speed" else np.zeros_like(v)) for k, (t, v) in drive(1).items()}
    assert fingerprint(idle) is None
    assert fingerprint(drive(1, minutes=1.0)) is None
    assert fingerprint({"vehicle_speed": drive(1)["vehicle_speed"]}) is None  # one signal is not enough
    assert similarity(fingerprint(drive(1)), None) == 0.0


@pytest.mark.skipif(not CAROBD.is_dir(), reason="../shared/datasets/carobd is not on this machine")
def test_real_drives_of_one_car_stay_apart_and_their_copies_match():
    columns = {"ENGINE_RPM ()": "engine_speed", "VEHICLE_SPEED ()": "vehicle_speed", "ENGINE_LOAD ()": "engine_load",
               "THROTTLE ()": "throttle_position", "COOLANT_TEMPERATURE ()": "coolant_temp"}
    drives = []
    for path in sorted(CAROBD.glob("*.csv.gz")):
        with gzip.open(path, "rt") as fh:
            head = [h.strip() for h in fh.readline().split(",")]
            rows = [line.split(",") for line in fh if line.strip()]
        index = {head.index(c): name for c, name in columns.items() if c in head}
        try:
            values = np.array([[float(r[i]) for i in index] for r in rows])
        except (ValueError, IndexError):
            continue  # a log with a broken row: not the point of this test
        t = np.arange(len(values), dtype=float)  # the logs are 1 Hz
        drives.append({name: (t, values[:, k]) for k, name in enumerate(index.values())})
    prints = [(d, fingerprint(d)) for d in drives]
    moving = [(d, f) for d, f in prints if f is not None]
    assert len(moving) >= 40
    compared = 0
    for (_, a), (_, b) in itertools.combinations(moving, 2):
        low, high = duration_window(a["duration_s"])
        if low <= b["duration_s"] <= high:
            compared += 1
            assert similarity(a, b) < THRESHOLD
    assert compared > 300
    for d, f in moving[:15]:
        for what, copy in copies(d):
            assert similarity(f, fingerprint(copy)) >= 0.95, what


def _recording(store, vin: str, samples, t0: float):
    vehicle_id = store.vehicles.upsert(Vehicle(vin, "VW", year=2024, odometer_km=20_000.0))
    names = list(samples)
    rid = store.recordings.create(vin=vin, adapter="test", notes="judder when pulling away", vehicle_id=vehicle_id,
                                  signal_units={"vehicle_speed": "km/h", "engine_speed": "rpm", "engine_load": "%",
                                                "coolant_temp": "°C"})
    signal = np.concatenate([np.full(len(samples[n][0]), i, np.uint16) for i, n in enumerate(names)])
    stamps = np.concatenate([samples[n][0] for n in names]) + t0
    values = np.concatenate([samples[n][1] for n in names])
    store.recordings.append_samples(rid, 0, signal, stamps, values)
    store.recordings.finish(rid)
    return rid


def test_an_edited_copy_on_another_cars_claim_raises_shared_recording(store, repo):
    original = drive(11)
    copy = dict(copies(original, seed=4))["5 % noise"]
    first = claim_from_recording(store, _recording(store, "WVWZZZ1KZAW000001", original, 1.75e9), part_category="abs_sensor",
                                 claim_id="C-1", in_service_date=date(2025, 1, 1), claim_date=date(2026, 5, 1), repository=repo)
    second = claim_from_recording(store, _recording(store, "WVWZZZ1KZAW000002", copy, 1.76e9), part_category="abs_sensor",
                                  claim_id="C-2", in_service_date=date(2025, 1, 1), claim_date=date(2026, 6, 1), repository=repo)
    other = claim_from_recording(store, _recording(store, "WVWZZZ1KZAW000003", drive(12), 1.77e9), part_category="abs_sensor",
                                 claim_id="C-3", in_service_date=date(2025, 1, 1), claim_date=date(2026, 7, 1), repository=repo)
    assert first.recording_sha256 != second.recording_sha256
    stored = repo.get(second.id)
    assert stored.trace_fingerprint is not None and stored.trace_fingerprint["duration_s"] == pytest.approx(1199.0)
    for history in (StoreHistory(repo), MemoryHistory(repo.iter_all())):
        checker = SignalChecker(history, load_rules(None))
        signal = {s.kind: s for s in checker.check(repo.get(second.id)).signals}[SHARED_RECORDING]
        assert signal.fired and signal.evidence["other_claims"] == ["C-1"] and signal.evidence["trace_similarity"] > 0.95
        assert "traces match claim C-1" in signal.advice
        assert not {s.kind: s for s in checker.check(repo.get(first.id)).signals}[SHARED_RECORDING].fired  # the first is not the suspect
        assert not {s.kind: s for s in checker.check(repo.get(other.id)).signals}[SHARED_RECORDING].fired
