"""Fixtures for the alerts tests: a real SQLite store, a fake clock, the centre and scheduler on it."""

from __future__ import annotations

import pytest

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.channels import InAppChannel
from carvrooom_desktop.alerts.clock import FakeClock
from carvrooom_desktop.alerts.config import policies_in_force, rules_in_force
from carvrooom_desktop.alerts.directory import SettingsDirectory
from carvrooom_desktop.alerts.scheduler import EscalationScheduler
from carvrooom_desktop.alerts.store import AlertRepository
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.storage.store import Store


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'alerts.sqlite3'}"


@pytest.fixture
def store(db_url):
    with Store.open(db_url, origin="ws-alerts") as s:
        yield s


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def repo(store):
    return AlertRepository(store.engine, store.origin)


class Recorder:
    """A channel that remembers what it sent."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[tuple[str, list[str]]] = []

    def send(self, message, recipients):
        self.sent.append((message.idempotency_key, [r.name for r in recipients]))
        return [r.name for r in recipients]


@pytest.fixture
def directory():
    return SettingsDirectory({
        "technician": ["Tom Tech <tom@shop.example>"], "service manager": ["Sue Manager <sue@shop.example>"],
        "admin": ["Ada Admin <ada@shop.example>"], "warranty clerk": ["Wes Clerk <wes@shop.example>"],
    })


@pytest.fixture
def recorders():
    return {"in_app": InAppChannel(), "desktop": Recorder("desktop"), "email": Recorder("email")}


@pytest.fixture
def bus():
    return EventBus()


@pytest.fixture
def scheduler(repo, recorders, directory, clock):
    s = EscalationScheduler(repo, recorders, directory, clock)
    yield s
    s.stop()


@pytest.fixture
def centre(repo, bus, clock, scheduler):
    c = AlertCentre(repo, rules_in_force(), policies_in_force(), bus=bus, clock=clock, scheduler=scheduler)
    yield c
    c.detach()
