"""The warranty clerk's desk: what the Warranty page asks of the core, in one Qt-free object.

Every method is blocking store work; the page runs them on its worker thread. Checks go through
``StoreHistory`` (exact look-ups in SQL, as ``warranty check`` does); similar claims through the
ChromaDB index beside the store, opened on first use and refreshed with the store's new and edited
claims. When another process holds the index the desk says so instead of waiting on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carvrooom_desktop.domain.roles import Role
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
                 workshop: Mapping[str, str] | None = None) -> None:
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

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    # -- claims ----------------------------------------------------------------------------------

    def lines(self, status: str = "", text: str = "") -> list[ClaimLine]:
        """The newest claims (up to LIST_LIMIT) with their checks; ``text`` matches claim number, VIN, part or dealer."""
        claims = self.repo.list(status=status or None)
        needle = text.strip().lower()
        if needle:
            claims = [c for c in claims if needle in " ".join((c.claim_id, c.vin, c.part_category, c.dealer_id)).lower()]
        newest = sorted(claims, key=lambda c: c.order_key(), reverse=True)[:LIST_LIMIT]
        return [ClaimLine(c, self._checker.check(c)) for c in newest]

    def line(self, claim_pk: uuid.UUID) -> ClaimLine:
        claim = self.repo.get(claim_pk)
        return ClaimLine(claim, self._checker.check(claim))

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

    def move(self, claim: WarrantyClaim, target: ClaimStatus, role: Role | str, note: str = "") -> ClaimLine:
        assert claim.id is not None
        self.repo.set_status(claim.id, target, role, note=note, expected_version=claim.version)
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
            except Exception:  # a claim deleted since it was indexed: skip it, the next refresh drops it
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


def part_categories() -> Sequence[str]:
    from carvrooom_desktop.warranty.claim import PART_CATEGORIES

    return PART_CATEGORIES


__all__ = ["LIST_LIMIT", "ClaimLine", "SimilarLine", "WarrantyDesk", "part_categories"]
