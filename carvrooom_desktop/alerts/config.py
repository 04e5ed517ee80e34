"""Alert settings: the mail server, recipients by role, desktop notifications (``alerts.json``).

Kept beside ``settings.json`` in the config directory, in a file of its own so the alerts can
grow without touching the app's settings schema. The SMTP password is never here: it lives in
the OS keyring under ``smtp:user@host:port`` (``config/secret_store.py``); ``save`` refuses a
document that carries one.

The rules and policies in force are the user's copies (``alert_rules.json``,
``alert_policies.json`` beside this file) when the Alerts page saved them, else the shipped ones.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from carvrooom_desktop.alerts.policies import PolicySet, load_policies, parse_policies
from carvrooom_desktop.alerts.rules import RuleSet, load_rules, parse_rules
from carvrooom_desktop.config.secret_store import get_secret, set_secret
from carvrooom_desktop.errors import InvalidRequest, SettingsError
from carvrooom_desktop.paths import config_dir, ensure_dir

log = logging.getLogger(__name__)

FILE_NAME: Final = "alerts.json"
RULES_FILE: Final = "alert_rules.json"
POLICIES_FILE: Final = "alert_policies.json"
SECURITY: Final = ("starttls", "tls", "none")  # STARTTLS on 587, implicit TLS on 465, plain (a local relay)


@dataclass
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    sender: str = "carvrooom@localhost"
    timeout_s: float = 10.0  # connect and each command; a hanging server fails the step after this

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def secret_name(self) -> str:
        return f"smtp:{self.username}@{self.host}:{self.port}"

    def password(self) -> str | None:
        return get_secret(self.secret_name) if self.username else None

    def problems(self) -> list[str]:
        out = []
        if self.security not in SECURITY:
            out.append(f"smtp security {self.security!r} unknown; one of {', '.join(SECURITY)}")
        if not 1 <= self.port <= 65535:
            out.append(f"smtp port {self.port} out of range 1..65535")
        if not 0.5 <= self.timeout_s <= 120:
            out.append(f"smtp timeout {self.timeout_s} s out of range 0.5..120")
        if self.host and "@" not in self.sender:
            out.append(f"smtp sender {self.sender!r} is not an e-mail address")
        return out


@dataclass
class AlertSettings:
    schema_version: int = 1
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    recipients: dict[str, list[str]] = field(default_factory=dict)  # role -> ["Name <addr>", ...]
    desktop_notifications: bool = True
    retry_s: list[float] = field(default_factory=lambda: [30.0, 60.0, 120.0, 300.0, 600.0])  # a failed step's waits


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def load_alert_settings(path: Path | None = None) -> AlertSettings:
    path = path or settings_path()
    if not path.exists():
        return AlertSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        smtp = SmtpSettings(**{k: v for k, v in (raw.get("smtp") or {}).items() if k in SmtpSettings.__dataclass_fields__})
        s = AlertSettings(smtp=smtp, recipients={str(k): [str(x) for x in v] for k, v in (raw.get("recipients") or {}).items()},
                          desktop_notifications=bool(raw.get("desktop_notifications", True)))
        if isinstance(raw.get("retry_s"), list) and raw["retry_s"]:
            s.retry_s = [float(x) for x in raw["retry_s"]]
    except (OSError, ValueError, TypeError, AttributeError) as e:
        log.warning("alert settings %s do not parse (%s); using defaults", path, e)
        return AlertSettings()
    return s


def save_alert_settings(settings: AlertSettings, path: Path | None = None, *, password: str | None = None) -> None:
    """Atomic write; ``password`` (if given) goes to the keyring, never to the file."""
    problems = settings.smtp.problems()
    if problems:
        raise InvalidRequest("; ".join(problems))
    path = path or settings_path()
    if password:
        if not settings.smtp.username:
            raise InvalidRequest("an SMTP password needs a user name")
        set_secret(settings.smtp.secret_name, password)
    try:
        ensure_dir(path.parent)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise SettingsError(f"cannot write the alert settings to {path}: {e}") from e


def rules_in_force() -> RuleSet:
    user = config_dir() / RULES_FILE
    return load_rules(user if user.exists() else None)


def policies_in_force() -> PolicySet:
    user = config_dir() / POLICIES_FILE
    return load_policies(user if user.exists() else None)


def save_rules_text(text: str) -> RuleSet:
    """Check an edited rules document and keep it as the user's copy (nothing written if it is bad)."""
    rules = parse_rules(_json(text, "alert rules"), where="the edited alert rules")
    _write(config_dir() / RULES_FILE, json.dumps(rules.to_dict(), indent=2))
    return rules


def save_policies_text(text: str) -> PolicySet:
    policies = parse_policies(_json(text, "escalation policies"), where="the edited escalation policies")
    _write(config_dir() / POLICIES_FILE, json.dumps(policies.to_dict(), indent=2))
    return policies


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise InvalidRequest(f"the {what} are not valid JSON: {e}") from e


def _write(path: Path, text: str) -> None:
    try:
        ensure_dir(path.parent)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise SettingsError(f"cannot write {path}: {e}") from e


__all__ = ["SECURITY", "AlertSettings", "SmtpSettings", "load_alert_settings", "policies_in_force", "rules_in_force",
           "save_alert_settings", "save_policies_text", "save_rules_text"]
