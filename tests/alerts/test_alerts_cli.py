"""``carvrooom alerts``: list, ack, resolve, rules, policies, steps, smtp, test-mail, escalate (through run_cli)."""

from __future__ import annotations

import io
import json

import pytest

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.config import load_alert_settings, policies_in_force, rules_in_force
from carvrooom_desktop.cli import run_cli
from tests.alerts.alerts_helpers import critical_health, do_not_drive, smtp_server


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = run_cli(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def raised(repo, clock):
    centre = AlertCentre(repo, rules_in_force(), policies_in_force(), clock=clock)
    [a] = centre.handle(*do_not_drive())
    [b] = centre.handle(*critical_health())
    return a, b


def test_list_ack_resolve(capsys, db_url, raised):
    a, b = raised
    code, out, _ = _cli(capsys, "alerts", "list", "--db", db_url)
    assert code == 0 and "critical" in out and "WVWZZZ1JZXW000001" in out and "raised" in out
    code, out, _ = _cli(capsys, "alerts", "ack", str(a.id)[:8], "--db", db_url, "--json")
    assert code == 0 and json.loads(out)["state"] == "acknowledged" and json.loads(out)["acknowledged_by"]
    code, out, _ = _cli(capsys, "alerts", "resolve", str(b.id)[:8], "--note", "fixed", "--db", db_url)
    assert code == 0 and "resolved" in out
    code, out, _ = _cli(capsys, "alerts", "list", "--db", db_url, "--json")
    assert [x["id"] for x in json.loads(out)] == [str(a.id)]
    code, out, _ = _cli(capsys, "alerts", "list", "--all", "--db", db_url, "--json")
    assert {x["state"] for x in json.loads(out)} == {"acknowledged", "resolved"}
    code, _out, err = _cli(capsys, "alerts", "ack", str(b.id)[:8], "--db", db_url)
    assert code == 1 and "already resolved" in err
    code, _out, err = _cli(capsys, "alerts", "ack", "ffffffff", "--db", db_url)
    assert code == 1 and "no alert with an id starting" in err


def test_steps_and_escalate(capsys, db_url, raised):
    a, _b = raised
    code, out, _ = _cli(capsys, "alerts", "steps", str(a.id)[:8], "--db", db_url, "--json")
    steps = json.loads(out)
    assert code == 0 and steps and {s["state"] for s in steps} == {"pending"}
    code, out, _ = _cli(capsys, "alerts", "escalate", "--db", db_url)  # the fake clock's steps are long due on the real one
    assert "notice(s) sent" in out


def test_rules_and_policies(capsys):
    code, out, _ = _cli(capsys, "alerts", "rules", "--json")
    assert code == 0 and {r["id"] for r in json.loads(out)["rules"]} >= {"do-not-drive", "critical-health", "warranty-flag", "booking-at-risk"}
    code, out, _ = _cli(capsys, "alerts", "rules")
    assert "do-not-drive" in out and "policy safety" in out
    code, out, _ = _cli(capsys, "alerts", "policies")
    assert code == 0 and "notify service manager by in_app, desktop, email: 3 x every 10 min" in out
    assert json.loads(_cli(capsys, "alerts", "policies", "--json")[1])["format"] == "carvrooom-escalation-policies/1"


def test_smtp_then_test_mail(capsys, monkeypatch, db_url, memory_keyring):
    with smtp_server() as (port, inbox):
        monkeypatch.setattr("sys.stdin", io.StringIO("pa55word\n"))
        code, out, _ = _cli(capsys, "alerts", "smtp", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
                            "--sender", "alerts@shop.example", "--db", db_url)
        assert code == 0 and "127.0.0.1" in out
        code, out, _ = _cli(capsys, "alerts", "test-mail", "boss@shop.example", "--json")
        assert code == 0 and json.loads(out)["to"] == ["boss@shop.example"]
        assert inbox.wait_for(1)
    assert load_alert_settings().smtp.port == port
    code, out, err = _cli(capsys, "alerts", "test-mail", "boss@shop.example")  # the server is gone now
    assert code == 1 and "refused the connection" in err


def test_a_password_without_a_user_is_refused(capsys, monkeypatch, db_url):
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    code, _out, err = _cli(capsys, "alerts", "smtp", "--host", "mail.example", "--password-stdin", "--db", db_url)
    assert code == 1 and "needs a user name" in err and "pw" not in err.replace("password", "")
