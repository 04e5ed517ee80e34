"""A warranty claim as the core sees it, its statuses, and who may move it where.

Pure (no storage, no Qt): the store's repository (``storage/warranty_claims.py``) and every
warranty module use these types. Workflow::

    draft --submit--> submitted --approve--> approved
      ^                  |  \\--reject--> rejected --reopen--> draft
      \\----withdraw-----/

Approving and rejecting is for a warranty clerk or an admin; submitting, withdrawing and
reopening for anyone who works on claims (technician, service manager, clerk, admin). Only a
draft is edited; a submitted claim is withdrawn first, so what the manufacturer saw is what
the clerk decided on.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.errors import PermissionDenied
from carvrooom_desktop.warranty.errors import InvalidTransition

PART_CATEGORIES = (
    "ignition_coil", "oxygen_sensor", "catalytic_converter", "thermostat", "alternator", "fuel_pump", "water_pump",
    "transmission_solenoid", "abs_sensor", "body_corrosion",
)
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # 17 characters, never I, O or Q
DTC_PATTERN = re.compile(r"^[PCBU][0-3][0-9A-F]{3}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


CLAIM_WORKERS = frozenset({Role.TECHNICIAN, Role.SERVICE_MANAGER, Role.WARRANTY_CLERK, Role.ADMIN})
DECIDERS = frozenset({Role.WARRANTY_CLERK, Role.ADMIN})

# (from, to) -> (the action's name, the roles that may do it)
TRANSITIONS: dict[tuple[ClaimStatus, ClaimStatus], tuple[str, frozenset[Role]]] = {
    (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED): ("submit", CLAIM_WORKERS),
    (ClaimStatus.SUBMITTED, ClaimStatus.DRAFT): ("withdraw", CLAIM_WORKERS),
    (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED): ("approve", DECIDERS),
    (ClaimStatus.SUBMITTED, ClaimStatus.REJECTED): ("reject", DECIDERS),
    (ClaimStatus.REJECTED, ClaimStatus.DRAFT): ("reopen", CLAIM_WORKERS),
}


def check_transition(current: ClaimStatus, target: ClaimStatus, role: Role | str, claim_id: str = "") -> str:
    """The action's name when ``role`` may move a claim from ``current`` to ``target``; raises otherwise.

    ``PermissionDenied`` names the role and who may do it; ``InvalidTransition`` names the
    statuses and the way there.
    """
    role = Role(role)
    what = f"claim {claim_id}" if claim_id else "the claim"
    step = TRANSITIONS.get((ClaimStatus(current), ClaimStatus(target)))
    if step is None:
        ways = [f"{to.value} ({name})" for (frm, to), (name, _) in TRANSITIONS.items() if frm == current]
        raise InvalidTransition(f"{what} is {current.value}; it cannot become {target.value}"
                                + (f" (from {current.value} it can go to: {', '.join(ways)})" if ways else " (a final status)"))
    name, roles = step
    if role not in roles:
        who = " or ".join(sorted(r.value for r in roles))
        raise PermissionDenied(f"a {role.value} may not {name} warranty claims; ask a {who} (Settings: role)")
    return name


def check_editable(status: ClaimStatus, claim_id: str = "") -> None:
    if status is not ClaimStatus.DRAFT:
        what = f"claim {claim_id}" if claim_id else "the claim"
        raise InvalidTransition(f"{what} is {status.value}; only a draft is edited (withdraw or reopen it first)")


@dataclass(frozen=True, slots=True)
class WarrantyClaim:
    """One claim. ``id`` is the store's UUID (None before it is saved); ``claim_id`` the portal's number."""

    claim_id: str
    vin: str
    claim_date: date
    part_category: str
    repair_date: date | None = None
    in_service_date: date | None = None
    odometer_km: float | None = None  # odometer in
    odometer_out_km: float | None = None
    complaint: str = ""
    cause: str = ""
    correction: str = ""
    dtcs: tuple[str, ...] = ()
    freeze_frames: tuple[dict[str, Any], ...] = ()
    part_number: str = ""
    labour_op: str = ""
    dealer_id: str = ""
    amount_cents: int = 0
    attachments: tuple[dict[str, Any], ...] = ()  # {"name", "sha256", "kind", "size"}
    recording_id: uuid.UUID | None = None
    recording_sha256: str = ""
    trace_fingerprint: dict[str, Any] | None = field(default=None, compare=False, repr=False)  # warranty/traces.py
    claim_type: str = "standard"
    status: ClaimStatus = ClaimStatus.DRAFT
    status_note: str = ""
    decided_by: str = ""
    id: uuid.UUID | None = None
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # room for what a caller wants to carry along

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents).scaleb(-2)

    @property
    def failure_date(self) -> date:
        """The date coverage is judged on: the repair, else the claim."""
        return self.repair_date or self.claim_date

    @property
    def text(self) -> str:
        """Complaint, cause and correction: what the similarity of two claims is measured on."""
        return " ".join(t for t in (self.complaint, self.cause, self.correction) if t)

    def order_key(self) -> tuple[date, str]:
        """Which of two claims came first (by date, then by claim number)."""
        return (self.claim_date, self.claim_id)

    def with_changes(self, **changes: Any) -> WarrantyClaim:
        return replace(self, **changes)


def cents(text: str) -> int:
    """``"123.45"`` -> 12345; raises ValueError for anything but a non-negative amount with at most 2 decimals."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as e:
        raise ValueError(f"{text!r} is not an amount such as 123.45") from e
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{text!r} is not an amount such as 123.45")
    return int(value.scaleb(2))


__all__ = [
    "CLAIM_WORKERS", "DECIDERS", "DTC_PATTERN", "PART_CATEGORIES", "SHA256_PATTERN", "TRANSITIONS", "VIN_PATTERN",
    "ClaimStatus", "WarrantyClaim", "cents", "check_editable", "check_transition",
]
