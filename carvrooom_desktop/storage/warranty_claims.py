"""Warranty claims in the store: writes (one claim, or a whole import in one transaction), role-checked
status changes with optimistic versions, and the exact look-ups the fraud signals need (by VIN, by
recording hash, a dealer's claims per month) done in SQL, never by scanning.

Claims cross as ``carvrooom_desktop.warranty.claim.WarrantyClaim`` (a pure module: storage does not
depend on the rest of the warranty core).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Row, Table, func, or_, select
from sqlalchemy.orm import Session

from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.storage.models import utcnow
from carvrooom_desktop.storage.warranty_models import WarrantyClaimRow
from carvrooom_desktop.warranty.claim import ClaimStatus, WarrantyClaim, check_editable, check_transition
from carvrooom_desktop.warranty.errors import StaleClaim

_table = cast(Table, WarrantyClaimRow.__table__)  # a declarative model's table (SQLAlchemy types it FromClause)
EDITABLE_FIELDS = frozenset({
    "claim_id", "claim_type", "vin", "claim_date", "repair_date", "in_service_date", "odometer_km", "odometer_out_km",
    "complaint", "cause", "correction", "dtcs", "freeze_frames", "part_number", "part_category", "labour_op", "dealer_id",
    "amount_cents", "attachments", "recording_id", "recording_sha256", "trace_fingerprint",
})
_DATES = ("claim_date", "repair_date", "in_service_date")
INSERT_BATCH = 5_000


def to_row_values(claim: WarrantyClaim, origin: str) -> dict[str, Any]:
    """Column values of a new row for ``claim`` (Core inserts: imports)."""
    now = utcnow()
    return {
        "id": claim.id or uuid.uuid4(), "updated_at": now, "version": 1, "origin": origin, "deleted": False, "created_at": now,
        "claim_id": claim.claim_id, "claim_type": claim.claim_type, "vin": claim.vin,
        "claim_date": claim.claim_date.isoformat(), "repair_date": _iso(claim.repair_date),
        "in_service_date": _iso(claim.in_service_date), "odometer_km": claim.odometer_km,
        "odometer_out_km": claim.odometer_out_km, "complaint": claim.complaint, "cause": claim.cause,
        "correction": claim.correction, "dtcs": list(claim.dtcs), "freeze_frames": [dict(f) for f in claim.freeze_frames],
        "part_number": claim.part_number, "part_category": claim.part_category, "labour_op": claim.labour_op,
        "dealer_id": claim.dealer_id, "amount_cents": int(claim.amount_cents), "attachments": [dict(a) for a in claim.attachments],
        "recording_id": claim.recording_id, "recording_sha256": claim.recording_sha256,
        "trace_fingerprint": claim.trace_fingerprint, "trace_duration_s": _trace_duration(claim.trace_fingerprint),
        "status": ClaimStatus(claim.status).value, "status_note": claim.status_note, "decided_by": claim.decided_by,
        "decided_at": None,
    }


def _trace_duration(fingerprint: dict[str, Any] | None) -> float | None:
    return float(fingerprint["duration_s"]) if fingerprint else None


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def from_row(r: WarrantyClaimRow | Row[Any]) -> WarrantyClaim:
    """A claim from a row (ORM object or Core row mapping)."""
    return WarrantyClaim(
        id=r.id, version=r.version, claim_id=r.claim_id, claim_type=r.claim_type, vin=r.vin,
        claim_date=date.fromisoformat(r.claim_date), repair_date=_date(r.repair_date), in_service_date=_date(r.in_service_date),
        odometer_km=r.odometer_km, odometer_out_km=r.odometer_out_km, complaint=r.complaint, cause=r.cause,
        correction=r.correction, dtcs=tuple(r.dtcs or ()), freeze_frames=tuple(r.freeze_frames or ()),
        part_number=r.part_number, part_category=r.part_category, labour_op=r.labour_op, dealer_id=r.dealer_id,
        amount_cents=r.amount_cents, attachments=tuple(r.attachments or ()), recording_id=r.recording_id,
        recording_sha256=r.recording_sha256, trace_fingerprint=r.trace_fingerprint, status=ClaimStatus(r.status),
        status_note=r.status_note, decided_by=r.decided_by,
    )


class WarrantyClaimRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    # -- writing -------------------------------------------------------------------------------

    def add(self, claim: WarrantyClaim) -> WarrantyClaim:
        values = to_row_values(claim, self.origin)
        with self.engine.begin() as conn:
            conn.execute(_table.insert(), values)
        return self.get(values["id"])

    def add_many(self, claims: Iterable[WarrantyClaim], conn: Connection | None = None) -> int:
        """Insert claims in batches; inside ``conn``'s transaction when given (an import: all or nothing)."""
        if conn is None:
            with self.engine.begin() as own:
                return self.add_many(claims, own)
        count, batch = 0, []
        for claim in claims:
            batch.append(to_row_values(claim, self.origin))
            if len(batch) >= INSERT_BATCH:
                conn.execute(_table.insert(), batch)
                count, batch = count + len(batch), []
        if batch:
            conn.execute(_table.insert(), batch)
            count += len(batch)
        return count

    def update(self, claim_pk: uuid.UUID, expected_version: int, **changes: Any) -> WarrantyClaim:
        """Edit a draft; ``expected_version`` is the version the editor read (StaleClaim if it moved on)."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not an editable claim field: {', '.join(sorted(unknown))}")
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = self._locked(s, claim_pk, expected_version)
            check_editable(ClaimStatus(row.status), row.claim_id)
            for name, value in changes.items():
                if name in _DATES:
                    value = _iso(value)
                elif name in ("dtcs", "freeze_frames", "attachments"):
                    value = [dict(v) if isinstance(v, dict) else v for v in value]
                elif name == "trace_fingerprint":
                    row.trace_duration_s = _trace_duration(value)
                setattr(row, name, value)
            row.version += 1
            row.origin = self.origin
        return self.get(claim_pk)

    def set_status(self, claim_pk: uuid.UUID, target: ClaimStatus | str, role: Role | str, *, note: str = "",
                   expected_version: int | None = None, by: str = "") -> WarrantyClaim:
        """Move a claim along the workflow if ``role`` may (PermissionDenied / InvalidTransition otherwise);
        ``by`` is who did it (the signed-in user's name; the role when nobody is named)."""
        target = ClaimStatus(target)
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = self._locked(s, claim_pk, expected_version)
            check_transition(ClaimStatus(row.status), target, role, row.claim_id)
            row.status, row.status_note, row.decided_by = target.value, note, (by or Role(role).value)[:32]
            row.decided_at = datetime.now(UTC)
            row.version += 1
            row.origin = self.origin
        return self.get(claim_pk)

    def soft_delete(self, claim_pk: uuid.UUID, expected_version: int | None = None) -> None:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = self._locked(s, claim_pk, expected_version)
            check_editable(ClaimStatus(row.status), row.claim_id)
            row.deleted, row.version = True, row.version + 1

    def _locked(self, s: Session, claim_pk: uuid.UUID, expected_version: int | None) -> WarrantyClaimRow:
        row = s.get(WarrantyClaimRow, claim_pk, with_for_update=True)
        if row is None or row.deleted:
            raise NotFound(f"no warranty claim {claim_pk}")
        if expected_version is not None and row.version != expected_version:
            raise StaleClaim(f"claim {row.claim_id} changed since it was read (version {expected_version}, now {row.version}): "
                             "reload it and apply the change again")
        return row

    # -- reading -------------------------------------------------------------------------------

    def get(self, claim_pk: uuid.UUID) -> WarrantyClaim:
        with self.engine.connect() as conn:
            row = conn.execute(select(_table).where(_table.c.id == claim_pk)).first()
        if row is None:
            raise NotFound(f"no warranty claim {claim_pk}")
        return from_row(row)

    def find(self, ref: str) -> WarrantyClaim:
        """A claim by its claim number, its full UUID or a unique prefix of the UUID (as typed on the command line)."""
        live = _table.c.deleted.is_(False)
        with self.engine.connect() as conn:
            rows = conn.execute(select(_table).where(live, _table.c.claim_id == ref)).all()
            if not rows:
                ids = [i for i in conn.execute(select(_table.c.id).where(live)).scalars() if str(i).startswith(ref.lower())]
                rows = conn.execute(select(_table).where(_table.c.id.in_(ids))).all() if 0 < len(ids) < 50 else []
                if len(ids) >= 50:
                    raise NotFound(f"{ref!r} matches {len(ids)} claims; type more of the id")
        if len(rows) != 1:
            raise NotFound(f"no warranty claim matches {ref!r}" if not rows else
                           f"{ref!r} matches {len(rows)} claims; use the UUID")
        return from_row(rows[0])

    def list(self, *, status: ClaimStatus | str | None = None, vin: str | None = None, dealer_id: str | None = None,
             limit: int | None = None, offset: int = 0, text: str = "", newest_first: bool = False) -> builtins.list[WarrantyClaim]:
        """Live claims by claim date then number (``newest_first``: the other way); ``text`` is a case-insensitive
        part of the claim number, VIN, part category or dealer."""
        order = (_table.c.claim_date.desc(), _table.c.claim_id.desc()) if newest_first else (_table.c.claim_date, _table.c.claim_id)
        query = select(_table).where(_table.c.deleted.is_(False)).order_by(*order)
        if text:
            escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")  # typed, not wildcards
            query = query.where(or_(*(func.lower(c).like(f"%{escaped}%", escape="\\")
                                      for c in (_table.c.claim_id, _table.c.vin, _table.c.part_category, _table.c.dealer_id))))
        if status:
            query = query.where(_table.c.status == ClaimStatus(status).value)
        if vin:
            query = query.where(_table.c.vin == vin)
        if dealer_id:
            query = query.where(_table.c.dealer_id == dealer_id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self.engine.connect() as conn:
            return [from_row(r) for r in conn.execute(query)]

    def iter_all(self) -> Iterator[WarrantyClaim]:
        """Every live claim, streamed (the batch checks of ``flags``)."""
        query = select(_table).where(_table.c.deleted.is_(False)).order_by(_table.c.claim_date, _table.c.claim_id)
        with self.engine.connect() as conn:
            for r in conn.execution_options(yield_per=5_000).execute(query):
                yield from_row(r)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(_table).where(_table.c.deleted.is_(False))).scalar() or 0

    def change_mark(self) -> tuple[int, int, str]:
        """(live claims, sum of versions, newest change): moves whenever a claim is added, edited or deleted."""
        query = select(func.count(), func.coalesce(func.sum(_table.c.version), 0), func.max(_table.c.updated_at)).where(
            _table.c.deleted.is_(False))
        with self.engine.connect() as conn:
            n, versions, newest = conn.execute(query).one()
        return int(n), int(versions), str(newest or "")

    def existing_claim_ids(self, claim_ids: Sequence[str], conn: Connection | None = None) -> set[str]:
        """Which of these claim numbers the store already holds (live rows)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.existing_claim_ids(claim_ids, own)
        found: set[str] = set()
        ids = list(dict.fromkeys(claim_ids))
        for i in range(0, len(ids), 900):
            part = ids[i:i + 900]
            found.update(conn.execute(select(_table.c.claim_id).where(_table.c.deleted.is_(False),
                                                                      _table.c.claim_id.in_(part))).scalars())
        return found

    # -- exact look-ups for the signals ----------------------------------------------------------

    def for_vin(self, vin: str) -> builtins.list[WarrantyClaim]:
        query = select(_table).where(_table.c.deleted.is_(False), _table.c.vin == vin)
        with self.engine.connect() as conn:
            return [from_row(r) for r in conn.execute(query)]

    def with_recording_sha256(self, sha256: str) -> builtins.list[WarrantyClaim]:
        if not sha256:
            return []
        query = select(_table).where(_table.c.deleted.is_(False), _table.c.recording_sha256 == sha256)
        with self.engine.connect() as conn:
            return [from_row(r) for r in conn.execute(query)]

    def with_trace_duration(self, low_s: float, high_s: float) -> builtins.list[WarrantyClaim]:
        """Claims whose recording's fingerprint lasts between the two durations (the trace-match candidates)."""
        query = select(_table).where(_table.c.deleted.is_(False), _table.c.trace_duration_s >= low_s,
                                     _table.c.trace_duration_s <= high_s)
        with self.engine.connect() as conn:
            return [from_row(r) for r in conn.execute(query)]

    def dealer_month_counts(self, dealer_id: str, first_day: date, last_day: date) -> dict[str, int]:
        """Claims of one dealer per month ``YYYY-MM`` between two dates (inclusive)."""
        month = func.substr(_table.c.claim_date, 1, 7)
        query = (select(month, func.count()).where(_table.c.deleted.is_(False), _table.c.dealer_id == dealer_id,
                                                   _table.c.claim_date >= first_day.isoformat(),
                                                   _table.c.claim_date <= last_day.isoformat()).group_by(month))
        with self.engine.connect() as conn:
            return {m: n for m, n in conn.execute(query)}


__all__ = ["EDITABLE_FIELDS", "WarrantyClaimRepository", "from_row", "to_row_values"]
