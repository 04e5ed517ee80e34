"""The escalation scheduler: works the outbox on an injectable clock.

``run_due()`` claims the steps due now, resolves each step's role to recipients, sends it by
its channel and marks it sent; a failure puts the step back with the error and a later due time
(``retry_s``: 30 s, 1, 2, 5, then every 10 min), so nothing is lost and the user sees why. The
thread (``start``) sleeps on the clock until the next due step, a poke (a new alert) or stop.

Exactly once: a step is claimed (``pending`` -> ``sending``) in one UPDATE that only one worker can
win, and marked ``sent`` right after the channel returned. A process killed between the two leaves
the step ``sending``; after its lease it is sent again, with the same Message-ID (the outbox cannot
know whether the server got the first). Killed before the send: it is sent once, after the lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from carvrooom_desktop.alerts.channels import Channel, ChannelError, word
from carvrooom_desktop.alerts.clock import Clock
from carvrooom_desktop.alerts.directory import RecipientDirectory
from carvrooom_desktop.alerts.store import AlertRepository, StepWork

log = logging.getLogger(__name__)

IDLE_S = 60.0  # with nothing planned, look again after this (another process may have planned steps)

SentHook = Callable[[StepWork, list[str]], None]
FailedHook = Callable[[StepWork, str], None]


class EscalationScheduler:
    def __init__(self, repo: AlertRepository, channels: Mapping[str, Channel], directory: RecipientDirectory, clock: Clock,
                 *, retry_s: Sequence[float] = (30.0, 60.0, 120.0, 300.0, 600.0), on_sent: SentHook | None = None,
                 on_failed: FailedHook | None = None) -> None:
        self.repo = repo
        self.channels = dict(channels)
        self.directory = directory
        self.clock = clock
        self.retry_s = tuple(retry_s) or (60.0,)
        self.on_sent = on_sent
        self.on_failed = on_failed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    # -- one pass -----------------------------------------------------------------------------------

    def run_due(self) -> int:
        """Send every step due now (several claims if many are due); how many were sent."""
        sent = 0
        while not self._stop.is_set():
            # One claim at a time: a process killed mid-send strands one step until its lease, not a batch.
            work = self.repo.claim_due(self.clock.now(), limit=1)
            if not work:
                break
            for w in work:
                sent += self._send(w)
        return sent

    def _send(self, w: StepWork) -> int:
        channel = self.channels.get(w.channel)
        if channel is None:
            self._fail(w, f"no {w.channel} channel on this workstation", retry=True)
            return 0
        try:
            recipients = self.directory.recipients(w.role)
            reached = channel.send(word(w), recipients)
        except ChannelError as e:
            self._fail(w, str(e), retry=e.retry)
            return 0
        except Exception as e:  # a channel bug must not stop the others; the step is kept for a retry
            log.exception("the %s channel failed on step %s", w.channel, w.idempotency_key)
            self._fail(w, f"{type(e).__name__} in the {w.channel} channel (see the log)", retry=True)
            return 0
        self.repo.mark_sent(w.step_id, self.clock.now(), reached)
        self.sent += 1
        if self.on_sent is not None:
            self.on_sent(w, reached)
        return 1

    def _fail(self, w: StepWork, error: str, *, retry: bool) -> None:
        self.failed += 1
        wait = self.retry_s[min(w.attempts - 1, len(self.retry_s) - 1)] if retry else self.retry_s[-1]
        log.warning("alert notice %s (%s to %s) failed, attempt %d: %s", w.idempotency_key, w.channel, w.role, w.attempts, error)
        self.repo.release(w.step_id, error, self.clock.now() + wait)
        if self.on_failed is not None:
            self.on_failed(w, error)

    # -- the thread ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="alert-escalation", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Look at the outbox now (a new alert planned its first steps)."""
        self.clock.poke()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread; safe to call twice."""
        self._stop.set()
        self.clock.poke()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_due()
                nxt = self.repo.next_due()
            except Exception:  # the store went away for a moment: keep the thread, try again later
                log.exception("the alert escalation pass failed; trying again")
                nxt = None
            now = self.clock.now()
            self.clock.wait(min(nxt, now + IDLE_S) if nxt is not None else now + IDLE_S, self._stop)


__all__ = ["EscalationScheduler"]
