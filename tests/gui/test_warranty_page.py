"""The Warranty page on a real SQLite store: a recorded drive becomes a claim, its checks and similar claims
show, it is submitted and approved by role, and its evidence pack is written and verified.

docs/screenshots/warranty.png and warranty-evidence.png come from here.
"""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from carvrooom_desktop.health.sources import store_simulated_drive
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty.claim import ClaimStatus
from carvrooom_desktop.warranty.desk import WarrantyDesk
from carvrooom_desktop.warranty.sample import generate_claims
from ui.workspaces.warranty import WarrantyWorkspace

pytestmark = pytest.mark.gui
VIN = "1HGCM82633A004352"


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'claims.sqlite3'}", origin="front-office")
    yield s
    s.close()


def settle(qtbot, page, timeout=60_000):
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=timeout)
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=timeout)


def _page(qtbot, store, tmp_path, role):
    desk = WarrantyDesk(store, index_dir=tmp_path / "index", workshop={"name": "Northside Motors"})
    page = WarrantyWorkspace(desk, lambda: role["now"])
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    settle(qtbot, page)
    return page


def test_a_recorded_drive_becomes_a_verified_claim_on_the_warranty_page(qtbot, store, tmp_path, save_screenshot, theme_manager):
    rid, _ = store_simulated_drive(store, ("thermostat_stuck_open",), minutes=8.0, seed=3, vin=VIN)
    past = [lc.claim for lc in generate_claims(300, seed=5)]
    WarrantyClaimRepository(store.engine, store.origin).add_many(past)
    role = {"now": "technician"}
    page = _page(qtbot, store, tmp_path, role)
    assert page.claims_model.rowCount() == len(past)

    page.create_claim(rid, "thermostat", {"part_number": "19301-RNA-A01", "labour_op": "COOL-120",
                                          "cause": "thermostat stuck open, slow warm-up",
                                          "correction": "replaced thermostat and gasket", "amount_cents": 21_475,
                                          "in_service_date": date(2025, 3, 1)})
    settle(qtbot, page)
    assert page.current is not None and page.current.claim.vin == VIN
    claim = page.current.claim
    assert claim.status is ClaimStatus.DRAFT and claim.recording_sha256
    assert page.save_button.isEnabled() and not page.approve_button.isEnabled()
    assert "expired by distance" in page.verdict_label.text()  # the simulated car is past 60,000 km

    page.tabs.setCurrentIndex(2)  # similar claims: the index is built on first use
    settle(qtbot, page)
    assert "similar" in page.similar_label.text().lower()
    assert all(line.claim.vin != VIN for line in page.similar_model.rows())

    page.submit_button.click()
    settle(qtbot, page)
    assert page.current.claim.status is ClaimStatus.SUBMITTED
    page.approve_button.click()  # a technician may not approve: refused in the core, said on the page
    settle(qtbot, page)
    assert "may not approve" in page.message.text()
    role["now"] = "warranty clerk"
    page.approve_button.click()
    settle(qtbot, page)
    assert page.current.claim.status is ClaimStatus.APPROVED

    page.tabs.setCurrentIndex(1)
    save_screenshot(page, "warranty.png")
    page.tabs.setCurrentIndex(3)  # the preview: the pack's contents and its plots
    settle(qtbot, page)
    assert "6 plots" in page.pack_label.text() and "manifest of" in page.pack_label.text()
    pack = tmp_path / "pack.pdf"
    page.export_to(str(pack))
    settle(qtbot, page)
    assert "Verified" in page.verify_label.text(), page.verify_label.text()
    assert "manifest.json" in PdfReader(str(pack)).attachments
    save_screenshot(page, "warranty-evidence.png")
    page.shutdown()


def test_the_page_says_so_when_there_is_no_store(qtbot):
    page = WarrantyWorkspace(None, lambda: "technician", unavailable="cannot open the database file")
    qtbot.addWidget(page)
    assert "cannot open the database file" in page.message.text()
    assert not page.new_button.isEnabled()


def test_the_recordings_page_starts_a_claim_from_the_selected_recording(gui, qtbot):
    rid, _ = store_simulated_drive(gui.store, ("thermostat_stuck_open",), minutes=3.0, seed=2, vin=VIN)
    recordings = gui.window.show_workspace("recordings")
    recordings.request_refresh()
    qtbot.waitUntil(lambda: recordings.model.rowCount() == 1, timeout=20_000)
    recordings.select_row(0)
    recordings.claim_button.click()
    qtbot.waitUntil(lambda: gui.window.built_page("warranty") is not None, timeout=10_000)
    page = gui.window.built_page("warranty")
    qtbot.waitUntil(lambda: getattr(page, "new_claim_dialog", None) is not None and page.new_claim_dialog.isVisible(),
                    timeout=20_000)
    chosen = {"recording": page.new_claim_dialog.recording.currentData()}
    page.new_claim_dialog.reject()
    assert chosen["recording"] == rid
    assert gui.window.stack.currentWidget() is page
    page.shutdown()
