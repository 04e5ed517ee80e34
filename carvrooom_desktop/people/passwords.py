"""Password hashing: Argon2id through argon2-cffi, never a password kept or logged.

The parameters: Argon2id, 46 MiB, t=2, p=1 — OWASP's first recommended configuration (46 MiB, t=1)
with a second pass, so both memory and time are above OWASP's floor (19 MiB, t=2, p=1). One lane:
argon2-cffi's default profile (64 MiB, t=3, p=4) measured 0.16 s idle but 0.48 s on the shared
2-core machines under load (its four lanes want four cores), too close to the 0.5 s budget; this
one measured ~0.12 s idle (``benchmarks/bench_people.py``). A stored hash made with other parameters
still verifies and is re-hashed with these at the next good sign-in (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from carvrooom_desktop.errors import InvalidRequest

OWASP_MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}  # KiB, iterations, lanes
MIN_LENGTH = 8  # NIST SP 800-63B; long passphrases are welcome (no upper limit but 1024 characters)

_hasher = PasswordHasher(time_cost=2, memory_cost=46 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)


def hasher() -> PasswordHasher:
    return _hasher


def check_policy(password: str) -> None:
    """A password the user chose: long enough, not absurdly long. The message never repeats it."""
    if len(password) < MIN_LENGTH:
        raise InvalidRequest(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > 1024:
        raise InvalidRequest("a password may have at most 1024 characters")


def hash_password(password: str, ph: PasswordHasher | None = None) -> str:
    return (ph or _hasher).hash(password)


def verify_password(stored_hash: str, password: str, ph: PasswordHasher | None = None) -> bool:
    try:
        return (ph or _hasher).verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, ph: PasswordHasher | None = None) -> bool:
    try:
        return (ph or _hasher).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


DUMMY_HASH = ""  # made on first use: a sign-in for an unknown name costs as much as a wrong password


def burn_time(password: str) -> None:
    global DUMMY_HASH
    if not DUMMY_HASH:
        DUMMY_HASH = _hasher.hash("not a real password")
    verify_password(DUMMY_HASH, password)


__all__ = ["MIN_LENGTH", "OWASP_MINIMUM", "burn_time", "check_policy", "hash_password", "hasher", "needs_rehash", "verify_password"]
