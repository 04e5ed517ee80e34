"""Claims in a real SQLite store: round trip, edits with versions, role-checked status, a claim from a recording."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa

from carvrooom_desktop.domain import Role, Vehicle
from carvrooom_desktop.errors import NotFound, PermissionDenied
from carvrooom_desktop.storage.sync_tables import table_map
from carvrooom_desktop.warranty.claim import ClaimStatus, check_transition
from carvrooom_desktop.warranty.errors import InvalidTransition, StaleClaim
from carvrooom_desktop.warranty.from_recording import claim_from_recording, recording_sha256
from tests.warranty.warranty_helpers import VIN_A, make_claim


def test_a_claim_round_trips_with_every_field(repo):
    claim = make_claim(freeze_frames=({"dtc": "P0302", "values": {"engine_speed": 812.0}},), odometer_out_km=31_212.0,
                       attachments=({"name": "photo", "sha256": "ab" * 32, "kind": "image", "size": 10},))
    saved = repo.add(claim)
    assert saved.id is not None and saved.version == 1 and saved.status is ClaimStatus.DRAFT
    got = repo.find("C-1")
    assert got == saved
    assert got.amount == pytest.approx(189.50) and str(got.amount) == "189.50"
    assert got.freeze_frames[0]["values"]["engine_speed"] == 812.0 and got.dtcs == ("P0302",)
    assert repo.find(str(saved.id)[:8]).claim_id == "C-1"
    with pytest.raises(NotFound):
        repo.find("nope")


def test_the_claims_table_syncs_with_the_ask_rule():
    from carvrooom_desktop.sync.rules import rule_for  # noqa: F401  (the rule module names the table)

    t = table_map()["warranty_claims"]
    assert not t.append_only and ("recording_id", "recordings") in t.parents


def test_edits_need_the_version_read_and_a_draft(repo):
    saved = repo.add(make_claim())
    edited = repo.update(saved.id, saved.version, complaint="MIL flashing", claim_date=date(2025, 6, 11))
    assert edited.version == 2 and edited.complaint == "MIL flashing" and edited.claim_date == date(2025, 6, 11)
    with pytest.raises(StaleClaim, match="reload it"):
        repo.update(saved.id, saved.version, complaint="late edit")
    repo.set_status(saved.id, "submitted", Role.TECHNICIAN)
    with pytest.raises(InvalidTransition, match="only a draft is edited"):
        repo.update(saved.id, 3, complaint="after submit")
    with pytest.raises(ValueError, match="not an editable claim field"):
        repo.update(saved.id, 3, status="approved")


def test_status_workflow_is_role_checked(repo):
    saved = repo.add(make_claim())
    with pytest.raises(InvalidTransition, match="draft; it cannot become approved"):
        repo.set_status(saved.id, ClaimStatus.APPROVED, Role.WARRANTY_CLERK)
    submitted = repo.set_status(saved.id, ClaimStatus.SUBMITTED, Role.TECHNICIAN)
    with pytest.raises(PermissionDenied, match="a technician may not approve warranty claims; ask a admin or warranty clerk"):
        repo.set_status(saved.id, ClaimStatus.APPROVED, Role.TECHNICIAN)
    with pytest.raises(PermissionDenied, match="service manager may not reject"):
        repo.set_status(saved.id, ClaimStatus.REJECTED, "service manager")
    approved = repo.set_status(saved.id, ClaimStatus.APPROVED, Role.WARRANTY_CLERK, note="ok", expected_version=submitted.version)
    assert approved.status is ClaimStatus.APPROVED and approved.decided_by == "warranty clerk" and approved.status_note == "ok"
    with pytest.raises(InvalidTransition, match="a final status"):
        repo.set_status(saved.id, ClaimStatus.DRAFT, Role.ADMIN)


def test_rejected_claims_reopen_as_drafts():
    assert check_transition(ClaimStatus.SUBMITTED, ClaimStatus.REJECTED, Role.ADMIN) == "reject"
    assert check_transition(ClaimStatus.REJECTED, ClaimStatus.DRAFT, Role.TECHNICIAN) == "reopen"
    with pytest.raises(PermissionDenied):
        check_transition(ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, Role.FLEET_MANAGER)


def _recording(store, *, odometer: float | None = 45_210.0):
    vid = store.vehicles.upsert(Vehicle(VIN_A, "VW", year=2023, odometer_km=45_000.0))
    rec = store.recordings.create(vin=VIN_A, adapter="test", notes="misfire under load, coil suspected",
                                  signal_units={"engine_speed": "rpm", "odometer_km": "km"})
    rng = np.random.default_rng(3)
    from carvrooom_desktop.domain import FrameArrays

    frames = FrameArrays(timestamp=1.75e9 + np.arange(500) * 0.01, arbitration_id=rng.integers(0, 0x7FF, 500).astype(np.uint32),
                         flags=np.zeros(500, np.uint8), dlc=np.full(500, 8, np.uint8),
                         data=rng.integers(0, 256, (500, 8)).astype(np.uint8))
    store.recordings.append_frames(rec, 0, frames)
    t = 1.75e9 + np.arange(10.0)
    signal = np.array([0] * 10 + ([1] * 10 if odometer is not None else []), np.uint16)
    values = np.concatenate([np.full(10, 800.0), np.full(10, odometer)]) if odometer is not None else np.full(10, 800.0)
    store.recordings.append_samples(rec, 0, signal, np.concatenate([t, t])[:len(signal)], values)
    store.recordings.finish(rec)
    store.vehicles.add_scan(vid, {"adapter": "test", "mil_on": True, "dtcs": [{"code": "P0302"}, {"code": "P0300"}],
                                  "freeze_frames": [{"dtc": "P0302", "frame": 0, "values": {"engine_speed": 1800.0}}]}, rec)
    return rec


def test_a_claim_from_a_recording_in_one_call(store, repo):
    rec = _recording(store)
    claim = claim_from_recording(store, rec, part_category="ignition_coil", part_number="IC-22448-10", dealer_id="D001",
                                 in_service_date=date(2023, 3, 1), claim_date=date(2025, 6, 10))
    assert claim.id is not None and claim.status is ClaimStatus.DRAFT
    assert claim.vin == VIN_A and claim.odometer_km == 45_210.0  # the recording's own odometer, not the vehicle row
    assert claim.dtcs == ("P0302", "P0300") and claim.freeze_frames[0]["dtc"] == "P0302"
    assert claim.complaint == "misfire under load, coil suspected" and claim.recording_id == rec
    sha, size = recording_sha256(store.engine, rec)
    assert claim.recording_sha256 == sha and claim.attachments[0]["sha256"] == sha and size > 0
    assert repo.find(claim.claim_id).recording_sha256 == sha


def test_the_recording_hash_follows_every_stored_byte(store):
    rec = _recording(store)
    before, _ = recording_sha256(store.engine, rec)
    assert recording_sha256(store.engine, rec)[0] == before
    with store.engine.begin() as conn:
        row = conn.execute(sa.text("SELECT id, payload FROM recording_chunks WHERE kind = 'frames'")).one()
        payload = bytearray(row.payload)
        payload[len(payload) // 2] ^= 0x01
        conn.execute(sa.text("UPDATE recording_chunks SET payload = :p WHERE id = :i"), {"p": bytes(payload), "i": row.id})
    assert recording_sha256(store.engine, rec)[0] != before
    assert recording_sha256(store.engine, uuid.uuid4())[0] == hashlib.sha256().hexdigest()  # nothing stored


def test_without_odometer_samples_the_vehicle_record_gives_the_odometer(store):
    rec = _recording(store, odometer=None)
    claim = claim_from_recording(store, rec, part_category="ignition_coil")
    assert claim.odometer_km == 45_000.0
    with pytest.raises(ValueError, match="part category 'wheel' is not one of"):
        claim_from_recording(store, rec, part_category="wheel")
