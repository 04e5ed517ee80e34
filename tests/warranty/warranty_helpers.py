"""Claims for the warranty tests, imported as ``tests.warranty.warranty_helpers`` (``from conftest import``
picks whichever directory's conftest pytest imported first when several directories run together)."""

from __future__ import annotations

from datetime import date

from carvrooom_desktop.warranty.claim import WarrantyClaim

VIN_A = "WVWZZZ1KZ8W123456"
VIN_B = "1HGCM82633A004352"


def make_claim(claim_id: str = "C-1", **changes) -> WarrantyClaim:
    base = dict(claim_id=claim_id, vin=VIN_A, claim_date=date(2025, 6, 10), repair_date=date(2025, 6, 9),
                in_service_date=date(2023, 3, 1), odometer_km=31_200.0, part_category="ignition_coil",
                complaint="Check engine light flashing, engine misfires under load",
                cause="Ignition coil cylinder 2 internal short", correction="Replaced ignition coil cylinder 2",
                dtcs=("P0302",), part_number="IC-22448-10", labour_op="IGN-COIL-R", dealer_id="D001", amount_cents=18_950)
    base.update(changes)
    return WarrantyClaim(**base)
