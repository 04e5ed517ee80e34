"""``carvrooom alerts list|ack|resolve|rules|policies|test-mail|smtp|escalate``: the alert centre from the shell.

    carvrooom alerts list [--all | --state S] [--json]   open alerts (newest first) with severity, car, age, state
    carvrooom alerts ack ID [--note TEXT]                acknowledge (stops the escalation); ID: a prefix is enough
    carvrooom alerts resolve ID [--note TEXT]            resolve (cancels every pending notice)
    carvrooom alerts rules [--json]                      the rules in force (the user's copy, else the shipped ones)
    carvrooom alerts policies [--json]                   the escalation policies in force
    carvrooom alerts steps [ID] [--json]                 the outbox: planned, sent and failed notices
    carvrooom alerts smtp --host H [--port P] [--security starttls|tls|none] [--user U] [--sender A] [--password-stdin]
    carvrooom alerts test-mail [TO] [--json]             send one test mail now
    carvrooom alerts escalate                            send every notice that is due now, then exit

Who acknowledges: the signed-in user (``--as NAME``, ``CARVROOOM_USER``), or the demo user with the
workstation's role when the store has no users. The SMTP password is read from stdin
(``--password-stdin``) and kept in the OS keyring only.

Exit codes: 0 done; 1 a refused action, an unknown alert or a mail that could not be sent; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carvrooom_desktop.alerts.model import Alert
    from carvrooom_desktop.storage.store import Store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("alerts", help="the alert centre: list, acknowledge, resolve; rules, policies, mail",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="open alerts, newest first")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="resolved ones too")
    which.add_argument("--state", choices=("raised", "acknowledged", "resolved"))
    listing.add_argument("--limit", type=int, default=200)
    listing.add_argument("--json", action="store_true")
    for name, what in (("ack", "acknowledge an alert (stops its escalation)"), ("resolve", "resolve an alert")):
        p = actions.add_parser(name, help=what)
        p.add_argument("id", help="the alert's id (a prefix of at least 4 characters)")
        p.add_argument("--note", default="")
        p.add_argument("--json", action="store_true")
    for name, what in (("rules", "the alert rules in force"), ("policies", "the escalation policies in force")):
        actions.add_parser(name, help=what).add_argument("--json", action="store_true")
    steps = actions.add_parser("steps", help="the notification outbox (one alert, or all)")
    steps.add_argument("id", nargs="?")
    steps.add_argument("--json", action="store_true")
    smtp = actions.add_parser("smtp", help="set the mail server (password from stdin, kept in the keyring)")
    smtp.add_argument("--host", required=True)
    smtp.add_argument("--port", type=int, default=587)
    smtp.add_argument("--security", choices=("starttls", "tls", "none"), default="starttls")
    smtp.add_argument("--user", default="")
    smtp.add_argument("--sender", default="carvrooom@localhost")
    smtp.add_argument("--timeout", type=float, default=10.0, help="seconds for the connection and each command")
    smtp.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    mail = actions.add_parser("test-mail", help="send one test mail now (to TO, or every recipient in the settings)")
    mail.add_argument("to", nargs="?", default="")
    mail.add_argument("--json", action="store_true")
    actions.add_parser("escalate", help="send the notices due now, then exit")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from carvrooom_desktop.alerts import config

    action = args.action
    if action == "rules":
        return _dump(config.rules_in_force().to_dict(), args.json, _rules_text)
    if action == "policies":
        return _dump(config.policies_in_force().to_dict(), args.json, _policies_text)
    if action == "test-mail":
        return _test_mail(args)
    from carvrooom_desktop.cli.common import open_store

    with open_store(args) as store:
        if action == "smtp":
            return _smtp(args, store)
        if action == "escalate":
            from carvrooom_desktop.alerts.service import open_alerts

            service = open_alerts(store.engine, store.origin)
            print(f"{service.scheduler.run_due()} notice(s) sent, {service.scheduler.failed} failed (kept for a retry)")
            return 0 if not service.scheduler.failed else 1
        from carvrooom_desktop.alerts.store import AlertRepository

        repo = AlertRepository(store.engine, store.origin)
        if action == "list":
            alerts = repo.list(open_only=not args.all and not args.state, state=args.state, limit=args.limit)
            if args.json:
                print(json.dumps([a.to_dict() for a in alerts], indent=2))
            else:
                _table(alerts)
            return 0
        if action == "steps":
            found = repo.find(args.id).id if args.id else None
            steps = repo.steps(found)
            if args.json:
                print(json.dumps([{"id": s.step_id, "key": s.idempotency_key, "alert_id": str(s.alert_id), "level": s.level,
                                   "round": s.round, "role": s.role, "channel": s.channel, "due_at": s.due_at, "state": s.state,
                                   "attempts": s.attempts, "sent_at": s.sent_at, "recipients": list(s.recipients),
                                   "last_error": s.last_error} for s in steps], indent=2))
            else:
                for s in steps:
                    due = datetime.fromtimestamp(s.due_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
                    print(f"{str(s.alert_id)[:8]}  L{s.level + 1}.{s.round}  {s.role:<16} {s.channel:<8} {due}  {s.state:<9}"
                          + (f"  {s.last_error}" if s.last_error else ""))
            return 0
        return _act(args, store, repo)


def _act(args: argparse.Namespace, store: Store, repo: Any) -> int:
    import time

    actor = _actor(args, store)
    alert = repo.find(args.id)
    before = alert.state.value
    if args.action == "ack":
        done = repo.acknowledge(alert.id, actor.name, time.time(), args.note)
    else:
        done = repo.resolve(alert.id, actor.name, time.time(), args.note)
    _audit(actor, "acknowledge alert" if args.action == "ack" else "resolve alert", str(alert.id), before, done.state.value)
    if args.json:
        print(json.dumps(done.to_dict(), indent=2))
    else:
        print(f"{str(done.id)[:8]} {done.state.value} by {done.acknowledged_by if args.action == 'ack' else done.resolved_by}: {done.title}")
    return 0


def _actor(args: argparse.Namespace, store: Store) -> Any:
    """The signed-in user (the people module's CLI sign-in), or the demo user with the workstation's role."""
    try:
        from carvrooom_desktop.cli.signed_in import cli_actor  # the people half's sign-in (issue 14)
    except ImportError:
        from carvrooom_desktop.config.settings import load_settings
        from carvrooom_desktop.people import People

        settings, _ = load_settings()
        return People.of(store).demo_actor(settings.role)
    return cli_actor(args, store)


def _audit(actor: Any, what: str, record: str, before: str, after: str) -> None:
    from carvrooom_desktop.people import record_action

    record_action(actor, what, record=f"alert:{record}", before={"state": before}, after={"state": after})


def _smtp(args: argparse.Namespace, store: Store) -> int:
    from carvrooom_desktop.alerts.config import load_alert_settings, save_alert_settings
    from carvrooom_desktop.domain.roles import Permission
    from carvrooom_desktop.people import authorize

    actor = authorize(_actor(args, store), Permission.CHANGE_SETTINGS, record="alerts:smtp")
    settings = load_alert_settings()
    s = settings.smtp
    s.host, s.port, s.security, s.username, s.sender, s.timeout_s = (args.host, args.port, args.security, args.user, args.sender,
                                                                     args.timeout)
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    save_alert_settings(settings, password=password or None)
    _audit(actor, "change alert mail server", "smtp", "", f"{s.host}:{s.port} {s.security}")
    print(f"mail server: {s.host}:{s.port} ({s.security})" + (f", user {s.username} (password in the keyring)" if s.username else ""))
    return 0


def _test_mail(args: argparse.Namespace) -> int:
    from carvrooom_desktop.alerts.channels import ChannelError
    from carvrooom_desktop.alerts.config import load_alert_settings
    from carvrooom_desktop.alerts.service import send_test_mail

    settings = load_alert_settings()
    try:
        reached = send_test_mail(settings, args.to)
    except ChannelError as e:
        if args.json:
            print(json.dumps({"sent": False, "error": str(e)}))
        print(f"carvrooom: the test mail was not sent: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"sent": True, "to": reached, "server": f"{settings.smtp.host}:{settings.smtp.port}"}))
    else:
        print(f"test mail sent to {', '.join(reached)} through {settings.smtp.host}:{settings.smtp.port}")
    return 0


def _age(alert: Alert) -> str:
    minutes = max(0, int((datetime.now(UTC) - alert.raised_at).total_seconds() // 60))
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} d"


def _table(alerts: list[Alert]) -> None:
    if not alerts:
        print("no alerts")
        return
    print(f"{'id':<8}  {'severity':<8}  {'car':<17}  {'age':>6}  {'state':<12}  title")
    for a in alerts:
        print(f"{str(a.id)[:8]}  {a.severity.value:<8}  {(a.vin or '-')[:17]:<17}  {_age(a):>6}  {a.state.value:<12}  {a.title}")


def _dump(doc: dict[str, Any], as_json: bool, text: Any) -> int:
    if as_json:
        print(json.dumps(doc, indent=2))
    else:
        text(doc)
    return 0


def _rules_text(doc: dict[str, Any]) -> None:
    for r in doc["rules"]:
        params = {k: v for k, v in r.items() if k not in ("id", "kind", "name", "enabled", "severity", "policy")}
        print(f"{r['id']:<18} {'on ' if r['enabled'] else 'off'}  {r['kind']:<18} {r['severity']:<8} policy {r['policy'] or '-':<13} "
              + " ".join(f"{k}={v}" for k, v in params.items()))


def _policies_text(doc: dict[str, Any]) -> None:
    for p in doc["policies"]:
        print(f"{p['id']}: {p['name']} (stops when {p['stop_when']}" + (f", loops {p['loops']}" if p["loops"] else "") + ")")
        for i, lv in enumerate(p["levels"], 1):
            times = f"{lv['repeat'] + 1} x" if lv["repeat"] else "once,"
            print(f"  {i}. notify {', '.join(lv['notify'])} by {', '.join(lv['channels'])}: {times} every {lv['wait_minutes']:g} min")


__all__ = ["add_parser", "run"]
