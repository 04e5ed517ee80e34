"""Checking the audit trail: every chain link, every checkpoint signature, and the keyring's last head.

What each tampering looks like here:

- a row edited by SQL: its content no longer hashes to its ``entry_hash`` ("was edited");
- a row deleted from the middle: ``seq`` jumps ("is missing");
- a forged row (inserted, or edited with a recomputed hash): the next entry's ``prev_hash`` or
  the covering checkpoint no longer matches ("does not follow", "does not match checkpoint");
- a deleted tail: a checkpoint (or the keyring's high-water mark) counts more entries than exist;
- a swapped or forged checkpoint: its signature fails, its key is not the workstation's, or its
  head is not the chain's hash at that count.

The first problem in chain order is named; the rest are listed after it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, select

from carvrooom_desktop.people import chain
from carvrooom_desktop.people.signing import Signer, key_id_of, public_hex, signature_valid
from carvrooom_desktop.storage.people_models import AuditCheckpointRow, AuditKeyRow

_checkpoints = AuditCheckpointRow.__table__
_keys = AuditKeyRow.__table__
BATCH = 20_000


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    chains: int = 0
    problems: list[str] = field(default_factory=list)
    unsigned_tail: dict[str, int] = field(default_factory=dict)  # origin -> entries after its last checkpoint
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> str | None:
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        if self.ok:
            return (f"audit trail intact: {self.entries} entries in {self.chains} chain(s), "
                    f"{self.checkpoints} signed checkpoint(s) verified")
        return f"audit trail TAMPERED: {self.first_problem}" + (f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else "")

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "checkpoints": self.checkpoints, "chains": self.chains,
                "first_problem": self.first_problem, "problems": self.problems, "unsigned_tail": self.unsigned_tail,
                "notes": self.notes}


def verify_trail(engine: Engine, *, local_origin: str = "", signer: Signer | None = None,
                 progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    report = VerifyReport()
    with engine.connect() as conn:
        keys = {r.key_id: SimpleNamespace(**r._mapping) for r in conn.execute(select(_keys))}
        cps: dict[str, dict[int, Any]] = defaultdict(dict)
        for row in conn.execute(select(_checkpoints)):
            cp = SimpleNamespace(**row._mapping)  # a Row's .count is tuple.count
            cps[cp.origin][cp.count] = cp
        total = conn.exec_driver_sql("SELECT count(*) FROM audit_entries").scalar_one()
        heads = _walk_chains(conn, {o: set(c) for o, c in cps.items()}, report, total, progress)
    report.checkpoints = sum(len(c) for c in cps.values())
    for origin in sorted(set(heads) | set(cps)):
        length, at_count = heads.get(origin, (0, {}))
        _check_checkpoints(origin, length, at_count, cps.get(origin, {}), keys, report)
        signed = max(cps.get(origin, {}).keys(), default=0)
        if length > signed:
            report.unsigned_tail[origin] = length - signed
    _check_local(local_origin, signer, heads, keys, report)
    return report


def _walk_chains(conn: Any, wanted: dict[str, set[int]], report: VerifyReport, total: int,
                 progress: Callable[[int, int], None] | None) -> dict[str, tuple[int, dict[int, str]]]:
    """Each origin's length and its hashes at the checkpointed counts; chain problems into ``report``."""
    sha, document = hashlib.sha256, chain.entry_document
    result: dict[str, tuple[int, dict[int, str]]] = {}
    cursor = conn.exec_driver_sql(
        "SELECT origin, seq, at, actor, action, outcome, record, before, after, prev_hash, entry_hash "
        "FROM audit_entries ORDER BY origin, seq")
    origin: str | None = None
    expected, prev = 1, chain.GENESIS
    at_count: dict[int, str] = {}
    want: set[int] = set()
    done = 0
    while rows := cursor.fetchmany(BATCH):
        for o, seq, at, actor, action, outcome, record, before, after, prev_hash, stored in rows:
            if o != origin:
                if origin is not None:
                    result[origin] = (expected - 1, at_count)
                origin, expected, prev, at_count, want = o, 1, chain.GENESIS, {}, wanted.get(o, set())
                report.chains += 1
            if seq != expected:
                missing = f"#{expected}" if seq == expected + 1 else f"#{expected}..#{seq - 1}"
                report.problems.append(f"entry {missing} of workstation {o[:8]} is missing (deleted): the chain jumps to #{seq}")
            elif prev_hash != prev:
                report.problems.append(f"{_where(o, seq, actor, action, at)} does not follow entry #{seq - 1}: the entry "
                                       "before it was changed, replaced or forged")
            digest = sha(document(o, seq, at, actor, action, outcome, record, before, after, prev_hash)).hexdigest()
            if digest != stored:
                report.problems.append(f"{_where(o, seq, actor, action, at)} was edited after it was written: its content "
                                       "does not match its hash")
            if seq in want:
                at_count[seq] = stored
            prev, expected = stored, seq + 1
        done += len(rows)
        if progress is not None:
            progress(done, total)
    if origin is not None:
        result[origin] = (expected - 1, at_count)
    report.entries = done
    return result


def _where(origin: str, seq: int, actor: str, action: str, at: str) -> str:
    return f"entry #{seq} of workstation {origin[:8]} ({actor}: {action}, {at})"


def _check_checkpoints(origin: str, length: int, at_count: dict[int, str], cps: dict[int, Any], keys: dict[str, Any],
                       report: VerifyReport) -> None:
    for count in sorted(cps):
        cp = cps[count]
        key = keys.get(cp.key_id)
        label = f"checkpoint at #{count} of workstation {origin[:8]}"
        if key is None or key.origin != origin:
            report.problems.append(f"{label} is signed by key {cp.key_id}, which is not this workstation's key (forged checkpoint)")
            continue
        message = chain.checkpoint_message(origin, count, cp.head_hash, cp.signed_at, cp.key_id)
        if not signature_valid(key.public_key, cp.signature, message):
            report.problems.append(f"{label}: its signature does not verify (the checkpoint was edited or swapped)")
        elif count > length:
            report.problems.append(f"the tail of workstation {origin[:8]}'s chain was deleted: {label} vouches for {count} "
                                   f"entries, only {length} are left (entries #{length + 1}..#{count} are gone)")
        elif at_count.get(count) != cp.head_hash:
            report.problems.append(f"entry #{count} of workstation {origin[:8]} does not match the signed {label}: "
                                   "an entry up to it was replaced or forged (or the checkpoint swapped)")
    mine = [k for k in keys.values() if k.origin == origin]
    if len(mine) > 1:
        report.problems.append(f"workstation {origin[:8]} has {len(mine)} checkpoint keys: a key was added behind the app's back")


def _check_local(origin: str, signer: Signer | None, heads: dict[str, tuple[int, dict[int, str]]], keys: dict[str, Any],
                 report: VerifyReport) -> None:
    """This workstation's keyring knows its own key and its newest signed head, outside the database."""
    if not origin or signer is None:
        return
    remembered = signer.remembered_head()
    length = heads.get(origin, (0, {}))[0]
    if remembered is not None and remembered[0] > length:
        report.problems.append(f"the tail of this workstation's chain was deleted: the keyring's last signed head is entry "
                               f"#{remembered[0]}, the database ends at #{length}")
    from carvrooom_desktop.config.secret_store import get_secret
    from carvrooom_desktop.people.signing import key_secret_name

    if get_secret(key_secret_name(origin)) is None:
        report.notes.append("no checkpoint key in this keyring: checkpoints of this workstation cannot be made or checked locally")
        return
    key = signer.key()
    if key is not None:
        own = key_id_of(public_hex(key))
        for k in keys.values():
            if k.origin == origin and k.key_id != own:
                report.problems.append(f"the database holds key {k.key_id} for this workstation, not the keyring's key {own} "
                                       "(a key was swapped)")


__all__ = ["VerifyReport", "verify_trail"]
