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
def smtp_server(port: int = 0, **kwargs: Any):
    """A real SMTP server on 127.0.0.1 (at a free port unless given); yields (port, inbox). Stopped on exit."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **kwargs)
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


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until true (a worker thread's effect); no wall-clock assert, only a bound on waiting."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def crash_worker(db_url: str, port: int, now: float, sends_before_crash: int, crash: str) -> None:
    """Run in a child process: work the outbox by e-mail on a fixed clock and kill itself mid-way.

    ``crash`` = "before_send": killed after claiming step N+1, before it is sent;
    "after_send": killed after step N+1 reached the server, before it is marked sent.
    """
    import os
    import signal

    from carvrooom_desktop.alerts.clock import FakeClock
    from carvrooom_desktop.alerts.config import SmtpSettings
    from carvrooom_desktop.alerts.directory import SettingsDirectory
    from carvrooom_desktop.alerts.email_channel import EmailChannel
    from carvrooom_desktop.alerts.scheduler import EscalationScheduler
    from carvrooom_desktop.alerts.store import AlertRepository
    from carvrooom_desktop.storage.store import Store

    def die() -> None:
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(9)

    class Crashing(EmailChannel):
        count = 0

        def send(self, message: Any, recipients: Any) -> list[str]:
            if Crashing.count == sends_before_crash and crash == "before_send":
                die()
            reached = super().send(message, recipients)
            Crashing.count += 1
            if Crashing.count == sends_before_crash + 1 and crash == "after_send":
                die()
            return reached

    store = Store.open(db_url, origin="ws-crash")
    repo = AlertRepository(store.engine, store.origin)
    channel = Crashing(SmtpSettings(host="127.0.0.1", port=port, security="none", timeout_s=5))
    people = SettingsDirectory(MAIL_PEOPLE)
    EscalationScheduler(repo, {"email": channel}, people, FakeClock(now)).run_due()
    os._exit(0)  # every step sent without the crash: the test fails on the exit code


MAIL_PEOPLE = {"technician": ["Tom <tom@shop.example>"], "service manager": ["Sue <sue@shop.example>"],
               "admin": ["Ada <ada@shop.example>"]}


def self_signed(tmp_path: Any) -> tuple[Any, Any]:
    """(server SSLContext, client SSLContext trusting it) for 127.0.0.1, made with cryptography."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


class Authenticator:
    """aiosmtpd authenticator accepting one user name and password."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        ok = getattr(auth_data, "login", None) == self.user and getattr(auth_data, "password", None) == self.password
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535 itself
