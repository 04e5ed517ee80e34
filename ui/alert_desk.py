"""The alerts on the GUI side: the core's alert service driven by Qt timers, and the tray icon fallback.

No Python thread of its own: bus handlers only queue (``AlertCentre.attach(own_thread=False)``); a
250 ms timer drains the queue on a worker (one transaction per batch) and a 1 s timer works the
escalation outbox there, so a step fires within a second of its time. New alerts reach the page in
batches (``alerts_arrived(list)``), one model insert per batch: 1,000 alerts a minute do not stall
the GUI.

Desktop notices go through desktop-notifier; on a platform without a notification service the
tray icon's balloon shows them (``TrayNotifier``), and with no tray either the Alerts page's banner.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from carvrooom_desktop import events as ev
from ui.event_bridge import QtEventBridge
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

INTAKE_MS = 250
ESCALATION_MS = 1000
BOARD_MS = 5 * 60_000  # bookings at risk: the board is read again this often


class TrayNotifier(QObject):
    """The tray icon's balloon, callable from any thread (``show`` queues to the GUI thread)."""

    _show = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon: QSystemTrayIcon | None = None
        self._show.connect(self._on_show)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def show(self, title: str, text: str) -> bool:
        if not self.available():
            return False
        self._show.emit(title, text)
        return True

    @Slot(str, str)
    def _on_show(self, title: str, text: str) -> None:
        if self._icon is None:
            app = QApplication.instance()
            style = app.style() if isinstance(app, QApplication) else None
            icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style is not None else QIcon()
            self._icon = QSystemTrayIcon(icon, self)
            self._icon.setToolTip("CarVrooom alerts")
            self._icon.show()
        self._icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 10_000)


class AlertDesk(QObject):
    """What the Alerts page binds to: the alert list, acknowledge/resolve, rules, policies, mail settings."""

    alerts_loaded = Signal(object)  # list of alert dicts (Alert.to_dict), newest first
    alerts_arrived = Signal(object)  # list of alert dicts, a batch of new ones
    alert_changed = Signal(object)  # one alert dict after acknowledge/resolve
    notice = Signal(str)  # an in-app notice's subject (the page's banner)
    failed = Signal(str)  # a sentence for the user
    test_mail_done = Signal(str, str)  # text, tone ("good" | "bad")
    saved = Signal(str, str)  # what ("rules" | "policies" | "smtp"), text

    def __init__(self, store: Any, bus: ev.EventBus, *, who: Callable[[], str] = lambda: "workstation",
                 role: Callable[[], str] = lambda: "technician", parent: QObject | None = None, start: bool = True) -> None:
        super().__init__(parent)
        self.role = role  # what the signed-in person may change (rules, policies, mail: "change settings")
        self.store = store if getattr(store, "engine", None) is not None else None
        self.bus = bus
        self.who = who
        self.runner = TaskRunner(self, max_threads=1)  # the store worker: intake and the page's asks, in turn
        self.sender_runner = TaskRunner(self, max_threads=1)  # escalation: a slow mail server never holds up the list
        self.tray = TrayNotifier(self)
        self.service: Any = None
        self.problem = "" if self.store is not None else "the store could not be opened: alerts are not kept"
        self._pending: list[dict[str, Any]] = []
        self._escalating = False
        self._draining = False
        if self.store is not None:
            from carvrooom_desktop.alerts.service import open_alerts

            try:
                self.service = open_alerts(self.store.engine, self.store.origin, bus=bus,
                                           desktop_fallback=self.tray.show, on_notice=lambda m: self.notice.emit(m.subject))
            except Exception as e:  # a broken rules file: the app runs, the page says why
                log.exception("alerts could not start")
                self.problem = f"alerts could not start: {e}"
        self.bridge = QtEventBridge(bus, (ev.ALERT_RAISED,), self)
        self.bridge.received.connect(self._on_raised)
        self._flush = QTimer(self)
        self._flush.setInterval(INTAKE_MS)
        self._flush.timeout.connect(self._tick_intake)
        self._escalate = QTimer(self)
        self._escalate.setInterval(ESCALATION_MS)
        self._escalate.timeout.connect(self._tick_escalation)
        self._board = QTimer(self)
        self._board.setInterval(BOARD_MS)
        self._board.timeout.connect(self.check_bookings)
        if self.service is not None and start:
            self.service.centre.attach(background=True, own_thread=False)
            self._flush.start()
            self._escalate.start()
            if getattr(self.store, "workshop", None) is not None:
                self._board.start()

    @property
    def available(self) -> bool:
        return self.service is not None

    # -- the timers -----------------------------------------------------------------------------------

    def _tick_intake(self) -> None:
        if self._pending:  # one batch to the page per tick, however many arrived
            batch, self._pending = self._pending, []
            self.alerts_arrived.emit(batch)
        centre = self.service.centre
        if centre.pending and not self._draining:
            self._draining = True
            self.runner.submit(centre.drain, lambda _created: self._drained(), lambda e: self._drained(e), name="alert intake")

    def _drained(self, error: BaseException | None = None) -> None:
        self._draining = False
        if error is not None:
            self.failed.emit(f"alerts could not be stored: {error}")

    def _tick_escalation(self) -> None:
        if self._escalating:
            return
        self._escalating = True
        self.sender_runner.submit(self.service.scheduler.run_due, lambda _n: self._escalated(), lambda e: self._escalated(e),
                                  name="alert escalation")

    def _escalated(self, error: BaseException | None = None) -> None:
        self._escalating = False
        if error is not None:
            log.warning("alert escalation pass failed: %s", error)

    def check_bookings(self) -> None:
        """Read the planning board on the worker: raise bookings at risk, resolve those back on time."""
        if self.service is None or self.store is None:
            return
        centre, repo = self.service.centre, self.store.workshop

        def check() -> int:
            from datetime import datetime

            from carvrooom_desktop.alerts.workshop_risk import load_today_board

            return len(centre.check_board(load_today_board(repo, datetime.now().astimezone())))

        self.runner.submit(check, lambda _n: None, lambda e: log.warning("bookings at risk not checked: %s", e), name="board check")

    @Slot(str, object)
    def _on_raised(self, _topic: str, payload: Any) -> None:
        if isinstance(payload, dict):
            self._pending.append(payload)

    # -- the page's asks -----------------------------------------------------------------------------

    def refresh(self, *, include_resolved: bool = False) -> None:
        if self.service is None:
            self.failed.emit(self.problem)
            return
        repo = self.service.repo
        self.runner.submit(lambda: [a.to_dict() for a in repo.list(open_only=not include_resolved, limit=2000)],
                           self.alerts_loaded.emit, self._error, name="alert list")

    def acknowledge(self, alert_id: str, note: str = "") -> None:
        self._act(alert_id, lambda centre, i, by: centre.acknowledge(i, by, note))

    def resolve(self, alert_id: str, note: str = "") -> None:
        self._act(alert_id, lambda centre, i, by: centre.resolve(i, by, note))

    def _act(self, alert_id: str, fn: Callable[[Any, uuid.UUID, str], Any]) -> None:
        if self.service is None:
            self.failed.emit(self.problem)
            return
        centre, by, store = self.service.centre, self.who(), self.store

        def act() -> dict[str, Any]:
            from carvrooom_desktop.alerts.acting import audit_alert_action

            alert_uuid = uuid.UUID(alert_id)
            before = centre.repo.get(alert_uuid).state.value
            done = fn(centre, alert_uuid, by).to_dict()
            if done["state"] != before:
                audit_alert_action(store, by, "acknowledge alert" if done["state"] == "acknowledged" else "resolve alert", done, before)
            return done

        self.runner.submit(act, self.alert_changed.emit, self._error, name="alert action")

    def rules_text(self) -> str:
        import json

        from carvrooom_desktop.alerts.config import rules_in_force

        return json.dumps(rules_in_force().to_dict(), indent=2)

    def policies_text(self) -> str:
        import json

        from carvrooom_desktop.alerts.config import policies_in_force

        return json.dumps(policies_in_force().to_dict(), indent=2)

    def save_rules(self, text: str) -> None:
        from carvrooom_desktop.alerts.config import save_rules_text

        self._save("rules", lambda: save_rules_text(text), "rules")

    def save_policies(self, text: str) -> None:
        from carvrooom_desktop.alerts.config import save_policies_text

        self._save("policies", lambda: save_policies_text(text), "policies")

    def _allowed(self, what: str) -> bool:
        from carvrooom_desktop.alerts.acting import may_change_alert_settings

        try:
            may_change_alert_settings(self.store, self.role(), what=f"alerts:{what}")
        except Exception as e:  # PermissionDenied: says who may
            self.failed.emit(str(e))
            return False
        return True

    def _save(self, what: str, fn: Callable[[], Any], attr: str) -> None:
        if not self._allowed(what):
            return
        try:
            value = fn()
        except Exception as e:  # InvalidRequest names every bad entry; SettingsError a write failure
            self.failed.emit(str(e))
            return
        if self.service is not None:  # new alerts use them; running alerts keep the policy they started with
            setattr(self.service.centre, attr, value)
        count = len(value.rules) if what == "rules" else len(value.policies)
        self.saved.emit(what, f"{count} {what} saved; new alerts use them (running escalations keep their plan)")

    def smtp_settings(self) -> Any:
        from carvrooom_desktop.alerts.config import load_alert_settings

        return load_alert_settings()

    def save_smtp(self, settings: Any, password: str | None) -> None:
        from carvrooom_desktop.alerts.config import save_alert_settings

        if not self._allowed("smtp"):
            return
        try:
            save_alert_settings(settings, password=password or None)
        except Exception as e:  # InvalidRequest, SecretStoreUnavailable, SettingsError: all worded for the user
            self.failed.emit(str(e))
            return
        if self.service is not None:
            email = self.service.channels.get("email")
            if email is not None:
                email.settings = settings.smtp
            self.service.settings = settings
        self.saved.emit("smtp", f"mail server {settings.smtp.host or '(none)'} saved" + (" (password in the keyring)" if password else ""))

    def send_test_mail(self, settings: Any, to: str, password: str | None = None) -> None:
        from carvrooom_desktop.alerts.channels import ChannelError
        from carvrooom_desktop.alerts.service import send_test_mail

        def send() -> str:
            try:
                reached = send_test_mail(settings, to, password=password or None)
            except ChannelError as e:
                return f"!{e}"
            return f"test mail sent to {', '.join(reached)}"

        self.sender_runner.submit(send, lambda text: self.test_mail_done.emit(text.lstrip("!"), "bad" if text.startswith("!") else "good"),
                                  self._error, name="test mail")

    def _error(self, e: BaseException) -> None:
        self.failed.emit(str(e) or type(e).__name__)

    def close(self) -> None:
        """Stop the timers and the bus, finish store work; safe to call twice."""
        self._flush.stop()
        self._escalate.stop()
        self._board.stop()
        self.bridge.close()
        if self.service is not None:
            self.service.centre.detach()
            self.service.scheduler.stop()  # a pass in progress stops after its current notice
        self.wait()

    def wait(self, msecs: int = 10_000) -> bool:
        return self.runner.wait(msecs) and self.sender_runner.wait(msecs)


__all__ = ["AlertDesk", "TrayNotifier"]
