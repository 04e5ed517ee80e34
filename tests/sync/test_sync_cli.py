"""``carvrooom sync``: --once, status --json, conflicts, configure (password to the keyring), clear exit codes."""

from __future__ import annotations

import json

import pytest

import carvrooom_desktop.cli as cli
from carvrooom_desktop.config.secret_store import database_secret_name, get_secret
from carvrooom_desktop.config.settings import load_settings


@pytest.fixture(autouse=True)
def sync_command(monkeypatch):
    monkeypatch.setitem(cli.COMMAND_MODULES, "sync", "sync")  # registered in cli/__init__.py; harmless twice


def _run(capsys, *argv):
    code = cli.run_cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_configure_keeps_the_password_out_of_the_settings(capsys):
    code, out, _ = _run(capsys, "sync", "configure", "postgresql://shop:s3cret@server.lan:5432/workshop")
    assert code == 0 and "s3cret" not in out
    settings, _ = load_settings()
    assert settings.shared_database_url == "postgresql://shop@server.lan:5432/workshop"
    assert get_secret(database_secret_name(settings.shared_database_url)) == "s3cret"


def test_no_shared_database_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.delenv("CARVROOOM_SHARED_URL", raising=False)
    code, _, err = _run(capsys, "sync", "--once")
    assert code == 1 and "--shared URL" in err and "CARVROOOM_SHARED_URL" in err


def test_unreachable_shared_database_exits_1_with_the_state(capsys):
    code, out, err = _run(capsys, "sync", "status", "--json", "--shared", "postgresql://shop@127.0.0.1:1/workshop")
    status = json.loads(out)
    assert code == 1 and status["state"] == "offline" and status["text"] == "offline" and "cannot be reached" in status["message"]


@pytest.mark.postgres
def test_init_sync_status_and_conflicts_from_the_environment(capsys, monkeypatch, postgres_url):
    monkeypatch.setenv("CARVROOOM_SHARED_URL", postgres_url)
    code, _, err = _run(capsys, "sync", "status")
    assert code == 1 and "--init-shared" in err
    code, out, err = _run(capsys, "sync", "--once", "--init-shared")
    assert code == 0 and out.startswith("synced") and "migrated" in err
    code, out, _ = _run(capsys, "sync", "status", "--json")
    assert code == 0 and json.loads(out)["state"] == "synced"
    code, out, _ = _run(capsys, "sync", "conflicts")
    assert code == 0 and out.strip() == "no conflicts"
