"""E-mail over SMTP (smtplib): STARTTLS, implicit TLS or plain, a bounded timeout, the password from the keyring.

Every failure becomes a ``ChannelError`` that names the server and what to do, never the
password: a refused connection, a server that does not answer within ``timeout_s`` (connect and
each command), a refused login, refused recipients. The Message-ID is derived from the step's
idempotency key, so a step re-sent after a crash is the same message to the mail system.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from carvrooom_desktop.alerts.channels import ChannelError, Message
from carvrooom_desktop.alerts.config import SmtpSettings
from carvrooom_desktop.alerts.directory import Recipient


def message_id(idempotency_key: str) -> str:
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@carvrooom.alerts>"


class EmailChannel:
    name = "email"

    def __init__(self, settings: SmtpSettings, *, password: Callable[[], str | None] | None = None,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self._password = password or settings.password
        self.tls_context = tls_context  # tests pass one that trusts their own certificate

    def send(self, message: Message, recipients: Sequence[Recipient]) -> list[str]:
        s = self.settings
        if not s.configured:
            raise ChannelError("no mail server is set up (Alerts page > Mail server, or alerts.json)", retry=True)
        to = [r for r in recipients if r.email]
        if not to:
            raise ChannelError("nobody with an e-mail address has this role; add one in the alert settings' recipients",
                               retry=False)
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = s.sender
        mail["To"] = ", ".join(formataddr((r.name if r.name != r.email else "", r.email)) for r in to)
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = message_id(message.idempotency_key)
        mail["X-CarVrooom-Step"] = message.idempotency_key
        mail.set_content(message.body)
        for a in message.attachments:
            maintype, _, subtype = a.mime_type.partition("/")
            mail.add_attachment(a.data, maintype=maintype or "application", subtype=subtype or "octet-stream", filename=a.filename)
        password = self._password() if s.username else None
        where = f"the mail server {s.host}:{s.port}"
        try:
            self._deliver(mail, [r.email for r in to], password)
        except TimeoutError:  # socket.timeout too; ``from None``: the cause says no more, and nothing secret leaks
            raise ChannelError(f"{where} did not answer within {s.timeout_s:g} s; the notice will be retried") from None
        except smtplib.SMTPServerDisconnected as e:  # smtplib words a read timeout as a disconnect
            if "timed out" in str(e):
                raise ChannelError(f"{where} did not answer within {s.timeout_s:g} s; the notice will be retried") from None
            raise ChannelError(f"{where} closed the connection ({_text(e, password)}); the notice will be retried") from None
        except ConnectionRefusedError:
            raise ChannelError(f"{where} refused the connection (is it running, is the port right?); the notice will be retried") from None
        except smtplib.SMTPAuthenticationError as e:
            raise ChannelError(f"{where} refused the user name or password for {s.username!r} (code {e.smtp_code}); "
                               "set the password again in the Alerts page") from None
        except smtplib.SMTPRecipientsRefused as e:
            raise ChannelError(f"{where} refused every recipient: {', '.join(e.recipients)}", retry=False) from None
        except smtplib.SMTPNotSupportedError as e:
            raise ChannelError(f"{where} does not support {'STARTTLS' if s.security == 'starttls' else 'this'}: "
                               f"choose another security setting ({_text(e, password)})") from None
        except ssl.SSLError as e:
            raise ChannelError(f"the TLS handshake with {where} failed: {_text(e, password)}") from None
        except (smtplib.SMTPException, OSError) as e:
            raise ChannelError(f"{where} failed: {_text(e, password)}; the notice will be retried") from None
        return [r.email for r in to]

    def _deliver(self, mail: EmailMessage, to: list[str], password: str | None) -> None:
        s = self.settings
        context = self.tls_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        with smtp:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.username:
                if not password:
                    raise ChannelError(f"no password for {s.username!r} in the keyring; set it in the Alerts page", retry=True)
                smtp.login(s.username, password)
            smtp.send_message(mail, to_addrs=to)


def _text(e: BaseException, secret: str | None) -> str:
    text = str(e) or type(e).__name__
    return text.replace(secret, "***") if secret else text


__all__ = ["EmailChannel", "message_id"]
