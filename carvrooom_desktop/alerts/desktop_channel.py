"""Desktop notifications with desktop-notifier, falling back when the platform has no notification service.

desktop-notifier logs (not raises) a failed send, and on Linux without a notification daemon
(CI, a bare desktop) its D-Bus call fails with ServiceUnknown or no bus at all. So the service is
probed once (``get_capabilities``); without one the notice goes to ``fallback`` (the GUI sets the
tray icon's balloon) or, with none, to the in-app centre, which lists every alert anyway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from carvrooom_desktop.alerts.channels import Message
from carvrooom_desktop.alerts.directory import Recipient

log = logging.getLogger(__name__)

Fallback = Callable[[str, str], bool]  # (title, text) -> shown


class DesktopChannel:
    name = "desktop"

    def __init__(self, app_name: str = "CarVrooom", fallback: Fallback | None = None, *, probe: bool = True) -> None:
        self.app_name = app_name
        self.fallback = fallback
        self._probe = probe
        self._notifier: Any = None
        self._checked = False
        self.unavailable_reason = ""
        self._lock = threading.Lock()

    def _service(self) -> Any:
        with self._lock:
            if not self._checked:
                self._checked = True
                if not self._probe:
                    self.unavailable_reason = "desktop notifications switched off"
                    return None
                try:
                    from desktop_notifier import DesktopNotifierSync

                    notifier = DesktopNotifierSync(app_name=self.app_name)
                    notifier.get_capabilities()  # raises without a bus or a notification daemon
                    self._notifier = notifier
                except Exception as e:  # ServiceUnknown, no D-Bus, no backend for the platform
                    self.unavailable_reason = f"{type(e).__name__}: {e}".splitlines()[0][:200]
                    log.info("no desktop notification service (%s); using the %s", self.unavailable_reason,
                             "tray icon" if self.fallback else "in-app alert centre")
            return self._notifier

    @property
    def via(self) -> str:
        """Where notices go now: 'desktop', 'tray' or 'alert centre'."""
        if self._service() is not None:
            return "desktop"
        return "tray" if self.fallback is not None else "alert centre"

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[str]:
        notifier = self._service()
        if notifier is not None:
            notifier.send(title=message.subject, message=message.body.split("\n\n")[1] if "\n\n" in message.body else message.body)
            return ["desktop"]
        if self.fallback is not None and self.fallback(message.subject, message.body):
            return ["tray"]
        return ["alert centre"]  # the centre lists it: nothing is lost


__all__ = ["DesktopChannel", "Fallback"]
