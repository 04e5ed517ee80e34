"""``carvrooom users|roles|audit``: first admin from stdin, JSON listings, verify's exit code on tampering."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from carvrooom_desktop.cli import run_cli
from tests.people.people_helpers import ADMIN_PASSWORD, PASSWORD


def _run(monkeypatch, capsys, argv, stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = run_cli(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_first_admin_users_roles_and_audit(tmp_path, monkeypatch, capsys):
    db = ["--db", f"sqlite:///{tmp_path / 'shop.sqlite3'}"]
    code, out, _ = _run(monkeypatch, capsys, [*db, "users", "create-admin", "boss", "--email", "boss@shop.example",
                                              "--password-stdin"], ADMIN_PASSWORD + "\n")
    assert code == 0 and "demo mode is over" in out
    code, _, err = _run(monkeypatch, capsys, [*db, "users", "create-admin", "boss2", "--password-stdin"], ADMIN_PASSWORD + "\n")
    assert code == 1 and "users exist already" in err
    monkeypatch.setenv("CARVROOOM_PASSWORD", ADMIN_PASSWORD)
    code, out, err = _run(monkeypatch, capsys, [*db, "--as", "boss", "users", "add", "tina", "--role", "technician",
                                                "--email", "tina@shop.example", "--password-stdin"], PASSWORD + "\n")
    assert code == 0, err
    code, out, _ = _run(monkeypatch, capsys, [*db, "--as", "boss", "users", "list", "--json"])
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [("boss", "admin"), ("tina", "technician")]
    code, out, err = _run(monkeypatch, capsys, [*db, "--as", "boss", "roles", "save", "apprentice", "--allow", "START_RECORDING"])
    assert code == 0 and "START_RECORDING" in out, err
    code, out, _ = _run(monkeypatch, capsys, [*db, "roles", "list", "--json"])
    assert {r["name"]: r["permissions"] for r in json.loads(out)}["apprentice"] == ["START_RECORDING"]
    code, out, _ = _run(monkeypatch, capsys, [*db, "--as", "boss", "users", "set-role", "tina", "apprentice"])
    assert code == 0
    monkeypatch.setenv("CARVROOOM_PASSWORD", "wrong-guess-123")
    code, _, err = _run(monkeypatch, capsys, [*db, "--as", "tina", "audit", "show"])
    assert code == 1 and "wrong user name or password" in err
    monkeypatch.setenv("CARVROOOM_PASSWORD", ADMIN_PASSWORD)
    code, out, _ = _run(monkeypatch, capsys, [*db, "--as", "boss", "audit", "show", "--user", "tina", "--json"])
    shown = json.loads(out)
    assert shown[0]["action"] == "sign in" and shown[0]["outcome"] == "failed"
    code, out, _ = _run(monkeypatch, capsys, [*db, "--as", "boss", "audit", "show", "--record", "user:tina", "--since", "1h"])
    assert "change role" in out and '{"role":"apprentice"}' in out
    code, out, _ = _run(monkeypatch, capsys, [*db, "--as", "boss", "audit", "verify"])
    assert code == 0 and out.startswith("audit trail intact")


def test_verify_names_the_first_bad_entry_and_exits_3(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    db = ["--db", url]
    _run(monkeypatch, capsys, [*db, "users", "create-admin", "boss", "--password-stdin"], ADMIN_PASSWORD + "\n")
    monkeypatch.setenv("CARVROOOM_PASSWORD", ADMIN_PASSWORD)
    for _ in range(3):
        _run(monkeypatch, capsys, [*db, "--as", "boss", "users", "list"])
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET outcome = 'ok' WHERE seq = 2"))  # a sign-in, now claimed good
        conn.execute(sa.text("UPDATE audit_entries SET actor = 'someone' WHERE seq = 2"))
    engine.dispose()
    code, out, _ = _run(monkeypatch, capsys, [*db, "--as", "boss", "audit", "verify", "--json"])
    report = json.loads(out)
    assert code == 3 and not report["ok"]
    assert report["first_problem"].startswith("entry #2 of workstation") and "was edited" in report["first_problem"]


def test_demo_mode_cli_needs_no_user(tmp_path, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, ["--db", f"sqlite:///{tmp_path / 'demo.sqlite3'}", "audit", "verify"])
    assert code == 0 and "intact: 0 entries" in out
