"""E-mail against a local SMTP server started by the test (aiosmtpd): reaches it, escalates, fails clearly."""

from __future__ import annotations

import logging

import pytest

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.channels import ChannelError, Message
from carvrooom_desktop.alerts.config import AlertSettings, SmtpSettings, load_alert_settings, save_alert_settings
from carvrooom_desktop.alerts.directory import Recipient, SettingsDirectory
from carvrooom_desktop.alerts.email_channel import EmailChannel, message_id
from carvrooom_desktop.alerts.policies import parse_policies
from carvrooom_desktop.alerts.rules import load_rules
from carvrooom_desktop.alerts.scheduler import EscalationScheduler
from carvrooom_desktop.alerts.service import send_test_mail
from carvrooom_desktop.errors import InvalidRequest
from tests.alerts.alerts_helpers import (
    MAIL_PEOPLE,
    Authenticator,
    do_not_drive,
    free_port,
    hanging_server,
    self_signed,
    smtp_server,
)

POLICY = parse_policies({"format": "carvrooom-escalation-policies/1", "policies": [{"id": "safety", "levels": [
    {"notify": ["technician"], "channels": ["email"], "wait_minutes": 5},
    {"notify": ["service manager"], "channels": ["email"], "wait_minutes": 10}]}]})
SUE = [Recipient("Sue", "sue@shop.example")]


def _plain(port: int, **kw) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", timeout_s=kw.pop("timeout_s", 5), **kw)


def test_the_alert_reaches_the_server_and_escalates_on_schedule(repo, clock):
    with smtp_server() as (port, inbox):
        scheduler = EscalationScheduler(repo, {"email": EmailChannel(_plain(port))}, SettingsDirectory(MAIL_PEOPLE), clock)
        centre = AlertCentre(repo, load_rules(), POLICY, clock=clock, scheduler=scheduler)
        [alert] = centre.handle(*do_not_drive())
        assert scheduler.run_due() == 1
        assert inbox.wait_for(1)
        to, mail = inbox.messages[0]
        assert to == ["tom@shop.example"] and mail["Subject"].startswith("[CarVrooom critical] Do not drive: Brake fluid leak")
        assert "WVWZZZ1JZXW000001" in mail.get_payload() and f"carvrooom alerts ack {str(alert.id)[:8]}" in mail.get_payload()
        clock.advance(5 * 60 - 1)
        assert scheduler.run_due() == 0  # not yet
        clock.advance(1)
        assert scheduler.run_due() == 1  # escalated to the service manager on time
        assert inbox.wait_for(2)
        assert inbox.messages[1][0] == ["sue@shop.example"]
        assert inbox.message_ids[1] == message_id(repo.steps(alert.id)[1].idempotency_key)
        assert repo.steps(alert.id)[1].recipients == ("sue@shop.example",)


def test_a_server_that_refuses_gets_a_clear_message_and_the_step_is_sent_when_it_is_back(repo, clock, caplog):
    port = free_port()  # nothing listens there yet
    scheduler = EscalationScheduler(repo, {"email": EmailChannel(_plain(port))}, SettingsDirectory(MAIL_PEOPLE), clock,
                                    retry_s=(30,))
    centre = AlertCentre(repo, load_rules(), POLICY, clock=clock, scheduler=scheduler)
    [alert] = centre.handle(*do_not_drive())
    assert scheduler.run_due() == 0
    step = repo.steps(alert.id)[0]
    assert step.state == "pending" and "127.0.0.1:%d refused the connection" % port in step.last_error
    with smtp_server(port) as (_port, inbox):
        clock.advance(30)
        assert scheduler.run_due() == 1
        assert inbox.wait_for(1)
    assert repo.steps(alert.id)[0].state == "sent"


def test_a_server_that_hangs_fails_within_the_timeout_with_a_clear_message():
    with hanging_server() as port:
        channel = EmailChannel(_plain(port, timeout_s=0.5))
        with pytest.raises(ChannelError, match=r"did not answer within 0.5 s") as e:
            channel.send(Message("s", "b", "k"), SUE)
    assert e.value.retry


def test_starttls_and_a_login_with_the_password_from_the_keyring(tmp_path, caplog, store, carvrooom_home, db_url):
    server_ctx, client_ctx = self_signed(tmp_path)
    secret = "s3cr3t-Pa55!"
    settings = AlertSettings(smtp=SmtpSettings(host="127.0.0.1", port=0, security="starttls", username="shop", sender="alerts@shop.example"))
    with smtp_server(tls_context=server_ctx, require_starttls=True, authenticator=Authenticator("shop", secret),
                     auth_require_tls=True) as (port, inbox):
        settings.smtp.port = port
        save_alert_settings(settings, password=secret)
        saved = load_alert_settings()
        assert secret not in (carvrooom_home / "config" / "alerts.json").read_text()
        assert saved.smtp.password() == secret
        channel = EmailChannel(saved.smtp, tls_context=client_ctx)
        with caplog.at_level(logging.DEBUG):
            assert channel.send(Message("[CarVrooom] hello", "body", "k1"), SUE) == ["sue@shop.example"]
            assert inbox.wait_for(1)
            wrong = EmailChannel(saved.smtp, password=lambda: "wrong-" + secret, tls_context=client_ctx)
            with pytest.raises(ChannelError, match="refused the user name or password for 'shop'") as e:
                wrong.send(Message("s", "b", "k2"), SUE)
        assert secret not in str(e.value) and secret not in caplog.text
        assert secret.encode() not in open(db_url.removeprefix("sqlite:///"), "rb").read()
        with pytest.raises(ChannelError, match="TLS handshake"):  # the server's certificate is not trusted by default
            EmailChannel(saved.smtp).send(Message("s", "b", "k3"), SUE)


def test_implicit_tls(tmp_path):
    server_ctx, client_ctx = self_signed(tmp_path)
    with smtp_server(ssl_context=server_ctx) as (port, inbox):
        channel = EmailChannel(SmtpSettings(host="127.0.0.1", port=port, security="tls", timeout_s=5), tls_context=client_ctx)
        assert channel.send(Message("s", "b", "k"), SUE) == ["sue@shop.example"]
        assert inbox.wait_for(1)


def test_test_mail_and_settings_checks():
    with smtp_server() as (port, inbox):
        settings = AlertSettings(smtp=_plain(port), recipients={"admin": ["Ada <ada@shop.example>"]})
        assert send_test_mail(settings) == ["ada@shop.example"]
        assert send_test_mail(settings, "boss@shop.example") == ["boss@shop.example"]
        assert inbox.wait_for(2) and inbox.subjects == ["[CarVrooom] test mail"] * 2
    with pytest.raises(ChannelError, match="no address"):
        send_test_mail(AlertSettings(smtp=_plain(1)))
    with pytest.raises(ChannelError, match="no mail server is set up"):
        send_test_mail(AlertSettings(), "a@b.c")
    with pytest.raises(InvalidRequest, match="security 'ssl' unknown"):
        save_alert_settings(AlertSettings(smtp=SmtpSettings(host="x", security="ssl")))
    with pytest.raises(InvalidRequest, match="needs a user name"):
        save_alert_settings(AlertSettings(smtp=SmtpSettings(host="x")), password="pw")


def test_send_mail_is_the_seam_for_other_features_with_attachments():
    from carvrooom_desktop.alerts.channels import Attachment
    from carvrooom_desktop.alerts.service import send_mail

    with smtp_server() as (port, inbox):
        settings = AlertSettings(smtp=_plain(port))
        pdf = b"%PDF-1.7 owner's report"
        reached = send_mail(["Owner <owner@example.com>"], "Your car's report", "Attached.", settings=settings,
                            attachments=[Attachment("report.pdf", pdf, "application/pdf")])
        assert reached == ["owner@example.com"] and inbox.wait_for(1)
        _to, mail = inbox.messages[0]
        [part] = [p for p in mail.walk() if p.get_filename() == "report.pdf"]
        assert part.get_payload(decode=True) == pdf and part.get_content_type() == "application/pdf"
