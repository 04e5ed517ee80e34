"""Coverage rules as data: the default set, every kind of verdict naming its rule, and bad rule files."""

from __future__ import annotations

import json
from datetime import date

import pytest

from carvrooom_desktop.warranty.coverage import (
    COVERED,
    DEFAULT_RULES,
    EXCLUDED,
    EXPIRED_AGE,
    EXPIRED_DISTANCE,
    MISSING_DATA,
    NO_RULE,
    add_years,
    judge,
    load_rules,
)
from carvrooom_desktop.warranty.errors import CoverageRulesError
from tests.warranty.warranty_helpers import make_claim


def test_the_default_is_basic_3_years_60000_km_and_the_other_kinds_are_off():
    rules = load_rules()
    assert [c.id for c in rules.enabled()] == ["basic"]
    assert {c.kind for c in rules.coverages} == {"basic", "powertrain", "emissions", "corrosion", "extended"}
    basic = rules.enabled()[0]
    assert basic.categories is None and basic.limits.years == 3 and basic.limits.km == 60_000


def test_whichever_comes_first():
    rules = load_rules()
    ok = judge(make_claim(in_service_date=date(2023, 3, 1), repair_date=date(2025, 6, 9), odometer_km=31_200), rules)
    assert ok.covered and ok.reason == COVERED and ok.rule_id == "basic"
    assert ok.ends_on == date(2026, 3, 1) and ok.km_left == 28_800 and "covered by 'basic'" in ok.explanation
    by_km = judge(make_claim(odometer_km=60_001), rules)
    assert not by_km.covered and by_km.reason == EXPIRED_DISTANCE and by_km.rule_id == "basic"
    by_age = judge(make_claim(in_service_date=date(2022, 6, 8), odometer_km=20_000), rules)
    assert by_age.reason == EXPIRED_AGE and "expired by age on 2025-06-08" in by_age.explanation
    last_day = judge(make_claim(in_service_date=date(2022, 6, 9), odometer_km=20_000), rules)
    assert last_day.covered and last_day.days_left == 0
    assert judge(make_claim(in_service_date=None), rules).reason == MISSING_DATA
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


def _write(tmp_path, document) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_another_rule_set_enables_kinds_limits_per_category_and_exclusions(tmp_path):
    document = json.loads(DEFAULT_RULES.read_text())
    for c in document["coverages"]:
        c["enabled"] = c["id"] in ("basic", "emissions")
    document["coverages"][2]["limits"] = {"oxygen_sensor": {"km": 80_000}}
    document["exclusions"].append({"id": "taxi-cat", "categories": ["catalytic_converter"], "min_km": 100_000,
                                   "reason": "high-mileage catalytic converters are wear"})
    rules = load_rules(_write(tmp_path, document))
    cat = judge(make_claim(part_category="catalytic_converter", odometer_km=90_000), rules)
    assert cat.covered and cat.rule_id == "emissions"
    o2 = judge(make_claim(part_category="oxygen_sensor", odometer_km=90_000), rules)
    assert o2.reason == EXPIRED_DISTANCE and o2.ends_at_km == 80_000
    taxi = judge(make_claim(part_category="catalytic_converter", odometer_km=120_000), rules)
    assert taxi.reason == EXCLUDED and taxi.rule_id == "taxi-cat" and "wear" in taxi.explanation
    document["coverages"][0]["categories"] = ["alternator"]
    narrow = load_rules(_write(tmp_path, document))
    assert judge(make_claim(part_category="water_pump"), narrow).reason == NO_RULE


def test_a_bad_rule_file_names_every_bad_item(tmp_path):
    document = json.loads(DEFAULT_RULES.read_text())
    document["coverages"][1]["years"] = -1
    document["coverages"][2]["kind"] = "lifetime"
    document["coverages"][3]["categories"] = ["sunroof"]
    document["coverages"][4]["colour"] = "red"
    document["exclusions"].append({"id": "empty", "reason": "matches nothing"})
    with pytest.raises(CoverageRulesError) as e:
        load_rules(_write(tmp_path, document))
    text = str(e.value)
    assert "5 problem(s)" in text
    assert "coverages[1] 'powertrain': years must be a positive number or null, got -1" in text
    assert "coverages[2] 'emissions': kind must be one of basic, powertrain, emissions, corrosion, extended, got 'lifetime'" in text
    assert "coverages[3] 'corrosion': unknown part category 'sunroof'" in text
    assert "coverages[4] 'extended': unknown key 'colour'" in text
    assert "exclusions[1] 'empty': says nothing it matches" in text
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CoverageRulesError, match="are not JSON"):
        load_rules(tmp_path / "broken.json")
    with pytest.raises(CoverageRulesError, match="cannot read the coverage rules"):
        load_rules(tmp_path / "missing.json")


def test_the_schema_file_describes_the_same_format():
    schema = json.loads((DEFAULT_RULES.parent / "coverage_rules.schema.json").read_text())
    document = json.loads(DEFAULT_RULES.read_text())
    assert schema["properties"]["format"]["const"] == document["format"]
    assert set(schema["properties"]["coverages"]["items"]["properties"]["kind"]["enum"]) == {
        c["kind"] for c in document["coverages"]}
