"""Installing a newer version over an older one: a store written by the previous release's schema (migration
0007, the last one a release shipped before users, fleet, UDS and alerts) migrates to the head on open, its data kept."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa

from carvrooom_desktop.storage.migrate import HEAD_REVISION, alembic_config, current_revision
from carvrooom_desktop.storage.store import Store

PREVIOUS_RELEASE = "0007_warranty_claims"
VIN = "WVWZZZ1JZXW000001"


def old_store(path) -> tuple[str, uuid.UUID]:
    """A store as the previous release left it: its schema, a car, a finished recording, a warranty claim."""
    from alembic import command

    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    now = datetime(2026, 6, 1, 8, 30, tzinfo=timezone.utc).replace(tzinfo=None)
    vehicle, recording = uuid.uuid4(), uuid.uuid4()
    synced = {"updated_at": now, "version": 1, "origin": "ws-old", "deleted": False}
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), PREVIOUS_RELEASE)
        meta = sa.MetaData()
        meta.reflect(conn, only=["vehicles", "recordings", "warranty_claims"])
        conn.execute(meta.tables["vehicles"].insert(), {
            "id": vehicle.hex, "vin": VIN, "make": "VW", "model": "Golf", "year": 2019, "odometer_km": 84_000.0,
            "signal_database": "", **synced})
        conn.execute(meta.tables["recordings"].insert(), {
            "id": recording.hex, "vehicle_id": vehicle.hex, "vin": VIN, "adapter": "simulated car", "started_at": now,
            "ended_at": now, "state": "finished", "notes": "idle check before the update", "frame_count": 0, "sample_count": 0,
            "signal_names": [], "signal_units": {}, **synced})
        conn.execute(meta.tables["warranty_claims"].insert(), {
            "id": uuid.uuid4().hex, "claim_id": "WC-OLD-1", "claim_type": "repair", "vin": VIN, "claim_date": "2026-06-01",
            "repair_date": "2026-06-01", "in_service_date": "2024-03-01", "odometer_km": 84_000.0, "odometer_out_km": None,
            "complaint": "lean at idle", "cause": "", "correction": "", "dtcs": ["P0171"], "freeze_frames": [],
            "part_number": "", "part_category": "oxygen_sensor", "labour_op": "", "dealer_id": "D001", "amount_cents": 18950,
            "attachments": [], "recording_id": recording.hex, "recording_sha256": "", "status": "draft", "status_note": "",
            "decided_by": "", "decided_at": None, "created_at": now, **synced})
    assert current_revision(engine) == PREVIOUS_RELEASE
    engine.dispose()
    return url, recording


def test_a_store_of_the_previous_release_migrates_on_open_and_keeps_its_data(tmp_path):
    url, recording = old_store(tmp_path / "store.sqlite3")
    with Store.open(url, origin="ws-new") as store:
        assert current_revision(store.engine) == HEAD_REVISION
        kept = store.recordings.list(vin=VIN)
        assert [r.id for r in kept] == [recording] and kept[0].notes == "idle check before the update"
        from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository

        claim = WarrantyClaimRepository(store.engine, store.origin).find("WC-OLD-1")
        assert claim.vin == VIN and claim.amount_cents == 18950 and tuple(claim.dtcs) == ("P0171",)
        with store.engine.connect() as conn:  # the newer releases' tables are there, empty
            tables = set(sa.inspect(conn).get_table_names())
        assert {"users", "audit_entries", "alerts", "fleet_vehicles", "telematics_messages", "vehicle_modules"} <= tables
    with Store.open(url, origin="ws-new") as again:  # opening once more migrates nothing
        assert current_revision(again.engine) == HEAD_REVISION
