"""Diagnoses, verdicts and the shop's fix history in a real SQLite store; the API key goes nowhere."""

from __future__ import annotations

import logging

import pytest
from sim_cases import sim_case
from fake_gemini import FakeGemini

from carvrooom_desktop import events as ev
from carvrooom_desktop.config.secret_store import GEMINI_API_KEY, set_secret
from carvrooom_desktop.config.settings import Settings
from carvrooom_desktop.diagnosis.cases import case_from_simulator
from carvrooom_desktop.diagnosis.service import DiagnosisService, chat_path
from carvrooom_desktop.domain import Vehicle
from carvrooom_desktop.storage.diagnoses import DiagnosisRepository
from carvrooom_desktop.storage.store import Store

KEY = "AIzaFAKE-never-stored-0123456789"


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'store.db'}", origin="bench-1")
    yield s
    s.close()


def test_repository_round_trip_and_in_place_replacement(store):
    repo = DiagnosisRepository(store.engine, store.origin)
    vid = store.vehicles.upsert(Vehicle("VIN1", "Honda", year=2009))
    did = repo.add(vin="VIN1", vehicle_id=vid, source="offline", model="offline expert", result={"causes": []}, thread_id="t1")
    repo.replace_result(did, source="model", model="gemini-3.5-flash", result={"causes": [1]}, input_tokens=10, output_tokens=5, cost_usd=0.01)
    record = repo.get(did)
    assert (record.source, record.model, record.result, record.version, record.thread_id) == ("model", "gemini-3.5-flash", {"causes": [1]}, 2, "t1")
    assert (record.input_tokens, record.output_tokens, record.cost_usd) == (10, 5, 0.01)
    assert [r.id for r in repo.list("VIN1")] == [did]
    with pytest.raises(ValueError, match="verdict must be one of"):
        repo.add_verdict(did, cause="vacuum_leak", system="fuel", verdict="maybe")
    with pytest.raises(ValueError, match="source must be"):
        repo.add(vin="VIN1", source="guess", model="", result={})
    with pytest.raises(KeyError):
        repo.replace_result(__import__("uuid").uuid4(), source="model", model="m", result={})


def test_fix_history_finds_this_car_and_similar_ones(store):
    repo = DiagnosisRepository(store.engine, store.origin)
    for vin, make, year, cause, verdict in [("A", "Honda", 2009, "vacuum_leak", "confirmed"), ("B", "Honda", 2011, "maf_sensor", "rejected"),
                                            ("C", "Honda", 2020, "battery_weak", "confirmed"), ("D", "Ford", 2009, "alternator_failing", "fixed_by")]:
        vid = store.vehicles.upsert(Vehicle(vin, make, year=year))
        did = repo.add(vin=vin, vehicle_id=vid, source="offline", model="", result={})
        repo.add_verdict(did, cause=cause, system="s", verdict=verdict, note="n")
    history = repo.fix_history("A", "Honda", 2009)
    assert sorted((h.cause, h.same_vehicle) for h in history) == [("maf_sensor", False), ("vacuum_leak", True)]
    assert repo.fix_history("Z", "", None) == []


def test_service_stores_publishes_and_feeds_verdicts_back(store):
    bus = ev.EventBus()
    decisions: list[dict] = []
    bus.subscribe(ev.DECISION_MADE, lambda _t, p: decisions.append(p))
    service = DiagnosisService(Settings(), store=store, events=bus)
    case = case_from_simulator(("weak_battery",), store=store, repo=service.repo)
    out = service.diagnose(case)
    assert out.diagnosis.source == "offline" and "no Gemini API key" in out.diagnosis.fallback_reason
    assert out.diagnosis.causes[0].id == "battery_weak"
    stored = service.repo.get(out.diagnosis_id)
    assert stored.vin == case.input.vehicle.vin and stored.vehicle_id == case.vehicle_id and stored.thread_id == out.thread_id
    assert decisions[-1]["kind"] == "diagnosis" and decisions[-1]["top_cause"] == out.diagnosis.causes[0].title
    # the technician finds the alternator was at fault: the next diagnosis of this car knows it
    service.record_verdict(out.diagnosis_id, cause="battery_weak", system="charging / electrical", verdict="rejected")
    service.record_verdict(out.diagnosis_id, cause="alternator_failing", system="charging / electrical", verdict="fixed_by")
    assert decisions[-1] == {"kind": "verdict", "diagnosis_id": str(out.diagnosis_id), "vin": "", "cause": "alternator_failing",
                             "system": "charging / electrical", "verdict": "fixed_by"}
    again = case_from_simulator(("weak_battery",), store=store, repo=service.repo)
    assert {h.cause for h in again.input.history} == {"battery_weak", "alternator_failing"}
    second = service.diagnose(again).diagnosis
    first_conf = {c.id: c.confidence for c in out.diagnosis.causes}
    second_conf = {c.id: c.confidence for c in second.causes}
    assert second_conf["alternator_failing"] > first_conf["alternator_failing"]
    assert second_conf["battery_weak"] < first_conf["battery_weak"]
    service.close()


def test_api_key_never_reaches_the_database_logs_or_chat_file(store, caplog):
    set_secret(GEMINI_API_KEY, KEY)
    caplog.set_level(logging.DEBUG)
    with FakeGemini() as server:
        settings = Settings(gemini_base_url=server.url, gemini_timeout_s=5.0)
        service = DiagnosisService(settings, store=store)
        case = sim_case("vacuum_leak")
        out = service.diagnose(case)
        assert out.diagnosis.source == "model" and out.diagnosis.input_tokens > 0
        assert server.requests[0]["headers"]["x-goog-api-key"] == KEY  # it did reach Gemini, and only Gemini
        service.ask(out.thread_id, "what does the smoke test show?", out.diagnosis, case)
        service.close()
    store.engine.dispose()
    db = store.engine.url.database
    for path in (db, db + "-wal", str(chat_path(store))):
        try:
            data = open(path, "rb").read()
        except FileNotFoundError:
            continue
        assert KEY.encode() not in data, path
    assert KEY not in caplog.text
    assert KEY not in repr(service.models()[1])


def test_follow_up_chat_survives_a_restart(store):
    service = DiagnosisService(Settings(), store=store)
    case = sim_case("thermostat_stuck_open")
    out = service.diagnose(case)
    answer = service.ask(out.thread_id, "Is it safe to drive?", out.diagnosis, case)
    assert answer.startswith("[offline expert]") and "drive" in answer
    clear = service.ask(out.thread_id, "Can I just clear the codes?", out.diagnosis, case)
    assert "only after the repair" in clear
    service.close()
    reopened = DiagnosisService(Settings(), store=store)
    thread = reopened.repo.get(out.diagnosis_id).thread_id
    assert [role for role, _ in reopened.chat_history(thread)] == ["technician", "assistant"] * 2
    assert reopened.chat_history(thread)[0][1] == "Is it safe to drive?"
    reopened.close()
    with pytest.raises(ValueError, match="type a question"):
        DiagnosisService(Settings(), store=store).ask(thread, "  ", out.diagnosis)
