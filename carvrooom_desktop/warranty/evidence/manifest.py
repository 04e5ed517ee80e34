"""The pack's manifest, its seal, and the check behind ``carvrooom warranty verify``.

Three layers, each catching what the one before cannot:

1. **Manifest** (``manifest.json``, embedded and printed on the last page): the SHA-256 and size of
   every embedded item and of the recording's data, and ``manifest_sha256``, the SHA-256 of the
   manifest's canonical JSON (RFC 8785) without that field.
2. **Items**: every embedded file hashes to its manifest entry; no entry is missing, none is extra.
3. **Seal**: the pack ends with one line, ``%CARVROOOM-SEAL sha256=<hex>``, the SHA-256 of every
   byte before it. PDF readers ignore a comment after ``%%EOF``, so the pack stays an ordinary PDF,
   and any changed, added or removed byte anywhere (the seal line included) fails the check.

A pack sealed again by someone who changed it passes 3 but not 1-2 unless they also rewrote the
manifest, and then the printed manifest, the claim's recorded ``recording_sha256`` and the store
(``verify --db``: the recording's data hashed again) still disagree. Signing the seal with the
workshop's key is the audit issue's Ed25519 checkpoint; this module needs no key.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carvrooom_desktop.warranty.errors import EvidencePackError
from carvrooom_desktop.warranty.evidence.contents import ExternalItem, PackItem, canonical_json

FORMAT = "carvrooom-evidence-pack/1"
MANIFEST_NAME = "manifest.json"
SEAL_PREFIX = b"%CARVROOOM-SEAL sha256="
_SEAL = re.compile(rb"%CARVROOOM-SEAL sha256=([0-9a-f]{64})\n\Z")
VERIFY_COMMAND = "carvrooom warranty verify PACK.pdf --data"


def build_manifest(claim_id: str, items: Sequence[PackItem], external: Sequence[ExternalItem]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format": FORMAT,
        "claim_id": claim_id,
        "items": [{"name": i.name, "kind": i.kind, "sha256": i.sha256, "size": len(i.data), "embedded": True} for i in items]
        + [{"name": e.name, "kind": e.kind, "sha256": e.sha256, "size": e.size, "embedded": False, "ref": e.ref}
           for e in external],
        "verify": VERIFY_COMMAND,
    }
    body["manifest_sha256"] = manifest_digest(body)
    return body


def manifest_digest(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json({k: v for k, v in manifest.items() if k != "manifest_sha256"})).hexdigest()


def seal(pdf: bytes) -> bytes:
    if not pdf.endswith(b"\n"):
        pdf += b"\n"
    return pdf + SEAL_PREFIX + hashlib.sha256(pdf).hexdigest().encode() + b"\n"


@dataclass
class Verification:
    """What ``verify`` found: ``ok`` only when every check passed and nothing was left unchecked by request."""

    path: str
    claim_id: str = ""
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (check, passed, detail)
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(passed for _, passed, _ in self.checks)

    @property
    def problems(self) -> list[str]:
        return [f"{name}: {detail}" for name, passed, detail in self.checks if not passed]

    def add(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append((name, passed, detail))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "claim_id": self.claim_id, "ok": self.ok,
                "checks": [{"check": n, "passed": p, "detail": d} for n, p, d in self.checks], "unchecked": self.unchecked}


RecordingHasher = Callable[[str], "tuple[str, int] | None"]  # recording UUID -> (sha256, size), None when not in the store


def verify_pack(data: bytes, path: str = "PACK.pdf", *, recording_hash: RecordingHasher | None = None) -> Verification:
    """Every check on a pack's bytes; ``recording_hash`` (from a store) also hashes the recording again."""
    result = Verification(path)
    if not data.startswith(b"%PDF-"):
        raise EvidencePackError(f"{path} is not a PDF (it does not start with %PDF-)")
    m = _SEAL.search(data)
    if m is None:
        result.add("seal", False, "the pack does not end with its %CARVROOOM-SEAL line: bytes were added after it, "
                                  "or it was never sealed")
    else:
        body = data[: m.start()]
        actual = hashlib.sha256(body).hexdigest()
        expected = m.group(1).decode()
        result.add("seal", actual == expected,
                   f"SHA-256 of the pack {actual}" + ("" if actual == expected else f" (the seal says {expected}): a byte changed"))
    attachments = _attachments(data, result)
    if attachments is None:
        return result
    raw = attachments.pop(MANIFEST_NAME, None)
    if raw is None:
        result.add("manifest", False, f"the pack has no embedded {MANIFEST_NAME}")
        return result
    try:
        manifest = json.loads(raw)
        entries = list(manifest["items"])
    except (ValueError, KeyError, TypeError) as e:
        result.add("manifest", False, f"{MANIFEST_NAME} does not read: {e}")
        return result
    result.claim_id = str(manifest.get("claim_id", ""))
    digest = manifest_digest(manifest)
    result.add("manifest", digest == manifest.get("manifest_sha256"),
               f"manifest SHA-256 {digest}" + ("" if digest == manifest.get("manifest_sha256")
                                                else f" (it says {manifest.get('manifest_sha256')}): the manifest was edited"))
    for entry in entries:
        name = str(entry.get("name"))
        if not entry.get("embedded"):
            _check_external(entry, recording_hash, result)
            continue
        blob = attachments.pop(name, None)
        if blob is None:
            result.add(f"item {name}", False, "listed in the manifest but not embedded in the pack")
            continue
        got = hashlib.sha256(blob).hexdigest()
        result.add(f"item {name}", got == entry.get("sha256") and len(blob) == entry.get("size"),
                   f"{len(blob):,} bytes, SHA-256 {got}" + ("" if got == entry.get("sha256") else f" (manifest: {entry.get('sha256')})"))
    for extra in sorted(attachments):
        result.add(f"item {extra}", False, "embedded in the pack but not in the manifest")
    return result


def _check_external(entry: dict[str, Any], recording_hash: RecordingHasher | None, result: Verification) -> None:
    name = str(entry.get("name"))
    if recording_hash is None or entry.get("kind") != "recording":
        result.unchecked.append(f"{name}: not embedded; give --data to hash it again in the store")
        return
    found = recording_hash(str(entry.get("ref", "")))
    if found is None:
        result.add(f"data {name}", False, "the recording is not in this store")
        return
    sha, size = found
    same = sha == entry.get("sha256") and size == entry.get("size")
    result.add(f"data {name}", same, f"{size:,} bytes in the store, SHA-256 {sha}"
               + ("" if same else f" (the pack says {entry.get('sha256')}, {entry.get('size')} bytes): the recording changed"))


def _attachments(data: bytes, result: Verification) -> dict[str, bytes] | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        found = reader.attachments
        return {name: blobs[0] for name, blobs in found.items() if blobs}
    except Exception as e:  # a damaged pack can fail anywhere inside pypdf's parser: that is a failed check, not a crash
        result.add("pdf", False, f"the PDF structure does not read ({type(e).__name__}: {e}); its embedded items cannot be checked")
        return None


__all__ = ["FORMAT", "MANIFEST_NAME", "SEAL_PREFIX", "VERIFY_COMMAND", "Verification", "build_manifest", "manifest_digest",
           "seal", "verify_pack"]
