"""The supervisor's rule-based routing and the choice of Flash or Pro."""

from __future__ import annotations

import pytest

from agents.models import FLASH, PRO, choose_tier
from agents.routing import route
from agents.schema import DiagnosisInput, FindingFacts, TroubleCode


@pytest.mark.parametrize(("code", "system", "area"), [
    ("P0171", "fuel and air metering", "engine"),
    ("P0301", "ignition / misfire", "engine"),
    ("P0128", "cooling", "engine"),
    ("C0035", "chassis", "brakes_chassis"),
    ("P0700", "transmission", "transmission"),
    ("P0562", "charging / electrical", "electrical"),
    ("U0100", "network communication", "electrical"),
    ("B1234", "unknown", "electrical"),  # unknown system: the letter decides
    ("C1234", "unknown", "brakes_chassis"),
])
def test_dtc_family_routes_to_its_worker(code, system, area):
    routes = route(DiagnosisInput(dtcs=[TroubleCode(code=code, system=system)]))
    assert list(routes) == [area] and routes[area] == [f"DTC {code}"]


def test_findings_and_complaint_add_areas_in_fixed_order():
    case = DiagnosisInput(
        dtcs=[TroubleCode(code="P0171", system="fuel and air metering")],
        findings=[FindingFacts(system="brakes", check="front brake pads", severity="WARNING"),
                  FindingFacts(system="battery", check="cranking voltage", severity="OK")],  # OK findings route nowhere
        complaint="Gearbox slips into 3rd",
    )
    routes = route(case)
    assert list(routes) == ["engine", "brakes_chassis", "transmission"]
    assert routes["brakes_chassis"] == ["finding brakes: front brake pads"]
    assert routes["transmission"][0].startswith("complaint mentions")


def test_nothing_to_go_on_sends_the_engine_worker_for_a_general_check():
    assert route(DiagnosisInput()) == {"engine": ["no codes or findings: general check"]}


def test_tier_choice():
    one = DiagnosisInput(dtcs=[TroubleCode(code="P0171", system="fuel and air metering")])
    assert choose_tier(one, route(one), 0.9)[0] == FLASH
    assert choose_tier(one.model_copy(update={"wants_pro": True}), route(one), 0.9)[0] == PRO
    assert choose_tier(one, route(one), 0.2)[0] == PRO  # the knowledge base is unsure
    two = DiagnosisInput(dtcs=[TroubleCode(code="P0171", system="fuel and air metering"), TroubleCode(code="C0035", system="chassis")])
    tier, why = choose_tier(two, route(two), 0.9)
    assert tier == PRO and "2 systems" in why
    complaint_only = one.model_copy(update={"complaint": "brakes squeal"})  # a complaint alone is not a second system
    assert choose_tier(complaint_only, route(complaint_only), 0.9)[0] == FLASH
