"""Every role against every action, through the core services and through the CLI, compared with the
documented matrix in docs/ARCHITECTURE.md ("Who may do what")."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import can
import pytest

from carvrooom_desktop.acquisition.session import LiveSession
from carvrooom_desktop.acquisition.source import SourceSpec
from carvrooom_desktop.cli import run_cli
from carvrooom_desktop.config.settings import load_settings
from carvrooom_desktop.domain.roles import ROLE_PERMISSIONS, Permission, Role
from carvrooom_desktop.errors import PermissionDenied
from carvrooom_desktop.events import EventBus
from carvrooom_desktop.people import authorize
from carvrooom_desktop.people.services import check_sync, delete_recording, guard_workshop, save_settings_as
from tests.people.people_helpers import ADMIN_PASSWORD, PASSWORD, open_people, staff

DOC = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def documented_matrix() -> dict[Permission, set[Role]]:
    text = DOC.read_text(encoding="utf-8").split("### Who may do what", 1)[1]
    header, rows = None, {}
    for line in text.splitlines():
        if not line.startswith("|"):
            if header:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = [Role(c) for c in cells[1:]]
        elif not re.fullmatch(r"-+", cells[0]):
            rows[Permission(cells[0])] = {role for role, mark in zip(header, cells[1:], strict=True) if mark == "✓"}
    return rows


def test_the_code_matches_the_documented_matrix():
    doc = documented_matrix()
    assert set(doc) == set(Permission)
    for permission, roles in doc.items():
        assert {r for r in Role if permission in ROLE_PERMISSIONS[r]} == roles, permission


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """A store with one user per role, and the simulated car connected once."""
    home = tmp_path_factory.mktemp("matrix")
    store, people = open_people(f"sqlite:///{home / 'shop.sqlite3'}")
    actors = staff(people)
    session = LiveSession(SourceSpec(kind="sim", faults=("vacuum_leak",)), events=EventBus(), store=store, signals=[])
    session.connect()
    yield store, people, actors, session
    session.close()
    store.close()


def _service_action(permission: Permission, store, people, session, actor):
    """Do ``permission``'s action through the core as ``actor``."""
    if permission is Permission.CLEAR_CODES:
        session.clear_codes(actor, confirmed=True)
    elif permission is Permission.TRANSMIT_FRAMES:
        session._actor = actor
        try:
            session.send_frame(can.Message(arbitration_id=0x321, data=b"\x01", is_extended_id=False))
        finally:
            session._actor = None
    elif permission is Permission.START_RECORDING:
        session._actor = actor
        try:
            session.start_recording("matrix")
            session.stop_recording()
        finally:
            session._actor = None
    elif permission is Permission.DELETE_RECORDING:
        delete_recording(store, actor, store.recordings.create(vin="WVWZZZ1JZXW000001", notes="to delete"))
    elif permission is Permission.EDIT_SCHEDULE:
        guard_workshop(store.workshop, lambda: actor).add_bay(f"Lift {uuid.uuid4().hex[:6]}", "general lift")
    elif permission is Permission.MANAGE_USERS:
        people.users.unlock(actor, "technician")
    elif permission is Permission.CHANGE_SETTINGS:
        settings, _ = load_settings()
        save_settings_as(actor, settings)
    elif permission is Permission.SYNC:
        check_sync(actor, "resolve")
    else:  # claims and coverage (the warranty service wires them itself) and reading the trail: the check alone
        authorize(actor, permission, record="matrix")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value.replace(" ", "_"))
def test_every_action_through_the_core(bench, role):
    store, people, actors, session = bench
    doc = documented_matrix()
    actor = actors[role.value]
    for permission in sorted(set(Permission), key=lambda p: p.value):
        before = len(people.audit.entries(user=actor.name, action=permission.value))
        if role in doc[permission]:
            _service_action(permission, store, people, session, actor)
        else:
            with pytest.raises(PermissionDenied, match=f"may not {re.escape(permission.value)}"):
                _service_action(permission, store, people, session, actor)
            refused = people.audit.entries(user=actor.name, action=permission.value)
            assert len(refused) == before + 1 and refused[0].outcome == "refused", permission


CLI_ACTIONS = {  # permission -> argv (after the common options); {rec} is a fresh recording's id
    Permission.CLEAR_CODES: ["clear", "--sim", "--yes", "--fault", "vacuum_leak"],
    Permission.START_RECORDING: ["record", "--sim", "--seconds", "0.3", "--speed", "4"],
    Permission.DELETE_RECORDING: ["sessions", "delete", "{rec}"],
    Permission.EDIT_SCHEDULE: ["schedule", "add", "bay", "{bay}", "--type", "general lift"],
    Permission.MANAGE_USERS: ["users", "unlock", "technician"],
    Permission.VIEW_AUDIT: ["audit", "show", "--limit", "1"],
    Permission.SYNC: ["sync", "configure", "postgresql://shop@127.0.0.1:5432/none"],
}


def test_every_action_through_the_cli(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    store, people = open_people(url)
    try:
        staff(people)
        doc = documented_matrix()
        for role in Role:
            name = "admin" if role is Role.ADMIN else role.value.replace(" ", "_")
            monkeypatch.setenv("CARVROOOM_PASSWORD", ADMIN_PASSWORD if role is Role.ADMIN else PASSWORD)
            for permission, argv in CLI_ACTIONS.items():
                rec = str(store.recordings.create(vin="WVWZZZ1JZXW000001")) if "{rec}" in argv else ""
                args = [a.format(rec=rec, bay=f"Bay {uuid.uuid4().hex[:6]}") for a in argv]
                capsys.readouterr()
                code = run_cli(["--db", url, "--as", name, *args])
                err = capsys.readouterr().err
                if role in doc[permission]:
                    assert code == 0, (role, permission, err)
                else:
                    assert code == 1 and f"may not {permission.value}" in err, (role, permission, code, err)
    finally:
        store.close()


def test_the_cli_wants_a_user_once_users_exist(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    store, people = open_people(url)
    try:
        staff(people)
        assert run_cli(["--db", url, "audit", "show"]) == 1
        assert "sign in with --as NAME" in capsys.readouterr().err
    finally:
        store.close()
