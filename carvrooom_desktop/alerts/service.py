"""The alerts wired for the app and the CLI: repository, rules and policies in force, channels, scheduler, centre."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from carvrooom_desktop import events as ev
from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.channels import Attachment, Channel, ChannelError, InAppChannel, Message
from carvrooom_desktop.alerts.clock import Clock, SystemClock
from carvrooom_desktop.alerts.config import AlertSettings, load_alert_settings, policies_in_force, rules_in_force
from carvrooom_desktop.alerts.desktop_channel import DesktopChannel, Fallback
from carvrooom_desktop.alerts.directory import (
    Recipient,
    RecipientDirectory,
    SettingsDirectory,
    default_directory,
    parse_recipient,
)
from carvrooom_desktop.alerts.email_channel import EmailChannel
from carvrooom_desktop.alerts.scheduler import EscalationScheduler
from carvrooom_desktop.alerts.store import AlertRepository


@dataclass
class AlertService:
    repo: AlertRepository
    centre: AlertCentre
    scheduler: EscalationScheduler
    settings: AlertSettings
    channels: dict[str, Channel]
    directory: RecipientDirectory

    def start(self) -> None:
        """Listen to the bus and work the outbox (threads: intake and escalation)."""
        self.centre.attach(background=True)
        self.scheduler.start()

    def stop(self) -> None:
        """Safe to call twice."""
        self.centre.detach()
        self.scheduler.stop()


def open_alerts(engine: Any, origin: str, *, bus: ev.EventBus | None = None, clock: Clock | None = None,
                settings: AlertSettings | None = None, directory: RecipientDirectory | None = None,
                channels: dict[str, Channel] | None = None, desktop_fallback: Fallback | None = None,
                on_notice: Callable[[Message], None] | None = None) -> AlertService:
    settings = settings or load_alert_settings()
    clock = clock or SystemClock()
    repo = AlertRepository(engine, origin)
    directory = directory or default_directory(SettingsDirectory(settings.recipients), engine)
    if channels is None:
        channels = {
            "in_app": InAppChannel(on_notice),
            "desktop": DesktopChannel(fallback=desktop_fallback, probe=settings.desktop_notifications),
            "email": EmailChannel(settings.smtp),
        }
    scheduler = EscalationScheduler(repo, channels, directory, clock, retry_s=settings.retry_s)
    centre = AlertCentre(repo, rules_in_force(), policies_in_force(), bus=bus, clock=clock, scheduler=scheduler)
    return AlertService(repo, centre, scheduler, settings, channels, directory)


def send_test_mail(settings: AlertSettings, to: str = "", *, password: str | None = None) -> list[str]:
    """Send one test mail now (not through the outbox): to ``to`` or every recipient in the settings.

    Raises ChannelError with the reason (refused, timed out, login refused...).
    """
    if to:
        recipients = [parse_recipient(to)]
    else:
        recipients = [parse_recipient(x) for people in settings.recipients.values() for x in people]
    recipients = list(dict.fromkeys(r for r in recipients if r.email))
    if not recipients:
        raise ChannelError("no address to send the test mail to: give one, or add recipients in the alert settings", retry=False)
    channel = EmailChannel(settings.smtp, password=(lambda: password) if password is not None else None)
    import uuid

    body = ("This is a test mail from CarVrooom Desktop's alerts.\n\n"
            f"Mail server {settings.smtp.host}:{settings.smtp.port} ({settings.smtp.security}) works for alert e-mails.")
    return channel.send(Message("[CarVrooom] test mail", body, f"test/{uuid.uuid4()}"), recipients)


def send_mail(to: Sequence[str], subject: str, body: str, *, attachments: Sequence[Attachment] = (),
              settings: AlertSettings | None = None) -> list[str]:
    """One e-mail now through the alerts' mail server (settings and keyring password): the seam for other
    features (the owner's report, an evidence pack). ``to``: addresses or ``Name <addr>``. Raises
    ChannelError with the reason; returns the addresses the server accepted."""
    settings = settings or load_alert_settings()
    recipients = [parse_recipient(x) for x in to]
    import uuid

    message = Message(subject, body, f"mail/{uuid.uuid4()}", tuple(attachments))
    return EmailChannel(settings.smtp).send(message, recipients)


__all__ = ["AlertService", "Recipient", "open_alerts", "send_mail", "send_test_mail"]
