"""``carvrooom diagnose`` end to end: simulated car and a stored recording, offline and with a (fake) Gemini."""

from __future__ import annotations

import json

import numpy as np
from fake_gemini import FakeGemini

from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.config.secret_store import GEMINI_API_KEY, set_secret
from carvrooom_desktop.config.settings import load_settings, save_settings
from carvrooom_desktop.diagnosis.signal_sources import simulate_drive
from carvrooom_desktop.domain import RecordingState, Vehicle
from carvrooom_desktop.storage.store import Store


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_sim_offline_text_report(capsys):
    assert run_cli(["diagnose", "--sim", "--fault", "worn_brake_pads", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "OFFLINE expert (offline only (asked for))" in out
    assert "1.  81%  Front brake pads worn to the service limit  [chassis]" in out
    assert "Proposed job  Replace front brake pads (check discs): 1 h, brakes, general lift" in out
    assert "stored as diagnosis" in out


def test_sim_without_key_is_offline_json(capsys):
    assert run_cli(["diagnose", "--sim", "--fault", "thermostat_stuck_open", "--json"]) == 0
    doc = _json(capsys)
    d = doc["diagnosis"]
    assert d["source"] == "offline" and "no Gemini API key" in d["fallback_reason"]
    assert d["causes"][0]["id"] == "thermostat_stuck_open" and d["causes"][0]["evidence"][0] == {
        "kind": "dtc", "ref": "P0128", "detail": "P0128 (stored/pending/permanent) Coolant Thermostat (Coolant Temperature Below Thermostat Regulating Temperature)",
        "signal": "", "t_start": None, "t_end": None}


def test_sim_with_gemini(capsys):
    set_secret(GEMINI_API_KEY, "fake-key")
    settings, _ = load_settings()
    with FakeGemini() as server:
        settings.gemini_base_url = server.url
        save_settings(settings)
        assert run_cli(["diagnose", "--sim", "--fault", "lazy_o2_upstream", "--json", "--pro", "--complaint", "poor economy"]) == 0
    d = _json(capsys)["diagnosis"]
    assert d["source"] == "model" and d["model"] == "gemini-3.1-pro-preview" and d["input_tokens"] > 0
    assert d["causes"][0]["id"] == "o2_upstream_aged"
    assert all("/models/gemini-3.1-pro-preview:" in r["path"] for r in server.requests)


def test_recording(capsys):
    settings, _ = load_settings()
    signals = simulate_drive(("failing_alternator",))
    with Store.open(None, origin=settings.workstation_id) as store:
        vid = store.vehicles.upsert(Vehicle("JHMFA16509S000001", "Honda", year=2009))
        names = signals.names
        rid = store.recordings.create(vin="JHMFA16509S000001", vehicle_id=vid, signal_units={n: signals.unit(n) for n in names})
        index, t, v = [], [], []
        for i, name in enumerate(names):
            sig = signals.get(name)
            index.append(np.full(len(sig.t), i)), t.append(sig.t + 1.7e9), v.append(sig.values)
        store.recordings.append_samples(rid, 0, np.concatenate(index), np.concatenate(t), np.concatenate(v))
        store.recordings.finish(rid, RecordingState.FINISHED)
        store.vehicles.add_scan(vid, {"mil_on": True, "dtcs": [{"code": "P0622", "kind": "stored", "description": "Generator Field F Control Circuit",
                                                                 "system": "charging / electrical"}]}, rid)
    assert run_cli(["diagnose", "--recording", str(rid)[:8], "--json"]) == 0
    doc = _json(capsys)
    d = doc["diagnosis"]
    assert doc["source"] == f"recording {rid}" and d["causes"][0]["id"] == "alternator_failing"
    kinds = {e["kind"] for e in d["causes"][0]["evidence"]}
    assert kinds == {"dtc", "finding"}


def test_bad_input_is_a_clear_error(capsys):
    assert run_cli(["diagnose", "--sim", "--fault", "flux_capacitor"]) == 2
    assert "flux_capacitor" in capsys.readouterr().err
    assert run_cli(["diagnose", "--recording", "nope", "--fault", "vacuum_leak"]) == 1
    assert "--fault only applies" in capsys.readouterr().err
