"""Alerts and their escalation outbox in the store.

Raising is one transaction: the dedupe check, the alert row and every planned step go in
together, so a crash leaves either the alert with all its steps or neither. The dedupe check
and the insert run under a lock, so two threads raising the same finding make one alert.

An alert's id is derived from its key and how many alerts with that key were resolved before
(uuid5): two workstations that raise the same finding on the same car before syncing produce
the same row, which the sync merges field by field instead of showing it twice.

The outbox (``alert_steps``) is worked by claims: ``claim_due`` moves due steps from ``pending``
to ``sending`` with a lease; ``mark_sent`` closes one; ``release`` puts a failed one back with a
later due time and the error. A step still ``sending`` when its lease ran out (its process was
killed mid-send) is claimed again; e-mail carries the step's idempotency key as its Message-ID,
so a mail that did leave before the kill is recognisably the same message.
"""

from __future__ import annotations

import builtins
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from carvrooom_desktop.alerts.model import Alert, AlertCandidate, AlertSeverity, AlertState
from carvrooom_desktop.alerts.policies import PlannedStep
from carvrooom_desktop.errors import InvalidRequest
from carvrooom_desktop.storage.alert_models import AlertRow, AlertStepRow
from carvrooom_desktop.storage.models import VehicleRow

ALERT_NAMESPACE = uuid.UUID("6f1c1f0e-7a11-4c1e-9a1e-a1e27c0ffee1")
LEASE_S = 120.0  # a claim older than this belongs to a process that died


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def effective_state(state: str, acknowledged_at: datetime | None, resolved_at: datetime | None) -> AlertState:
    """The furthest of the state column and the who/when columns: the state never moves back after a merge."""
    s = AlertState(state)
    if resolved_at is not None:
        return AlertState.RESOLVED
    if acknowledged_at is not None and s is AlertState.RAISED:
        return AlertState.ACKNOWLEDGED
    return s


def to_alert(r: Any) -> Alert:
    return Alert(
        id=r.id, rule=r.rule, dedupe_key=r.dedupe_key, severity=AlertSeverity(r.severity), title=r.title, detail=r.detail,
        vin=r.vin, vehicle_id=r.vehicle_id, source=r.source, policy=r.policy,
        state=effective_state(r.state, r.acknowledged_at, r.resolved_at), raised_at=_aware(r.raised_at) or r.raised_at,
        acknowledged_by=r.acknowledged_by, acknowledged_at=_aware(r.acknowledged_at), resolved_by=r.resolved_by,
        resolved_at=_aware(r.resolved_at), note=r.note, facts=dict(r.facts or {}), version=r.version, origin=r.origin,
    )


@dataclass(frozen=True, slots=True)
class StepWork:
    """A claimed step, with what the channel needs to word its message."""

    step_id: int
    idempotency_key: str
    alert: Alert
    level: int
    round: int
    role: str
    channel: str
    due_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class StoredStep:
    step_id: int
    idempotency_key: str
    alert_id: uuid.UUID
    level: int
    round: int
    role: str
    channel: str
    due_at: float
    state: str
    attempts: int
    sent_at: float | None
    recipients: tuple[str, ...]
    last_error: str


_OPEN = and_(AlertRow.state != AlertState.RESOLVED.value, AlertRow.resolved_at.is_(None), AlertRow.deleted.is_(False))
_A = cast(Table, AlertRow.__table__)  # declarative __table__ is typed as FromClause
_S = cast(Table, AlertStepRow.__table__)


class AlertRepository:
    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        self._raise_lock = threading.Lock()

    # -- raising ------------------------------------------------------------------------------------

    def raise_alert(self, c: AlertCandidate, now: float,
                    plan: Callable[[uuid.UUID], Sequence[PlannedStep]] = lambda _id: ()) -> tuple[Alert, bool]:
        """The open alert with ``c``'s key, or a new one with its planned steps; (alert, created)."""
        return self.raise_many([c], now, plan)[0]

    def raise_many(self, candidates: Iterable[AlertCandidate], now: float,
                   plan: Callable[[uuid.UUID], Sequence[PlannedStep]] = lambda _id: ()) -> list[tuple[Alert, bool]]:
        """Many candidates in one transaction (a burst of findings costs one commit)."""
        out: list[tuple[Alert, bool]] = []
        when = datetime.fromtimestamp(now, UTC)
        with self._raise_lock, self.engine.begin() as conn:
            batch: dict[str, tuple[Alert, bool]] = {}
            rows: list[dict[str, Any]] = []
            steps: list[dict[str, Any]] = []
            todo = self._with_vins(conn, list(candidates))
            keys = sorted({c.dedupe_key for c in todo})
            open_rows = {r.dedupe_key: r for r in conn.execute(select(_A).where(_OPEN, AlertRow.dedupe_key.in_(keys)))} if keys else {}
            resolved = dict(conn.execute(select(AlertRow.dedupe_key, func.count()).where(
                AlertRow.dedupe_key.in_(keys), ~_OPEN).group_by(AlertRow.dedupe_key)).all()) if keys else {}
            fresh: dict[str, AlertCandidate] = {}
            for c in todo:
                if c.dedupe_key not in open_rows and c.dedupe_key not in fresh:
                    fresh[c.dedupe_key] = c
            ids = {k: uuid.uuid5(ALERT_NAMESPACE, f"{k}#{resolved.get(k, 0)}") for k in fresh}
            if ids:  # a derived id already taken (a resolved alert synced in from elsewhere): a fresh random id
                taken = set(conn.execute(select(AlertRow.id).where(AlertRow.id.in_(list(ids.values())))).scalars())
                ids = {k: (uuid.uuid4() if i in taken else i) for k, i in ids.items()}
            for key, c in fresh.items():
                row = {"id": ids[key], "updated_at": when, "version": 1, "origin": self.origin, "deleted": False,
                       "rule": c.rule, "dedupe_key": key[:255], "severity": c.severity.value, "title": c.title[:255],
                       "detail": c.detail, "vin": c.vin[:32], "vehicle_id": c.vehicle_id, "source": c.source[:64],
                       "facts": c.facts, "policy": c.policy, "state": AlertState.RAISED.value, "raised_at": when,
                       "acknowledged_by": "", "acknowledged_at": None, "resolved_by": "", "resolved_at": None, "note": ""}
                rows.append(row)
                steps += [_step_row(s) for s in plan(ids[key])]
                batch[key] = (to_alert(_Row(row)), True)
            for key, r in open_rows.items():
                batch[key] = (to_alert(r), False)
            seen: set[str] = set()
            for c in todo:  # in the callers' order; a key's second candidate is not "created"
                alert, created = batch[c.dedupe_key]
                out.append((alert, created and c.dedupe_key not in seen))
                seen.add(c.dedupe_key)
            if rows:
                conn.execute(insert(_A), rows)
            if steps:
                conn.execute(insert(_S), steps)
        return out

    @staticmethod
    def _with_vins(conn: Any, todo: list[AlertCandidate]) -> list[AlertCandidate]:
        """A health result names the car by its vehicle id: the centre shows its VIN."""
        ids = {c.vehicle_id for c in todo if c.vehicle_id is not None and not c.vin}
        if not ids:
            return todo
        vins = dict(conn.execute(select(VehicleRow.id, VehicleRow.vin).where(VehicleRow.id.in_(ids))).all())
        return [replace(c, vin=vins.get(c.vehicle_id, "")) if c.vehicle_id in vins and not c.vin else c for c in todo]

    # -- acknowledge / resolve -------------------------------------------------------------------------

    def acknowledge(self, alert_id: uuid.UUID, by: str, now: float, note: str = "") -> Alert:
        """Acknowledge an open alert (again: no change); stops steps that stop on acknowledgement."""
        with self.engine.begin() as conn:
            a = self._locked(conn, alert_id)
            if a.state is AlertState.RESOLVED:
                raise InvalidRequest(f"alert {str(alert_id)[:8]} is already resolved (by {a.resolved_by or 'someone'})")
            if a.state is AlertState.RAISED:
                conn.execute(update(_A).where(AlertRow.id == alert_id).values(
                    state=AlertState.ACKNOWLEDGED.value, acknowledged_by=by[:64], acknowledged_at=datetime.fromtimestamp(now, UTC),
                    note=note or a.note, version=AlertRow.version + 1, origin=self.origin, updated_at=datetime.fromtimestamp(now, UTC)))
            conn.execute(update(_S).where(AlertStepRow.alert_id == alert_id, AlertStepRow.state == "pending",
                                          AlertStepRow.stop_on == "acknowledged").values(state="cancelled"))
        return self.get(alert_id)

    def resolve(self, alert_id: uuid.UUID, by: str, now: float, note: str = "") -> Alert:
        """Resolve an alert (again: no change); every pending step is cancelled."""
        with self.engine.begin() as conn:
            a = self._locked(conn, alert_id)
            if a.state is not AlertState.RESOLVED:
                when = datetime.fromtimestamp(now, UTC)
                conn.execute(update(_A).where(AlertRow.id == alert_id).values(
                    state=AlertState.RESOLVED.value, resolved_by=by[:64], resolved_at=when, note=note or a.note,
                    version=AlertRow.version + 1, origin=self.origin, updated_at=when))
            conn.execute(update(_S).where(AlertStepRow.alert_id == alert_id, AlertStepRow.state == "pending").values(state="cancelled"))
        return self.get(alert_id)

    def _locked(self, conn: Any, alert_id: uuid.UUID) -> Alert:
        row = conn.execute(select(_A).where(AlertRow.id == alert_id).with_for_update()).first()
        if row is None or row.deleted:
            raise InvalidRequest(f"no alert {alert_id}")
        return to_alert(row)

    # -- reading --------------------------------------------------------------------------------------

    def get(self, alert_id: uuid.UUID) -> Alert:
        with self.engine.connect() as conn:
            row = conn.execute(select(_A).where(AlertRow.id == alert_id)).first()
        if row is None:
            raise InvalidRequest(f"no alert {alert_id}")
        return to_alert(row)

    def find(self, ref: str) -> Alert:
        """An alert by its id or an unambiguous id prefix (what the CLI shows)."""
        ref = ref.strip().lower()
        if len(ref) < 4:
            raise InvalidRequest("give at least 4 characters of the alert's id")
        with self.engine.connect() as conn:
            ids = [i for i in conn.execute(select(AlertRow.id).where(AlertRow.deleted.is_(False))).scalars() if str(i).startswith(ref)]
        if not ids:
            raise InvalidRequest(f"no alert with an id starting {ref!r}")
        if len(ids) > 1:
            raise InvalidRequest(f"{len(ids)} alerts have ids starting {ref!r}: give more characters")
        return self.get(ids[0])

    def list(self, *, open_only: bool = False, state: str | None = None, limit: int = 500,
             since: datetime | None = None) -> builtins.list[Alert]:
        q = select(_A).where(AlertRow.deleted.is_(False)).order_by(AlertRow.raised_at.desc()).limit(limit)
        if open_only:
            q = q.where(_OPEN)
        if since is not None:
            q = q.where(AlertRow.raised_at >= since)
        with self.engine.connect() as conn:
            alerts = [to_alert(r) for r in conn.execute(q)]
        return [a for a in alerts if state is None or a.state.value == state]

    def count_open(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(_A).where(_OPEN)).scalar_one())

    # -- the outbox -----------------------------------------------------------------------------------

    def claim_due(self, now: float, limit: int = 50) -> builtins.list[StepWork]:
        """Claim the steps due by ``now``; steps of alerts that stopped escalating are cancelled instead."""
        due = or_(and_(AlertStepRow.state == "pending", AlertStepRow.due_at <= now),
                  and_(AlertStepRow.state == "sending", AlertStepRow.claimed_at < now - LEASE_S))
        out: list[StepWork] = []
        with self.engine.begin() as conn:
            rows = conn.execute(select(_S).where(due).order_by(AlertStepRow.due_at, AlertStepRow.id).limit(limit)).all()
            ids = sorted({r.alert_id for r in rows})
            alerts = {a.id: (a, a_row.deleted) for a_row in conn.execute(select(_A).where(AlertRow.id.in_(ids)))
                      for a in [to_alert(a_row)]} if ids else {}
            for r in rows:
                found = alerts.get(r.alert_id)
                stop = AlertState.RESOLVED if r.stop_on == "resolved" else AlertState.ACKNOWLEDGED
                if found is None or found[1] or found[0].state.rank >= stop.rank:
                    conn.execute(update(_S).where(AlertStepRow.id == r.id).values(state="cancelled"))
                    continue
                claimed = conn.execute(update(_S).where(AlertStepRow.id == r.id, AlertStepRow.state == r.state,
                                                        AlertStepRow.attempts == r.attempts)
                                       .values(state="sending", claimed_at=now, attempts=r.attempts + 1)).rowcount
                if claimed == 1:
                    out.append(StepWork(r.id, r.idempotency_key, found[0], r.level, r.round, r.role, r.channel, r.due_at,
                                        r.attempts + 1))
        return out

    def mark_sent(self, step_id: int, now: float, recipients: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(_S).where(AlertStepRow.id == step_id, AlertStepRow.state == "sending").values(
                state="sent", sent_at=now, recipients=list(recipients), last_error=""))

    def release(self, step_id: int, error: str, retry_at: float) -> None:
        """A failed send: back to pending at ``retry_at``, with the reason (never a secret: channels word it)."""
        with self.engine.begin() as conn:
            conn.execute(update(_S).where(AlertStepRow.id == step_id, AlertStepRow.state == "sending").values(
                state="pending", due_at=retry_at, last_error=error[:2000]))

    def next_due(self) -> float | None:
        with self.engine.connect() as conn:
            pending = conn.execute(select(func.min(AlertStepRow.due_at)).where(AlertStepRow.state == "pending")).scalar()
            stale = conn.execute(select(func.min(AlertStepRow.claimed_at)).where(AlertStepRow.state == "sending")).scalar()
        times = [t for t in (pending, None if stale is None else stale + LEASE_S) if t is not None]
        return min(times) if times else None

    def steps(self, alert_id: uuid.UUID | None = None, *, state: str | None = None) -> builtins.list[StoredStep]:
        q = select(_S).order_by(AlertStepRow.id)  # planned order (time order as planned; a retried step keeps its place)
        if alert_id is not None:
            q = q.where(AlertStepRow.alert_id == alert_id)
        if state is not None:
            q = q.where(AlertStepRow.state == state)
        with self.engine.connect() as conn:
            return [StoredStep(r.id, r.idempotency_key, r.alert_id, r.level, r.round, r.role, r.channel, r.due_at, r.state,
                               r.attempts, r.sent_at, tuple(r.recipients or ()), r.last_error) for r in conn.execute(q)]

    def add_steps(self, steps: Iterable[PlannedStep]) -> int:
        """Plan steps for an existing alert (a test mail); a key already planned is skipped."""
        added = 0
        for s in steps:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(_S), [_step_row(s)])
                added += 1
            except IntegrityError:
                continue
        return added


class _Row:
    """A dict seen as a row (for ``to_alert`` on what was just inserted)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _step_row(s: PlannedStep) -> dict[str, Any]:
    return {"idempotency_key": s.idempotency_key, "alert_id": s.alert_id, "level": s.level, "round": s.round, "role": s.role,
            "channel": s.channel, "due_at": s.due_at, "stop_on": s.stop_on, "state": "pending", "attempts": 0,
            "claimed_at": None, "sent_at": None, "recipients": [], "last_error": ""}


__all__ = ["LEASE_S", "AlertRepository", "StepWork", "StoredStep", "effective_state", "to_alert"]
