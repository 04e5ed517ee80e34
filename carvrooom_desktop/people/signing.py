"""The workstation's checkpoint key: Ed25519, private half in the OS keyring, public half in the database.

The keyring also keeps the newest checkpoint this workstation signed (its "high-water mark"), so a
deleted tail *with* its checkpoints is still noticed here: the database alone cannot vouch for its
own end (Certificate Transparency's lesson: a signed head must be kept outside the log).
Without a keyring nothing is signed (and ``audit verify`` says so); a key is never written to a file.
"""

from __future__ import annotations

import hashlib
import logging

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from carvrooom_desktop.config.secret_store import get_secret, set_secret
from carvrooom_desktop.errors import SecretStoreUnavailable

log = logging.getLogger(__name__)


def key_secret_name(origin: str) -> str:
    return f"audit-signing-key:{origin}"


def head_secret_name(origin: str) -> str:
    return f"audit-head:{origin}"


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_id_of(public_key_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


class Signer:
    """Loads (or makes, once) the private key of ``origin`` from the keyring; ``None`` without a keyring."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._key: Ed25519PrivateKey | None = None
        self._warned = False

    def key(self) -> Ed25519PrivateKey | None:
        if self._key is not None:
            return self._key
        stored = get_secret(key_secret_name(self.origin))
        if stored:
            self._key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(stored))
            return self._key
        fresh = Ed25519PrivateKey.generate()
        raw = fresh.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
        try:
            set_secret(key_secret_name(self.origin), raw)
        except SecretStoreUnavailable as e:
            if not self._warned:
                log.info("audit checkpoints are not signed: %s", e)  # `audit verify` says so too
                self._warned = True
            return None
        self._key = fresh
        return fresh

    def sign(self, message: bytes) -> str:
        key = self.key()
        assert key is not None
        return key.sign(message).hex()

    def remember_head(self, count: int, head_hash: str) -> None:
        try:
            set_secret(head_secret_name(self.origin), f"{count} {head_hash}")
        except SecretStoreUnavailable:
            pass

    def remembered_head(self) -> tuple[int, str] | None:
        stored = get_secret(head_secret_name(self.origin))
        if not stored:
            return None
        count, _, head = stored.partition(" ")
        return int(count), head


def signature_valid(public_key_hex: str, signature_hex: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


__all__ = ["Signer", "head_secret_name", "key_id_of", "key_secret_name", "public_hex", "signature_valid"]
