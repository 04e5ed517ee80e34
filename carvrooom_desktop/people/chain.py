"""The audit chain's hashing: RFC 8785 canonical JSON of every field of an entry, SHA-256.

``entry_hash = sha256(JCS({origin, seq, at, actor, action, outcome, record, before, after, prev}))``;
``before``/``after`` are themselves stored as canonical JSON text, and hashed as that text, so
verifying a million entries needs no JSON parsing. A checkpoint signs JCS({origin, count, head,
signed_at, key_id}) with the workstation's Ed25519 key.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import rfc8785

GENESIS = "0" * 64
SECRET_WORDS = ("password", "secret", "token", "private", "api_key", "hash")


def scrub(value: Any) -> Any:
    """A copy with every password/secret/token/hash field replaced: such values never reach the trail."""
    if isinstance(value, dict):
        return {str(k): "[redacted]" if any(w in str(k).lower() for w in SECRET_WORDS) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def canonical(value: Any) -> str:
    return rfc8785.dumps(scrub(value)).decode()


def now_text(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(origin: str, seq: int, at: str, actor: str, action: str, outcome: str, record: str,
               before: str, after: str, prev_hash: str) -> str:
    document: dict[str, str | int] = {"origin": origin, "seq": seq, "at": at, "actor": actor, "action": action, "outcome": outcome,
                "record": record, "before": before, "after": after, "prev": prev_hash}
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def checkpoint_message(origin: str, count: int, head_hash: str, signed_at: str, key_id: str) -> bytes:
    return rfc8785.dumps({"origin": origin, "count": count, "head": head_hash, "signed_at": signed_at, "key_id": key_id})


__all__ = ["GENESIS", "canonical", "checkpoint_message", "entry_hash", "now_text", "scrub"]
