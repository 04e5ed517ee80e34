"""Who acts on alerts: the audit of acknowledge/resolve and the permission to change rules, policies and mail.

Acknowledging and resolving are open to everyone signed in (responders, as in PagerDuty) and audited.
Changing the alert rules, the escalation policies or the mail server is a settings change
(``Permission.CHANGE_SETTINGS``), checked here for the GUI and the CLI alike, refusals audited.
"""

from __future__ import annotations

from typing import Any

from carvrooom_desktop.domain.roles import Permission


def _trail(store_or_engine: Any) -> Any:
    from carvrooom_desktop.people import People

    return People.of(store_or_engine).audit


def may_change_alert_settings(store_or_engine: Any, role: str, *, name: str = "", what: str = "alerts") -> None:
    """Raise PermissionDenied (audited) unless ``role`` may change settings."""
    from carvrooom_desktop.people import Actor, authorize

    trail = _trail(store_or_engine) if store_or_engine is not None else None
    actor = Actor.for_role(role, audit=trail) if not name else Actor.for_role(role, name=name, audit=trail)
    authorize(actor, Permission.CHANGE_SETTINGS, record=what)


def audit_alert_action(store_or_engine: Any, who: str, action: str, alert: dict[str, Any], before: str) -> None:
    """One audit entry: who acknowledged or resolved which alert, the state before and after."""
    _trail(store_or_engine).append(who, action, record=f"alert:{alert['id']}", before={"state": before},
                                   after={"state": alert["state"], "note": alert.get("note", "")})


__all__ = ["audit_alert_action", "may_change_alert_settings"]
