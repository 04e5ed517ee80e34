"""Alert rules and escalation policies as data: the shipped files, their schemas, bad files named."""

from __future__ import annotations

import json
import uuid

import pytest

from carvrooom_desktop import events as ev
from carvrooom_desktop.alerts.policies import default_policies_path, load_policies, parse_policies, plan_steps
from carvrooom_desktop.alerts.rules import default_rules_path, load_rules, parse_rules
from carvrooom_desktop.errors import InvalidRequest
from resources import resource_path
from tests.alerts.alerts_helpers import critical_health, do_not_drive


@pytest.mark.parametrize("data,schema", [("rules.json", "rules.schema.json"), ("policies.json", "policies.schema.json")])
def test_shipped_files_follow_their_schema(data, schema):
    import jsonschema

    jsonschema.validate(json.loads(resource_path("alerts", data).read_text()), json.loads(resource_path("alerts", schema).read_text()))


def test_every_rule_names_a_shipped_policy():
    policies = load_policies()
    for rule in load_rules().rules:
        assert policies.get(rule.policy) is not None, rule.id


def test_do_not_drive_and_critical_health_become_candidates():
    rules = load_rules()
    [dnd] = rules.evaluate(*do_not_drive())
    assert dnd.rule == "do-not-drive" and dnd.severity == "critical" and dnd.dedupe_key == "do-not-drive:WVWZZZ1JZXW000001"
    [health] = rules.evaluate(*critical_health())
    assert health.dedupe_key == "critical-health:car-1:charging:charging_voltage" and "12.1 V" in health.detail
    assert rules.evaluate(*critical_health(severity="warning")) == []
    topic, payload = do_not_drive()
    assert rules.evaluate(topic, payload | {"urgency": "drive with care"}) == []
    assert rules.evaluate(ev.DECISION_MADE, {"kind": "verdict", "urgency": "do not drive"}) == []


def test_warranty_flag_above_the_score_only():
    rules = load_rules()
    assert rules.evaluate(ev.CLAIM_FLAGGED, {"claim_id": "C-1", "score": 0.69}) == []
    [c] = rules.evaluate(ev.CLAIM_FLAGGED, {"claim_id": "C-1", "score": 0.91, "vin": "V1", "flags": ["odometer"]})
    assert c.dedupe_key == "warranty-flag:C-1" and "odometer" in c.detail


def test_booking_at_risk_payload_and_the_sync_payload_that_is_not_one():
    rules = load_rules()
    job = {"job_id": "j1", "label": "Brakes (WVW..)", "planned_end": "2026-12-04T17:30", "promised_at": "2026-12-04T17:00",
           "late_minutes": 30.0}
    [c] = rules.evaluate(ev.BOOKING_CHANGED, {"source": "board", "at_risk": [job]})
    assert c.dedupe_key == "booking-at-risk:j1" and "30 min late" in c.detail
    assert rules.evaluate(ev.BOOKING_CHANGED, {"source": "sync", "ids": ["x"]}) == []


def test_a_bad_rules_file_names_every_bad_entry():
    raw = {"format": "carvrooom-alert-rules/1", "rules": [
        {"id": "a", "kind": "nonsense"},
        {"id": "b", "kind": "warranty_score", "min_score": "high"},
        {"id": "c", "kind": "health_severity", "min_severity": "dire", "colour": "red"},
        {"id": "a", "kind": "diagnosis_urgency"},
    ]}
    with pytest.raises(InvalidRequest) as e:
        parse_rules(raw, where="mine.json")
    text = str(e.value)
    for bit in ("rule 1 (a): kind 'nonsense' unknown", "rule 2 (b): min_score has the wrong type", "unknown field 'colour'",
                "min_severity must be one of", "id 'a' used twice"):
        assert bit in text
    with pytest.raises(InvalidRequest, match="format must be"):
        parse_rules({"rules": []})


def test_a_bad_policies_file_names_every_bad_entry():
    raw = {"format": "carvrooom-escalation-policies/1", "policies": [
        {"id": "p", "levels": [{"notify": [], "wait_minutes": 5}]},
        {"id": "q", "stop_when": "never", "levels": [{"notify": ["admin"], "channels": ["pigeon"]}]},
        {"id": "r", "levels": [{"notify": ["admin"], "wait_minutes": 0}]},
        {"id": "s", "levels": [{"notify": ["admin"], "repeat": 50, "wait_minutes": 1}], "loops": 20},
    ]}
    with pytest.raises(InvalidRequest) as e:
        parse_policies(raw)
    text = str(e.value)
    for bit in ("(p) level 1: 'notify' must list", "(q): stop_when must be", "(q) level 1: channels must be",
                "(r) level 1: wait_minutes", "(s): plans more than 500"):
        assert bit in text, bit


def test_plan_is_notify_wait_repeat_then_escalate_with_unique_keys():
    policy = parse_policies({"format": "carvrooom-escalation-policies/1", "policies": [{"id": "p", "loops": 1, "levels": [
        {"notify": ["technician"], "channels": ["email"], "wait_minutes": 5, "repeat": 2},
        {"notify": ["service manager", "admin"], "channels": ["email", "desktop"], "wait_minutes": 10},
    ]}]}).get("p")
    alert = uuid.uuid4()
    steps = plan_steps(policy, alert, 1000.0)
    tech = [s for s in steps if s.level == 0]
    assert [s.due_at for s in tech] == [1000.0, 1300.0, 1600.0, 2500.0, 2800.0, 3100.0]  # 3 notices, 5 min apart; a loop later
    assert {s.due_at for s in steps if s.level == 1} == {1900.0, 3400.0}  # escalated after 3 x 5 min
    assert len([s for s in steps if s.level == 1]) == 2 * 2 * 2  # 2 roles x 2 channels x 2 loops
    assert len({s.idempotency_key for s in steps}) == len(steps)
    assert plan_steps(policy, alert, 1000.0) == steps  # planning again is the same plan (same keys)


def test_default_paths_are_the_resources():
    assert default_rules_path() == resource_path("alerts", "rules.json")
    assert default_policies_path() == resource_path("alerts", "policies.json")
