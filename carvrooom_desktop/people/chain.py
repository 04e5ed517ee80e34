"""The audit chain's hashing: RFC 8785 canonical JSON of every field of an entry, SHA-256.

``entry_hash = sha256(JCS({origin, seq, at, actor, action, outcome, record, before, after, prev}))``;
``before``/``after`` are themselves stored as canonical JSON text, and hashed as that text, so
verifying a million entries needs no JSON parsing. A checkpoint signs JCS({origin, count, head,
signed_at, key_id}) with the workstation's Ed25519 key.
"""

from __future__ import annotations

import hashlib
import re
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


# Characters RFC 8785 (ES6 JSON.stringify) writes escaped: controls, quote, backslash; lone surrogates it refuses.
_ESCAPED = re.compile(r'[\x00-\x1f"\\\ud800-\udfff]')


def _string(text: str) -> str:
    return f'"{text}"' if _ESCAPED.search(text) is None else rfc8785.dumps(text).decode()


def entry_document(origin: str, seq: int, at: str, actor: str, action: str, outcome: str, record: str,
                   before: str, after: str, prev_hash: str) -> bytes:
    """RFC 8785 JSON of an entry, written directly: keys in their sorted order, strings that need no escape
    as they are (the rest through ``rfc8785``). Byte-identical to ``rfc8785.dumps`` of the same dict (tested
    with hypothesis), and ~5x faster, which is what lets ``audit verify`` check a million entries quickly."""
    s = _string
    return (f'{{"action":{s(action)},"actor":{s(actor)},"after":{s(after)},"at":{s(at)},"before":{s(before)},'
            f'"origin":{s(origin)},"outcome":{s(outcome)},"prev":{s(prev_hash)},"record":{s(record)},'
            f'"seq":{int(seq)}}}').encode()


def entry_hash(origin: str, seq: int, at: str, actor: str, action: str, outcome: str, record: str,
               before: str, after: str, prev_hash: str) -> str:
    return hashlib.sha256(entry_document(origin, seq, at, actor, action, outcome, record, before, after, prev_hash)).hexdigest()


def checkpoint_message(origin: str, count: int, head_hash: str, signed_at: str, key_id: str) -> bytes:
    return rfc8785.dumps({"origin": origin, "count": count, "head": head_hash, "signed_at": signed_at, "key_id": key_id})


__all__ = ["GENESIS", "canonical", "checkpoint_message", "entry_hash", "now_text", "scrub"]
