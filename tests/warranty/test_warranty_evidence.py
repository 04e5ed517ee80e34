"""Evidence packs from a recorded (simulated) drive in a real SQLite store: byte-identical, sealed, verified,
and every kind of tampering found."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime

import numpy as np
import pytest
from pypdf import PdfReader

from carvrooom_desktop.health.sources import store_simulated_drive
from carvrooom_desktop.storage.models import RecordingChunkRow
from carvrooom_desktop.storage.vehicle_modules import VehicleModuleRepository
from carvrooom_desktop.warranty.coverage import load_rules
from carvrooom_desktop.warranty.errors import EvidencePackError
from carvrooom_desktop.warranty.evidence.manifest import MANIFEST_NAME, SEAL_PREFIX, seal, verify_pack
from carvrooom_desktop.warranty.evidence.service import build_pack, store_recording_hasher, verify_file
from carvrooom_desktop.warranty.from_recording import claim_from_recording

VIN = "1HGCM82633A004352"
WORKSHOP = {"name": "Northside Motors", "address": "12 Mill Road", "phone": "+44 20 7946 0000"}


@pytest.fixture(scope="module")
def drive(tmp_path_factory):
    """A 12-minute simulated drive with a stuck-open thermostat, its scan, and a claim made from it."""
    from carvrooom_desktop.storage.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('evidence') / 'store.db'}"
    store = Store.open(url)
    rid, vid = store_simulated_drive(store, ("thermostat_stuck_open",), minutes=12.0, seed=4, vin=VIN)
    store.vehicles.add_scan(vid, {"adapter": "simulator", "mil_on": True,
                                  "dtcs": [{"code": "P0128", "kind": "stored", "ecu": "7E8",
                                            "description": "Coolant thermostat below regulating temperature"}],
                                  "freeze_frames": [{"dtc": "P0128", "frame": 0, "values": {"coolant_temp": 61.0,
                                                                                           "engine_speed": 1650.0}}]}, rid)
    VehicleModuleRepository(store.engine, store.origin).save_scan(vid, VIN, [
        {"address": {"request": "0x7E0", "response": "0x7E8", "extended": False}, "short": "ECM", "name": "Engine control module",
         "state": "answered", "dtcs": [{"dtc": "P0128-00", "code": "P0128", "description": "Coolant thermostat below regulating temperature",
                                        "failure_text": "no sub type information", "status": "0x2F",
                                        "status_words": ["confirmed", "test failed"]}]},
        {"address": {"request": "0x760", "response": "0x768", "extended": False}, "short": "ABS", "name": "Anti-lock brakes",
         "state": "answered", "dtcs": []}], scanned_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    claim = claim_from_recording(store, rid, part_category="thermostat", part_number="19301-RNA-A01", labour_op="COOL-120",
                                 dealer_id="D007", cause="thermostat stuck open", correction="replaced thermostat and gasket",
                                 amount_cents=21475, in_service_date=date(2025, 3, 1), claim_date=date(2026, 12, 1))
    yield store, claim
    store.close()


def _pack(store, claim):
    return build_pack(store, claim, load_rules(None), workshop=WORKSHOP)


def test_the_same_claim_gives_a_byte_identical_pack(drive):
    store, claim = drive
    first, second = _pack(store, claim), _pack(store, claim)
    assert first.pdf == second.pdf
    assert first.pdf.startswith(b"%PDF-") and SEAL_PREFIX in first.pdf[-100:]


def test_a_pack_holds_every_section_and_its_manifest_lists_every_item(drive):
    store, claim = drive
    pack = _pack(store, claim)
    reader = PdfReader(io.BytesIO(pack.pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ("Warranty evidence pack", "Claim", "Coverage verdict", "Trouble codes and freeze frame",
                    "Evidence from the recording", "Health findings", "Diagnosis and the technician's verdict",
                    "Fraud and error checks", "Manifest"):
        assert heading in text
    assert "P0128" in text and claim.claim_id in text and VIN in text
    assert "Every module of the car" in text and "Anti-lock brakes" in text  # all modules' codes, from the UDS scan
    assert len(pack.contents.plots) == 6 and pack.contents.plots[0].signal == "coolant_temp"
    # the slow warm-up finding is shown on the coolant plot as its time window
    assert any(p.highlight is not None for p in pack.contents.plots)
    attachments = {name: blobs[0] for name, blobs in reader.attachments.items()}
    manifest = json.loads(attachments.pop(MANIFEST_NAME))
    embedded = {e["name"]: e for e in manifest["items"] if e["embedded"]}
    assert set(embedded) == set(attachments) >= {"claim.json", "coverage.json", "checks.json", "scan.json", "health.json",
                                                  "signals.csv", "modules.json"}
    assert [m["short"] for m in json.loads(attachments["modules.json"])] == ["ABS", "ECM"]
    for name, blob in attachments.items():
        assert hashlib.sha256(blob).hexdigest() == embedded[name]["sha256"]
    (recording,) = [e for e in manifest["items"] if not e["embedded"]]
    assert recording["sha256"] == claim.recording_sha256
    assert json.loads(attachments["claim.json"])["part_category"] == "thermostat"


def test_an_untouched_pack_verifies_with_its_recording(drive, tmp_path):
    store, claim = drive
    path = _pack(store, claim).write(tmp_path / "pack.pdf")
    result = verify_file(path, store)
    assert result.ok, result.problems
    assert result.claim_id == claim.claim_id and not result.unchecked
    alone = verify_file(path)
    assert alone.ok and alone.unchecked  # without the store the recording is named as not checked


@pytest.mark.parametrize("where", [0.001, 0.2, 0.5, 0.8, 0.999])
def test_any_changed_byte_fails_verification(drive, where):
    store, claim = drive
    data = bytearray(_pack(store, claim).pdf)
    i = max(8, int(len(data) * where) - 1)  # past "%PDF-1.x" (a non-PDF is its own error)
    data[i] ^= 0x01
    assert not verify_pack(bytes(data)).ok


def test_a_sweep_of_changed_bytes_never_verifies_and_never_crashes(drive):
    store, claim = drive
    pdf = _pack(store, claim).pdf
    rng = np.random.default_rng(8)
    for i in rng.choice(np.arange(8, len(pdf)), size=60, replace=False):
        data = bytearray(pdf)
        data[int(i)] = (data[int(i)] + int(rng.integers(1, 256))) % 256
        result = verify_pack(bytes(data))  # a damaged structure is a failed check, not an exception
        assert not result.ok and result.problems


def test_an_edited_embedded_item_resealed_is_still_caught_by_the_manifest(drive):
    store, claim = drive
    pdf = _pack(store, claim).pdf
    body = pdf[: pdf.rindex(SEAL_PREFIX)]
    # the claim's amount inside claim.json, changed and the pack sealed again (the stream is compressed, so
    # the forger rewrites it whole; here the compressed stream's bytes are flipped, then resealed)
    reader = PdfReader(io.BytesIO(pdf))
    assert "claim.json" in reader.attachments
    forged = bytearray(body)
    start = forged.index(b"/Type /EmbeddedFile")
    stream = forged.index(b"stream", start) + 8
    forged[stream + 10] ^= 0xFF
    result = verify_pack(seal(bytes(forged)))
    assert not result.ok
    assert dict((n, p) for n, p, _ in result.checks)["seal"] is True  # the seal alone would have passed


def test_appended_or_cut_bytes_and_a_missing_seal_fail(drive):
    store, claim = drive
    pdf = _pack(store, claim).pdf
    assert not verify_pack(pdf + b"% more\n").ok
    assert not verify_pack(pdf[:-10]).ok
    assert not verify_pack(pdf[: pdf.rindex(SEAL_PREFIX)]).ok
    with pytest.raises(EvidencePackError, match="not a PDF"):
        verify_pack(b"hello")


def test_a_changed_recording_in_the_store_fails_verify_with_data(drive, tmp_path):
    from carvrooom_desktop.storage.store import Store

    store, claim = drive
    path = _pack(store, claim).write(tmp_path / "pack.pdf")
    # a copy of the store whose recording lost one chunk
    copy = tmp_path / "copy.db"
    with sqlite3.connect(str(store.engine.url.database)) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    other = Store.open(f"sqlite:///{copy}")
    try:
        table = RecordingChunkRow.__table__
        with other.engine.begin() as conn:
            seq = conn.execute(table.select().where(table.c.recording_id == claim.recording_id)).first().seq
            conn.execute(table.delete().where(table.c.recording_id == claim.recording_id, table.c.seq == seq))
        result = verify_file(path, other)
        assert not result.ok
        assert any("the recording changed" in p for p in result.problems)
        assert store_recording_hasher(other)("not-a-uuid") is None
    finally:
        other.close()


def test_the_cli_makes_a_claim_from_a_recording_then_a_pack_that_verifies(tmp_path, capsys):
    from carvrooom_desktop.__main__ import main
    from carvrooom_desktop.storage.store import Store

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with Store.open(url) as store:
        rid, _ = store_simulated_drive(store, ("thermostat_stuck_open",), minutes=6.0, seed=1, vin=VIN)
    assert main(["--db", url, "warranty", "new", "--recording", str(rid)[:8], "--part-category", "thermostat",
                 "--amount", "180.00", "--in-service", "2025-01-10", "--claim-id", "WC-9001", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["claim_id"] == "WC-9001"
    pack = tmp_path / "WC-9001.pdf"
    assert main(["--db", url, "warranty", "evidence", "WC-9001", "-o", str(pack), "--issued", "2026-12-04"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "warranty", "verify", str(pack), "--data", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["claim_id"] == "WC-9001" and not report["unchecked"]
    pack.write_bytes(pack.read_bytes().replace(b"WC-9001", b"WC-9002", 1))
    assert main(["--db", url, "warranty", "verify", str(pack)]) == 1
    assert "NOT verified" in capsys.readouterr().out
    (tmp_path / "notes.txt").write_text("not a pack")
    assert main(["--db", url, "warranty", "verify", str(tmp_path / "notes.txt")]) == 2


def test_the_cli_lists_similar_claims_on_other_cars_and_a_second_process_is_told_the_index_is_busy(tmp_path, capsys,
                                                                                                    monkeypatch):
    from carvrooom_desktop.__main__ import main
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
    from carvrooom_desktop.warranty.sample import generate_claims
    from carvrooom_desktop.warranty.similar import IndexBusy, SimilarClaims, index_dir_for

    monkeypatch.setenv("CARVROOOM_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'similar.db'}"
    claims = [lc.claim for lc in generate_claims(400, seed=9)]
    with Store.open(url) as store:
        WarrantyClaimRepository(store.engine, store.origin).add_many(claims)
        path = index_dir_for(store.engine.url.render_as_string(hide_password=True))
    target = claims[10]
    assert main(["--db", url, "warranty", "similar", target.claim_id, "-n", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3 and all(h["vin"] != target.vin for h in hits)
    assert hits == sorted(hits, key=lambda h: -h["similarity"]) and hits[0]["similarity"] > 0.5
    with SimilarClaims(path) as index:  # reopened: the registered embedder, not Chroma's default, and nothing re-added
        assert index.embedder_name == "carvrooom-hashed-ngrams" and index.count() == len(claims)
        with pytest.raises(IndexBusy, match="is open in process"):
            SimilarClaims(path)
        other = subprocess.run([sys.executable, "-m", "carvrooom_desktop", "--db", url, "warranty", "similar", target.claim_id],
                               capture_output=True, text=True, timeout=120)
        assert other.returncode != 0 and "is open in process" in other.stderr  # another process: told, not hung


def test_decisions_go_through_the_signed_in_user_and_flags_reach_the_alert_rules(drive):
    from carvrooom_desktop.errors import PermissionDenied
    from carvrooom_desktop.events import CLAIM_FLAGGED
    from carvrooom_desktop.people import People
    from carvrooom_desktop.warranty.claim import ClaimStatus
    from carvrooom_desktop.warranty.desk import WarrantyDesk

    store, thermostat = drive
    claim = claim_from_recording(store, thermostat.recording_id, part_category="alternator", claim_id="C-DECIDE",
                                 in_service_date=date(2025, 3, 1), claim_date=date(2026, 12, 2))  # P0128 does not fit it
    people = People.of(store)
    admin = people.users.create_first_admin("ada", "correct horse battery 1")
    boss = people.users.actor(admin.name)
    people.users.create(boss, "tom", "tom's long password 1", "technician")
    people.users.create(boss, "clara", "clara's long password 1", "warranty clerk")
    published = []
    desk = WarrantyDesk(store, publish=lambda topic, payload: published.append((topic, payload)))
    try:
        line = desk.move(desk.repo.get(claim.id), ClaimStatus.SUBMITTED, people.users.sign_in("tom", "tom's long password 1"))
        assert published and published[-1][0] == CLAIM_FLAGGED and published[-1][1]["claim_id"] == claim.claim_id
        with pytest.raises(PermissionDenied, match="may not approve or reject warranty claims"):
            desk.move(line.claim, ClaimStatus.APPROVED, people.users.sign_in("tom", "tom's long password 1"))
        assert any(e.outcome == "refused" and "warranty claim C-DECIDE" in e.record for e in people.audit.entries(user="tom"))
        done = desk.move(line.claim, ClaimStatus.APPROVED, people.users.sign_in("clara", "clara's long password 1"))
        assert done.claim.status is ClaimStatus.APPROVED and done.claim.decided_by == "clara"
        assert any(e.action == "claim approved" for e in people.audit.entries(user="clara"))
    finally:
        desk.close()


def test_the_desk_lists_newest_first_finds_typed_text_and_the_index_forgets_deleted_claims(tmp_path):
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.warranty.desk import WarrantyDesk
    from carvrooom_desktop.warranty.sample import generate_claims

    with Store.open(f"sqlite:///{tmp_path / 'desk.db'}") as store:
        desk = WarrantyDesk(store, index_dir=tmp_path / "index")
        try:
            desk.repo.add_many([lc.claim for lc in generate_claims(300, seed=4)])
            lines = desk.lines()
            assert [ln.claim.order_key() for ln in lines] == sorted((ln.claim.order_key() for ln in lines), reverse=True)
            coils = desk.lines(text="IGNITION_coil")  # typed with its underscore: text, not a LIKE wildcard
            assert coils and {ln.claim.part_category for ln in coils} == {"ignition_coil"}
            assert desk.lines(text="100%") == []
            target = lines[0].claim
            hits = desk.similar(target, 3)
            assert hits
            gone = hits[0].claim
            desk.repo.soft_delete(gone.id)
            assert gone.claim_id not in {h.claim.claim_id for h in desk.similar(target, 3)}
            assert str(gone.id) not in desk._open_index().indexed_versions()  # removed from Chroma, not only skipped
        finally:
            desk.close()
