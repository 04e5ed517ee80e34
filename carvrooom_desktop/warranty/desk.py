"""The warranty clerk's desk: what the Warranty page asks of the core, in one Qt-free object.

Every method is blocking store work; the page runs them on its worker thread. Checks go through
``StoreHistory`` (exact look-ups in SQL, as ``warranty check`` does); similar claims through the
ChromaDB index beside the store, opened on first use and refreshed with the store's new and edited
claims. When another process holds the index the desk says so instead of waiting on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carvrooom_desktop.domain.roles import Role
from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.events import CLAIM_FLAGGED
from carvrooom_desktop.warranty.claim import ClaimStatus, WarrantyClaim
from carvrooom_desktop.warranty.coverage import CoverageRules, load_rules
from carvrooom_desktop.warranty.signals import ClaimCheck

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store
    from carvrooom_desktop.warranty.evidence.manifest import Verification
    from carvrooom_desktop.warranty.evidence.service import EvidencePack
    from carvrooom_desktop.warranty.similar import SimilarClaims

LIST_LIMIT = 500  # the newest claims the list shows; the CLI's `flags` covers every claim


@dataclass(frozen=True)
class ClaimLine:
    """One row of the claims list: the claim and its checks."""

    claim: WarrantyClaim
    check: ClaimCheck


@dataclass(frozen=True)
class SimilarLine:
    claim: WarrantyClaim
    similarity: float


class WarrantyDesk:
    def __init__(self, store: Store, *, rules: CoverageRules | None = None, index_dir: Path | None = None,
                 workshop: Mapping[str, str] | None = None, publish: Callable[[str, Any], None] | None = None) -> None:
        from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
        from carvrooom_desktop.warranty.history import StoreHistory, StoreReadings
        from carvrooom_desktop.warranty.signals import SignalChecker

        self.store = store
        self.rules = rules or load_rules(None)
        self.repo = WarrantyClaimRepository(store.engine, store.origin)
        self._checker = SignalChecker(StoreHistory(self.repo, StoreReadings(store.engine, store.recordings)), self.rules)
        self._index_dir = index_dir
        self._index: SimilarClaims | None = None
        self._indexed_mark: tuple[int, int, str] | None = None  # the store's claims as the index last saw them
        self.workshop = dict(workshop or {})
        self._publish = publish  # the event bus's publish: flagged claims reach the alert rules

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    # -- claims ----------------------------------------------------------------------------------

    def lines(self, status: str = "", text: str = "") -> list[ClaimLine]:
        """The newest claims (up to LIST_LIMIT) with their checks; ``text`` matches claim number, VIN, part or dealer."""
        newest = self.repo.list(status=status or None, text=text.strip(), newest_first=True, limit=LIST_LIMIT)
        return [ClaimLine(c, self._checker.check(c)) for c in newest]

    def line(self, claim_pk: uuid.UUID) -> ClaimLine:
        """One claim checked again (after it was made, edited or moved); a flagged one is published as
        ``claim.flagged`` for the alert rules (the list's checks are not: they would repeat at every refresh)."""
        claim = self.repo.get(claim_pk)
        line = ClaimLine(claim, self._checker.check(claim))
        if self._publish is not None and line.check.fired:
            self._publish(CLAIM_FLAGGED, line.check.to_dict())
        return line

    def recordings(self) -> list[Any]:
        """Finished recordings a claim can be made from, newest first."""
        return sorted(self.store.recordings.list(), key=lambda r: r.started_at, reverse=True)

    def new_from_recording(self, recording_id: uuid.UUID, part_category: str, **fields: Any) -> ClaimLine:
        from carvrooom_desktop.warranty.from_recording import claim_from_recording

        claim = claim_from_recording(self.store, recording_id, part_category=part_category, repository=self.repo, **fields)
        assert claim.id is not None
        return self.line(claim.id)

    def save(self, claim: WarrantyClaim, **changes: Any) -> ClaimLine:
        assert claim.id is not None
        saved = self.repo.update(claim.id, claim.version, **changes)
        assert saved.id is not None
        return self.line(saved.id)

    def move(self, claim: WarrantyClaim, target: ClaimStatus, who: Any, note: str = "") -> ClaimLine:
        """Submit, withdraw, reopen, approve or reject; ``who`` is the signed-in actor (people.Actor) or a role."""
        assert claim.id is not None
        role, by = decide_as(who, claim, target)
        self.repo.set_status(claim.id, target, role, note=note, expected_version=claim.version, by=by)
        if not isinstance(who, (str, Role)):
            from carvrooom_desktop.people import record_action

            record_action(who, f"claim {target.value}", record=f"warranty claim {claim.claim_id}",
                          before={"status": claim.status.value}, after={"status": target.value, "note": note})
        return self.line(claim.id)

    # -- similar claims (ChromaDB) -------------------------------------------------------------

    def similar(self, claim: WarrantyClaim, n: int = 5) -> list[SimilarLine]:
        """Other cars' claims telling the same story, nearest first (IndexBusy when another process has the index)."""
        index = self._open_index()
        mark = self.repo.change_mark()
        if mark != self._indexed_mark:  # the first look in a session, or claims changed since: bring the index up to date
            index.refresh(self.repo.iter_all())
            self._indexed_mark = mark
        out = []
        for hit in index.similar(claim, n, other_cars_only=True):
            try:
                out.append(SimilarLine(self.repo.find(hit.claim_id), hit.similarity))
            except NotFound:  # deleted on another workstation since this refresh: the next one drops it
                continue
        return out

    def _open_index(self) -> SimilarClaims:
        if self._index is None:
            from carvrooom_desktop.warranty.similar import SimilarClaims, index_dir_for

            path = self._index_dir or index_dir_for(self.store.engine.url.render_as_string(hide_password=True))
            self._index = SimilarClaims(path)
        return self._index

    # -- evidence ------------------------------------------------------------------------------

    def pack(self, claim: WarrantyClaim, issued_on: date | None = None) -> EvidencePack:
        from carvrooom_desktop.warranty.evidence.service import build_pack

        return build_pack(self.store, claim, self.rules, workshop=self.workshop, issued_on=issued_on)

    def export_pack(self, claim: WarrantyClaim, path: str | Path) -> tuple[EvidencePack, Verification]:
        """Write the pack, then verify the written file against the store: what was saved is what was checked."""
        from carvrooom_desktop.warranty.evidence.service import verify_file

        pack = self.pack(claim)
        written = pack.write(path)
        return pack, verify_file(written, self.store)


def decide_as(who: Any, claim: WarrantyClaim, target: ClaimStatus) -> tuple[Role | str, str]:
    """(the role the workflow checks, the name kept on the claim) for ``who``: a role, or a signed-in actor.

    An actor's approve and reject go through ``people.authorize`` (DECIDE_CLAIMS; a refusal is audited), so a
    custom role holding that permission may decide; the other steps are for anyone who works on claims.
    """
    if isinstance(who, (str, Role)):
        return who, ""
    from carvrooom_desktop.domain.roles import Permission
    from carvrooom_desktop.people import authorize

    if target in (ClaimStatus.APPROVED, ClaimStatus.REJECTED):
        authorize(who, Permission.DECIDE_CLAIMS, record=f"warranty claim {claim.claim_id}")
        return Role.WARRANTY_CLERK, str(who.name)
    try:
        return Role(who.role), str(who.name)
    except ValueError:  # a custom role: the workflow's own table names only the built-in ones
        return (Role.WARRANTY_CLERK if who.may(Permission.DECIDE_CLAIMS) else Role.TECHNICIAN), str(who.name)


def part_categories() -> Sequence[str]:
    from carvrooom_desktop.warranty.claim import PART_CATEGORIES

    return PART_CATEGORIES


__all__ = ["LIST_LIMIT", "ClaimLine", "SimilarLine", "WarrantyDesk", "decide_as", "part_categories"]
