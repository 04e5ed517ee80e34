"""How a step reaches people: the channel protocol, the message a step words, and the in-app channel.

A channel's ``send`` returns who it reached, or raises ``ChannelError`` with a sentence the
user can act on (the scheduler stores it on the step and retries later). A channel never puts a
secret in that sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from carvrooom_desktop.alerts.directory import Recipient
from carvrooom_desktop.alerts.store import StepWork
from carvrooom_desktop.errors import CarVrooomError


class ChannelError(CarVrooomError):
    """A send that failed; ``retry`` False when trying again cannot help (no address at all)."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"  # e.g. application/pdf


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    idempotency_key: str  # the e-mail's Message-ID is made from it
    attachments: tuple[Attachment, ...] = ()  # e-mail only (an owner's report PDF, an evidence pack)


def word(work: StepWork) -> Message:
    a = work.alert
    repeat = f" (reminder {work.round})" if work.round else ""
    level = f"escalation level {work.level + 1}" if work.level else "first notice"
    subject = f"[CarVrooom {a.severity.value}] {a.title}{repeat}"
    lines = [
        a.title, "", a.detail, "",
        f"Car: {a.vin or 'not identified'}",
        f"Raised: {a.raised_at:%Y-%m-%d %H:%M} UTC by rule {a.rule}",
        f"You get this as {work.role} ({level}, policy {a.policy or 'none'}).",
        "Acknowledge it in the Alerts page or with: carvrooom alerts ack " + str(a.id)[:8],
    ]
    return Message(subject[:200], "\n".join(lines), work.idempotency_key)


class Channel(Protocol):
    name: str

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[str]: ...


class InAppChannel:
    """The alert centre itself: the alert is already listed there; ``on_notice`` lets the GUI flash it."""

    name = "in_app"

    def __init__(self, on_notice: Callable[[Message], None] | None = None) -> None:
        self.on_notice = on_notice

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[str]:
        if self.on_notice is not None:
            self.on_notice(message)
        return [r.name for r in recipients] or ["alert centre"]


__all__ = ["Attachment", "Channel", "ChannelError", "InAppChannel", "Message", "word"]
