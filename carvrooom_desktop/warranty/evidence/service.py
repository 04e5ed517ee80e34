"""Make and verify evidence packs against a store: what the CLI and the Warranty page call."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carvrooom_desktop.errors import NotFound
from carvrooom_desktop.warranty.claim import WarrantyClaim
from carvrooom_desktop.warranty.coverage import CoverageRules
from carvrooom_desktop.warranty.errors import EvidencePackError
from carvrooom_desktop.warranty.evidence.contents import PackContents, gather
from carvrooom_desktop.warranty.evidence.manifest import RecordingHasher, Verification, verify_pack

if TYPE_CHECKING:
    from carvrooom_desktop.storage.store import Store


@dataclass(frozen=True)
class EvidencePack:
    pdf: bytes
    manifest: dict[str, Any]
    contents: PackContents

    def write(self, path: str | Path) -> Path:
        """Written whole to a temporary file and renamed: a crash never leaves half a pack under the name."""
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(self.pdf)
        partial.replace(target)
        return target


def build_pack(store: Store, claim: WarrantyClaim, rules: CoverageRules, *, workshop: Mapping[str, str] | None = None,
               issued_on: date | None = None) -> EvidencePack:
    """The pack for ``claim``: its checks run against the store's history, then gathered and rendered."""
    from carvrooom_desktop.storage.warranty_claims import WarrantyClaimRepository
    from carvrooom_desktop.warranty.evidence.pdf import render_pack
    from carvrooom_desktop.warranty.history import StoreHistory, StoreReadings
    from carvrooom_desktop.warranty.signals import SignalChecker

    history = StoreHistory(WarrantyClaimRepository(store.engine, store.origin), StoreReadings(store.engine, store.recordings))
    check = SignalChecker(history, rules).check(claim)
    contents = gather(store, claim, check, workshop=workshop, issued_on=issued_on)
    pdf, manifest = render_pack(contents)
    return EvidencePack(pdf, manifest, contents)


def store_recording_hasher(store: Store) -> RecordingHasher:
    from carvrooom_desktop.warranty.from_recording import recording_sha256

    def hasher(ref: str) -> tuple[str, int] | None:
        try:
            recording_id = uuid.UUID(ref)
            store.recordings.get(recording_id)
        except (ValueError, NotFound):
            return None
        return recording_sha256(store.engine, recording_id)

    return hasher


def verify_file(path: str | Path, store: Store | None = None) -> Verification:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise EvidencePackError(f"cannot read {path}: {e.strerror or e}") from e
    return verify_pack(data, str(path), recording_hash=store_recording_hasher(store) if store is not None else None)


__all__ = ["EvidencePack", "build_pack", "store_recording_hasher", "verify_file"]
