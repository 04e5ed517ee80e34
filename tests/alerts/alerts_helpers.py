"""Helpers for the alerts tests: a local SMTP server (aiosmtpd), a refusing and a hanging one, payloads."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from typing import Any

from carvrooom_desktop import events as ev


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """What the local SMTP server received: parsed messages with their envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's handler hook
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content or envelope.content)))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, n: int, timeout: float = 10.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= n, timeout)

    @property
    def subjects(self) -> list[str]:
        with self.lock:
            return [m["Subject"] for _to, m in self.messages]

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for _to, m in self.messages]


@contextmanager
def smtp_server(**kwargs: Any):
    """A real SMTP server on 127.0.0.1 at a free port; yields (port, inbox). Stopped on exit (no thread left)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@contextmanager
def hanging_server():
    """Accepts connections and never says a word (a mail server that hangs); yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, name="hanging-smtp", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for c in held:
            c.close()
        listener.close()


def do_not_drive(vin: str = "WVWZZZ1JZXW000001", cause: str = "Brake fluid leak") -> tuple[str, dict[str, Any]]:
    return ev.DECISION_MADE, {"kind": "diagnosis", "diagnosis_id": "d-1", "vin": vin, "source": "offline", "model": "",
                              "urgency": "do not drive", "replaced": False, "top_cause": cause, "system": "brakes", "job": None}


def critical_health(vehicle: str = "car-1", check: str = "charging_voltage", severity: str = "critical") -> tuple[str, dict[str, Any]]:
    return ev.HEALTH_CHANGED, {"source": "live session", "vehicle_id": None, "vin": vehicle, "finished_at": "2026-12-04T10:00:00+00:00",
                               "worst": severity, "scores": {}, "rul": [],
                               "findings": [{"system": "charging", "check": check, "severity": severity, "enough_data": True,
                                             "summary": "charging voltage 12.1 V < 13.5 V", "measured": 12.1, "unit": "V",
                                             "threshold": 13.5, "threshold_source": "OEM spec", "confidence": 1.0,
                                             "time_range": [0, 10], "signal": "battery_voltage"}]}
