"""The alert centre: events in, alerts out.

It listens on the event bus for the topics its rules need, turns each event into candidates
(``rules.py``), raises them deduplicated with their escalation steps planned (``store.py``), and
publishes ``alert.raised`` for each new one. Bus handlers run in the publisher's thread (the
GUI's, a worker's), so with ``attach(background=True)`` an event is only queued there; an intake
thread drains the queue in batches, one transaction per batch (a burst of 1,000 findings costs a
handful of commits, not 1,000).
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from carvrooom_desktop import events as ev
from carvrooom_desktop.alerts.clock import Clock, SystemClock
from carvrooom_desktop.alerts.model import Alert, AlertCandidate
from carvrooom_desktop.alerts.policies import PlannedStep, PolicySet, plan_steps
from carvrooom_desktop.alerts.rules import RuleSet, booking_risk
from carvrooom_desktop.alerts.store import AlertRepository

if TYPE_CHECKING:
    from carvrooom_desktop.alerts.scheduler import EscalationScheduler
    from carvrooom_desktop.workshop.board import Board

log = logging.getLogger(__name__)

BATCH = 500  # events per intake transaction


class AlertCentre:
    def __init__(self, repo: AlertRepository, rules: RuleSet, policies: PolicySet, *, bus: ev.EventBus | None = None,
                 clock: Clock | None = None, scheduler: EscalationScheduler | None = None) -> None:
        self.repo = repo
        self.rules = rules
        self.policies = policies
        self.bus = bus
        self.clock = clock or SystemClock()
        self.scheduler = scheduler
        self._unsubscribe: list[Callable[[], None]] = []
        self._queue: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._intake: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.raised = 0

    # -- events in ----------------------------------------------------------------------------------

    def attach(self, *, background: bool = True, own_thread: bool = True) -> None:
        """Subscribe to the rules' topics on the bus.

        ``background``: the handler only queues; the store work runs on the intake thread
        (``own_thread``) or wherever the caller runs :meth:`drain` (the GUI: its worker pool, on a timer).
        """
        if self.bus is None or self._unsubscribe:
            return
        topics = sorted({r.topic for r in self.rules.rules if r.enabled})
        handler: ev.Handler = self._enqueue if background else self._handle_now
        self._unsubscribe = [self.bus.subscribe(t, handler) for t in topics]
        if background and own_thread and self._intake is None:
            self._intake = threading.Thread(target=self._drain, name="alert-intake", daemon=True)
            self._intake.start()

    @property
    def pending(self) -> bool:
        return not self._queue.empty()

    def drain(self, limit: int = 10 * BATCH) -> list[Alert]:
        """Raise what the queue holds (batched), here and now; the alerts newly raised."""
        created: list[Alert] = []
        taken = 0
        while taken < limit:
            batch: list[tuple[str, Any]] = []
            while len(batch) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    batch.append(item)
            if not batch:
                break
            taken += len(batch)
            created += self.raise_candidates([c for topic, payload in batch for c in self.rules.evaluate(topic, payload)])
        if self._queue.empty():
            self._idle.set()
        return created

    def detach(self) -> None:
        """Unsubscribe and stop the intake thread (what was queued is handled first); safe to call twice."""
        while self._unsubscribe:
            self._unsubscribe.pop()()
        if self._intake is not None:
            self._queue.put(None)
            self._intake.join(10)
            self._intake = None

    def _enqueue(self, topic: str, payload: Any) -> None:
        self._idle.clear()
        self._queue.put((topic, payload))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until the intake queue is drained (tests, benchmarks, shutdown)."""
        return self._idle.wait(timeout)

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            batch: list[tuple[str, Any]] = []
            stop = item is None
            if item is not None:
                batch.append(item)
            while not stop and len(batch) < BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                else:
                    batch.append(nxt)
            if batch:
                try:
                    self.raise_candidates([c for topic, payload in batch for c in self.rules.evaluate(topic, payload)])
                except Exception:  # the store failed: logged; the next events still come in
                    log.exception("could not raise alerts for %d event(s)", len(batch))
            if self._queue.empty():
                self._idle.set()
            if stop:
                return

    def _handle_now(self, topic: str, payload: Any) -> None:
        self.handle(topic, payload)

    def handle(self, topic: str, payload: Any) -> list[Alert]:
        """One event, synchronously: the alerts it newly raised."""
        return self.raise_candidates(self.rules.evaluate(topic, payload))

    # -- direct inputs (no event needed) --------------------------------------------------------------

    def warranty_flagged(self, claim_id: str, score: float, *, vin: str = "", flags: Sequence[str] = ()) -> list[Alert]:
        """A flag value from the warranty check, handed in directly (the same rule as ``claim.flagged``)."""
        return self.handle(ev.CLAIM_FLAGGED, {"claim_id": claim_id, "vin": vin, "score": score, "flags": list(flags)})

    def check_board(self, board: Board) -> list[Alert]:
        """The planning board's bookings at risk of missing their promise; an open one that is back on time resolves
        itself (PagerDuty's auto-resolve: the board is read whole, so "not at risk any more" is known)."""
        from carvrooom_desktop.alerts.workshop_risk import at_risk_jobs

        jobs = at_risk_jobs(board)
        created = self.handle(ev.BOOKING_CHANGED, booking_risk(jobs))
        rules = {r.id for r in self.rules.rules if r.kind == "booking_at_risk"}
        still = {f"{rule}:{j['job_id']}" for rule in rules for j in jobs}
        for alert in self.repo.list(open_only=True, limit=10_000):
            if alert.rule in rules and alert.dedupe_key not in still:
                self.repo.resolve(alert.id, "schedule board", self.clock.now(), "back on time: the plan now meets the promise")
        return created

    # -- raising ------------------------------------------------------------------------------------

    def _plan(self, policy_id: str, now: float) -> Callable[[uuid.UUID], Sequence[PlannedStep]]:
        policy = self.policies.get(policy_id) if policy_id else None
        if policy_id and policy is None:
            log.warning("alert rule names escalation policy %r, which does not exist: the alert is raised without one", policy_id)
        return lambda alert_id: plan_steps(policy, alert_id, now) if policy is not None else ()

    def raise_candidates(self, candidates: Iterable[AlertCandidate]) -> list[Alert]:
        todo = list(candidates)
        if not todo:
            return []
        now = self.clock.now()
        by_policy: dict[str, list[AlertCandidate]] = {}
        for c in todo:
            by_policy.setdefault(c.policy, []).append(c)
        created: list[Alert] = []
        for policy_id, group in by_policy.items():
            created += [a for a, new in self.repo.raise_many(group, now, self._plan(policy_id, now)) if new]
        self.raised += len(created)
        if created and self.scheduler is not None:
            self.scheduler.poke()
        if self.bus is not None:
            for a in created:
                self.bus.publish(ev.ALERT_RAISED, a.to_dict())
        return created

    # -- people act -----------------------------------------------------------------------------------

    def acknowledge(self, alert_id: uuid.UUID, by: str, note: str = "") -> Alert:
        return self.repo.acknowledge(alert_id, by, self.clock.now(), note)

    def resolve(self, alert_id: uuid.UUID, by: str, note: str = "") -> Alert:
        return self.repo.resolve(alert_id, by, self.clock.now(), note)


__all__ = ["AlertCentre"]
