"""A claim from a recorded session in one call, and the SHA-256 that ties a claim to the recording's data.

``recording_sha256`` hashes the recording's stored chunks (frames and samples) in a fixed order
(kind, then sequence number); each chunk contributes its kind, sequence number, codec and byte
length before its compressed payload, so moving bytes between chunks changes the digest too.
It is computed from the store, chunk by chunk (a long recording never sits in memory), and is
what the evidence pack's manifest (next slice) and the ``shared_recording`` signal compare.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from carvrooom_desktop.storage.models import RecordingChunkRow
from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
from carvrooom_desktop.warranty.claim import PART_CATEGORIES, ClaimStatus, WarrantyClaim
from carvrooom_desktop.warranty.history import recording_odometer
from carvrooom_desktop.warranty.traces import SIGNALS
from carvrooom_desktop.warranty.traces import fingerprint as trace_fingerprint

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store

_chunks = RecordingChunkRow.__table__


def recording_sha256(engine: Engine, recording_id: uuid.UUID) -> tuple[str, int]:
    """(hex digest, bytes hashed) of a recording's stored data."""
    digest = hashlib.sha256()
    size = 0
    query = (select(_chunks.c.kind, _chunks.c.seq, _chunks.c.codec, _chunks.c.payload)
             .where(_chunks.c.recording_id == recording_id).order_by(_chunks.c.kind, _chunks.c.seq))
    with engine.connect() as conn:
        for kind, seq, codec, payload in conn.execution_options(yield_per=64).execute(query):
            payload = bytes(payload)
            digest.update(f"{kind}\0{seq}\0{codec}\0{len(payload)}\0".encode())
            digest.update(payload)
            size += len(payload)
    return digest.hexdigest(), size


def claim_from_recording(store: Store, recording_id: uuid.UUID, *, part_category: str, claim_id: str = "", part_number: str = "",
                         labour_op: str = "", dealer_id: str = "", complaint: str | None = None, cause: str = "",
                         correction: str = "", amount_cents: int = 0, in_service_date: date | None = None,
                         claim_date: date | None = None, repository: WarrantyClaimRepository | None = None) -> WarrantyClaim:
    """Create and save a draft claim from a stored recording: VIN, odometer (the recording's ``odometer_km``
    samples, else the vehicle record), the trouble codes and freeze frames of the scans taken with it,
    the repair date (the recording's day), the SHA-256 of its data, attached as evidence, and its trace
    fingerprint (near-identical copies on other cars' claims are found by it)."""
    if part_category not in PART_CATEGORIES:
        raise ValueError(f"part category {part_category!r} is not one of: {', '.join(PART_CATEGORIES)}")
    recording = store.recordings.get(recording_id)
    vehicle = store.vehicles.get_by_vin(recording.vin) if recording.vin else None
    odometer = recording_odometer(store.recordings, recording_id) if "odometer_km" in recording.signal_names else None
    if odometer is None and vehicle is not None:
        odometer = vehicle.odometer_km
    codes: list[str] = []
    freeze: list[dict[str, Any]] = []
    for scan in store.recordings.scans_for(recording_id):
        for d in scan["dtcs"]:
            code = str(d.get("code", "")).upper()
            if code and code not in codes:
                codes.append(code)
        if scan["freeze_frames"]:
            freeze = list(scan["freeze_frames"])  # the newest scan's freeze frames
    sha, size = recording_sha256(store.engine, recording_id)
    fingerprint = trace_fingerprint(store.recordings.load_samples(recording_id, [n for n in SIGNALS if n in recording.signal_names]))
    today = claim_date or date.today()
    claim = WarrantyClaim(
        claim_id=claim_id or f"WC-{today:%Y%m%d}-{str(recording_id)[:8].upper()}", vin=recording.vin, claim_date=today,
        repair_date=recording.started_at.date(), in_service_date=in_service_date, odometer_km=odometer,
        complaint=recording.notes if complaint is None else complaint, cause=cause, correction=correction,
        dtcs=tuple(codes), freeze_frames=tuple(freeze), part_number=part_number, part_category=part_category,
        labour_op=labour_op, dealer_id=dealer_id, amount_cents=amount_cents, recording_id=recording_id, recording_sha256=sha,
        trace_fingerprint=fingerprint,
        attachments=({"name": f"recording {recording_id}", "kind": "recording", "sha256": sha, "size": size},),
        status=ClaimStatus.DRAFT,
    )
    repo = repository or WarrantyClaimRepository(store.engine, store.origin)
    return repo.add(claim)


__all__ = ["claim_from_recording", "recording_sha256"]
