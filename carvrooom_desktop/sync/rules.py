"""Conflict rules, one per table (and per field where a table needs it), and the merge itself.

The merge runs on the server side of a push (sync/server.py), field by field, with the row
locked. A field of an incoming change is *stale* when the server changed that field after
the version the workstation's edit was made on (``base``). Then:

- **last writer (HLC)** — the default (notes, vehicles, recordings, verdicts, ...): the change
  with the larger (hybrid logical clock, workstation id) stamp wins, whether stale or not.
  A causally later edit always has the larger stamp, a skewed wall clock notwithstanding.
- **server wins** — bookings: a stale edit is dropped; the server's booking stays and comes
  back to the workstation. A booking that the shared database's exclusion constraint refuses
  is stored as ``status = 'rejected'`` with the constraint's reason, so everybody sees it
  was refused, and the workstation that made it gets an open conflict to act on.
- **ask the user** — business fields two people must not overwrite silently (a job's status,
  promise time and labour hours; every field of a warranty claim): a stale edit with a
  different value is not applied; it goes to the conflict list with both values; fields of
  the same change that nobody else touched are applied.
- **deletes are tombstones and win** (``deleted``): a delete always applies; an undelete
  applies only if it was made after seeing the delete (not stale).

A change the database refuses for another reason (a constraint, a missing parent) is
``rejected``: nothing is written, the workstation keeps its version in the conflict list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from carvrooom_desktop.storage.sync_tables import SyncedTable
from carvrooom_desktop.sync.hlc import stamp_key
from carvrooom_desktop.sync.values import comparable, jsonable

APPLIED, MERGED, KEPT_SERVER, CONFLICT, REJECTED, DUPLICATE = "applied", "merged", "kept_server", "conflict", "rejected", "duplicate"
DELETED = "deleted"


class Resolution(StrEnum):
    LAST_WRITER = "last writer by hybrid logical clock"
    SERVER_WINS = "server wins"
    ASK = "conflict list (the user decides)"


@dataclass(frozen=True)
class TableRule:
    default: Resolution = Resolution.LAST_WRITER
    fields: Mapping[str, Resolution] = field(default_factory=dict)
    reject_as: Mapping[str, Any] | None = None  # a refused insert is stored with these values instead
    reason_column: str | None = None  # ... and the database's reason in this column
    why: str = ""

    def resolution(self, name: str) -> Resolution:
        return self.fields.get(name, self.default)


_JOB_BUSINESS = {name: Resolution.ASK for name in ("status", "promised_at", "labour_hours")}

RULES: dict[str, TableRule] = {
    "workshop_bookings": TableRule(
        Resolution.SERVER_WINS, reject_as={"status": "rejected"}, reason_column="reason",
        why="the shared database decides who has a bay; a refused booking is kept as 'rejected' for the user to rebook",
    ),
    "workshop_jobs": TableRule(
        Resolution.LAST_WRITER, _JOB_BUSINESS,
        why="two service managers changing a job's status, promise or hours must agree; other fields: last writer",
    ),
    "warranty_claims": TableRule(Resolution.ASK, why="a claim edited by two clerks goes to the conflict list"),
    "claims": TableRule(Resolution.ASK, why="a claim edited by two clerks goes to the conflict list"),
    # Alerts (issue 14): the first acknowledgement / resolution that reaches the shared database stands
    # (PagerDuty's "acknowledged by"); the state column is read back as the furthest of state and the
    # who/when columns (alerts/store.py), so a late stale 'acknowledged' never reopens a resolved alert.
    "alerts": TableRule(
        Resolution.LAST_WRITER,
        {name: Resolution.SERVER_WINS for name in ("acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at")},
        why="the first acknowledgement or resolution to reach the shared database stands; the state only moves forward",
    ),
}
DEFAULT_RULE = TableRule(why="last writer by hybrid logical clock, field by field")


def rule_for(table: str) -> TableRule:
    return RULES.get(table, DEFAULT_RULE)


@dataclass(frozen=True, slots=True)
class FieldChange:
    hlc: int
    base: int | None  # the server version the edit was made on; None = never saw the server's row


@dataclass
class Incoming:
    values: dict[str, Any] | None  # the row as the workstation has it now (server-typed); None = gone there
    fields: dict[str, FieldChange]  # the fields of changes the server has not applied yet ("*" = all)
    origin: str
    local_version: int = 1


@dataclass
class Current:
    values: dict[str, Any]
    version: int
    hlc: int = 0
    stamps: dict[str, list[Any]] = field(default_factory=dict)  # field ("*" = the insert) -> [hlc, origin, version]

    def stamp(self, name: str) -> tuple[int, str, int]:
        s = self.stamps.get(name) or self.stamps.get("*") or [0, "", self.version]
        return int(s[0]), str(s[1]), int(s[2])


@dataclass
class Decision:
    outcome: str
    insert: bool = False
    write: dict[str, Any] = field(default_factory=dict)  # the columns to write (the whole row for an insert)
    version: int = 0
    hlc: int = 0
    stamps: dict[str, list[Any]] = field(default_factory=dict)
    detail: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return bool(self.write)


def aggregate(t: SyncedTable, entries: list[tuple[tuple[str, ...] | None, int, int | None]]) -> dict[str, FieldChange]:
    """Per field, from outbox entries ``(fields or None for all, hlc, base)``: the newest stamp, the oldest base."""
    out: dict[str, FieldChange] = {}
    for fields, hlc, base in entries:
        for name in t.fields if fields is None else fields:
            if name not in t.fields:
                continue
            prev = out.get(name)
            out[name] = FieldChange(hlc, base) if prev is None else FieldChange(
                max(prev.hlc, hlc), None if prev.base is None or base is None else min(prev.base, base))
    return out


def _b(base: int | None) -> int:
    return -1 if base is None else base


def merge(t: SyncedTable, current: Current | None, inc: Incoming) -> Decision:
    """What to write for one incoming row change (``inc.fields`` from :func:`aggregate`)."""
    top = max((c.hlc for c in inc.fields.values()), default=0)
    if current is None:
        if inc.values is None:  # created and deleted before the server ever saw it
            return Decision(APPLIED)
        version = max(1, inc.local_version)
        row = dict(inc.values) | {"version": version}
        return Decision(APPLIED, insert=True, write=row, version=version, hlc=top,
                        stamps={"*": [top, inc.origin, version]})
    rule = rule_for(t.name)
    applied: dict[str, Any] = {}
    asked: list[str] = []
    kept: list[str] = []
    lost = 0
    for name, change in inc.fields.items():
        if inc.values is None and name != DELETED:
            continue  # deleted on the workstation: only the tombstone travels
        new = True if inc.values is None else inc.values.get(name)
        old = current.values.get(name)
        s_hlc, s_origin, s_version = current.stamp(name)
        stale = s_version > _b(change.base)
        if name == DELETED:
            if new or not stale:
                applied[name] = new
            elif comparable(new) != comparable(old):
                kept.append(name)
            continue
        resolution = rule.resolution(name)
        if resolution is Resolution.LAST_WRITER:
            if stamp_key(change.hlc, inc.origin) > stamp_key(s_hlc, s_origin):
                applied[name] = new
            else:
                lost += 1
        elif not stale:
            applied[name] = new
        elif comparable(new) != comparable(old):
            (asked if resolution is Resolution.ASK else kept).append(name)
    stamps = {k: list(v) for k, v in current.stamps.items()}
    decision = Decision(APPLIED, version=current.version, hlc=current.hlc, stamps=stamps)
    if applied:
        version = max(current.version + 1, inc.local_version)
        write = dict(applied) | {"version": version}
        if inc.values is not None and inc.values.get("updated_at") is not None:
            write["updated_at"] = inc.values["updated_at"]
        for name in applied:
            stamps[name] = [inc.fields[name].hlc, inc.origin, version]
        decision.write, decision.version, decision.hlc = write, version, max(current.hlc, top)
    if asked:
        decision.outcome = CONFLICT
        decision.detail = _detail(asked, inc, current, "changed on the server by someone else since you last synced")
    elif kept:
        decision.outcome = KEPT_SERVER
        why = ("deleted on the server: a delete wins over an edit made without seeing it" if kept == [DELETED]
               else f"{rule.resolution(kept[0])}: the server's values were kept")
        decision.detail = _detail(kept, inc, current, why)
    elif lost:
        decision.outcome = MERGED  # some fields lost to later writes elsewhere (last writer wins): not an error
    return decision


def _detail(names: list[str], inc: Incoming, current: Current, reason: str) -> dict[str, Any]:
    mine = {n: jsonable(inc.values.get(n) if inc.values is not None else (n == DELETED or None)) for n in names}
    return {"fields": names, "mine": mine, "theirs": {n: jsonable(current.values.get(n)) for n in names}, "reason": reason}


def rejected_replacement(t: SyncedTable, inc: Incoming, reason: str) -> dict[str, Any] | None:
    """What a refused insert is stored as instead (bookings: the same row, status 'rejected'), or None."""
    rule = rule_for(t.name)
    if rule.reject_as is None or inc.values is None:
        return None
    row = dict(inc.values) | dict(rule.reject_as)
    if rule.reason_column:
        row[rule.reason_column] = reason[:2000]
    return row


__all__ = [
    "APPLIED", "CONFLICT", "Current", "DEFAULT_RULE", "DUPLICATE", "Decision", "FieldChange", "Incoming", "KEPT_SERVER",
    "MERGED", "REJECTED", "RULES", "Resolution", "TableRule", "aggregate", "merge", "rejected_replacement", "rule_for",
]
