"""Alerts (issue 14, the alerts half): rules on findings and diagnoses raise ``alert.raised``; an
alert centre with acknowledge and resolve; escalation policies as data worked from a persistent
outbox; e-mail over SMTP, desktop notifications and the in-app centre as channels.

No Qt here. ``service.open_alerts`` wires it all for the app and the CLI.
"""

from carvrooom_desktop.alerts.centre import AlertCentre
from carvrooom_desktop.alerts.model import Alert, AlertCandidate, AlertSeverity, AlertState

__all__ = ["Alert", "AlertCandidate", "AlertCentre", "AlertSeverity", "AlertState"]
