"""Alerts: the alert centre (severity, car, age, state; acknowledge / resolve), the rules and escalation
policies (viewed and edited as their JSON, checked before saving) and the mail server with "Send test mail".

The page binds to an :class:`~ui.alert_desk.AlertDesk`; new alerts arrive in batches and go into the
table with one insert per batch (``AlertsModel.prepend``), so a burst does not stall the GUI.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.table_model import Column, RowTableModel
from ui.theme import Theme
from ui.widgets.common import card, page_header, repolish, section_title, table_view

if TYPE_CHECKING:
    from ui.alert_desk import AlertDesk

MAX_ROWS = 5000  # the centre keeps the newest; the CLI and the store have them all


def _age(raised_at: str, now: datetime | None = None) -> str:
    try:
        then = datetime.fromisoformat(raised_at)
    except ValueError:
        return "?"
    minutes = max(0, int(((now or datetime.now(UTC)) - then).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} d"


def _raised(raised_at: str) -> str:
    try:
        return datetime.fromisoformat(raised_at).astimezone().strftime("%a %H:%M")
    except ValueError:
        return raised_at


def _who(a: dict[str, Any]) -> str:
    if a["state"] == "resolved":
        return a.get("resolved_by") or ""
    return a.get("acknowledged_by") or ""


SEVERITY_TONE = {"critical": "bad", "warning": "warn", "info": ""}
STATE_TONE = {"raised": "bad", "acknowledged": "warn", "resolved": "good"}
ALERT_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("Severity", lambda a: a["severity"], tone=lambda a: SEVERITY_TONE.get(a["severity"], "")),
    Column("Car", lambda a: a.get("vin") or "–"),
    Column("Alert", lambda a: a["title"], tooltip=lambda a: a.get("detail") or a["title"]),
    Column("Raised", lambda a: _raised(a["raised_at"]), tooltip=lambda a: a["raised_at"]),
    Column("Age", lambda a: _age(a["raised_at"]), align_right=True),
    Column("State", lambda a: a["state"], tone=lambda a: STATE_TONE.get(a["state"], "")),
    Column("By", _who),
)


class AlertsModel(RowTableModel[dict[str, Any]]):
    """Alert dicts, newest first; a batch goes in with one insert, a change updates one row."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ALERT_COLUMNS, parent)
        self.open_only = True

    def prepend(self, alerts: list[dict[str, Any]]) -> None:
        known = {a["id"] for a in self._rows}
        fresh = [a for a in reversed(alerts) if a["id"] not in known and (not self.open_only or a["state"] != "resolved")]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._rows[:0] = fresh
        self.endInsertRows()
        if len(self._rows) > MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), MAX_ROWS, len(self._rows) - 1)
            del self._rows[MAX_ROWS:]
            self.endRemoveRows()

    def update(self, alert: dict[str, Any]) -> None:
        for i, a in enumerate(self._rows):
            if a["id"] == alert["id"]:
                if self.open_only and alert["state"] == "resolved":
                    self.beginRemoveRows(QModelIndex(), i, i)
                    del self._rows[i]
                    self.endRemoveRows()
                else:
                    self._rows[i] = alert
                    self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))
                return

    def tick(self) -> None:
        """The age column moved on."""
        if self._rows:
            column = 4
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))


COLUMN_WIDTHS = (70, 150, 0, 80, 70, 100, 90)  # 0: the alert's title takes what is left


def alert_table(model: AlertsModel) -> Any:
    """The centre's table with fixed column widths: ResizeToContents would measure every row on every insert,
    which is what stalls a view during a burst of alerts."""
    view = table_view(model, stretch_column=2)
    header = view.horizontalHeader()
    for column, width in enumerate(COLUMN_WIDTHS):
        if width:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
    return view


class AlertsWorkspace(QWidget):
    def __init__(self, theme: Theme, desk: AlertDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.desk = desk
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(page_header(
            "Alerts", "Do-not-drive diagnoses, critical health findings, flagged claims and promises at risk. "
                      "Unacknowledged alerts escalate by their policy: notify, wait, repeat, then the next role."))
        self.banner = QLabel()
        self.banner.setObjectName("Banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._centre_tab(), "Alert centre")
        self.tabs.addTab(self._rules_tab(), "Rules and escalation")
        self.tabs.addTab(self._mail_tab(), "Mail server")
        layout.addWidget(self.tabs, 1)

        desk.alerts_loaded.connect(self._loaded)
        desk.alerts_arrived.connect(self._arrived)
        desk.alert_changed.connect(self._changed)
        # bound methods, not lambdas: Qt drops the connection when the page goes (the desk outlives it)
        desk.notice.connect(self._notice)
        desk.failed.connect(self._failed)
        desk.saved.connect(self._saved)
        desk.test_mail_done.connect(self._mail_result)
        self._ages = QTimer(self)
        self._ages.setInterval(30_000)
        self._ages.timeout.connect(self.model.tick)
        self._ages.start()
        if desk.available:
            QTimer.singleShot(0, self.request_refresh)
        else:
            self.show_banner(desk.problem, "bad")
        self.apply_theme(theme)

    # -- the centre ----------------------------------------------------------------------------------

    def _centre_tab(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 10, 0, 0)
        bar = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.addItems(["Open alerts", "All alerts"])
        self.filter.currentIndexChanged.connect(lambda _i: self.request_refresh())
        self.counts = QLabel("")
        self.counts.setObjectName("Muted")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.request_refresh)
        bar.addWidget(self.filter)
        bar.addWidget(self.counts, 1)
        bar.addWidget(refresh)
        layout.addLayout(bar)
        self.model = AlertsModel(self)
        self.model.rowsInserted.connect(lambda *_: self._count())
        self.model.rowsRemoved.connect(lambda *_: self._count())
        self.model.dataChanged.connect(lambda *_: self._count())
        self.table = alert_table(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        layout.addWidget(self.table, 1)
        frame, body = card(spacing=6)
        self.detail = QLabel("Select an alert to see what raised it.")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.detail)
        actions = QHBoxLayout()
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (optional): what was done, who is on it")
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setToolTip("Stops the escalation: nobody else is notified")
        self.resolve_button = QPushButton("Resolve")
        self.ack_button.clicked.connect(lambda: self._act("ack"))
        self.resolve_button.clicked.connect(lambda: self._act("resolve"))
        actions.addWidget(self.note, 1)
        actions.addWidget(self.ack_button)
        actions.addWidget(self.resolve_button)
        body.addLayout(actions)
        layout.addWidget(frame)
        self._selected()
        return box

    def request_refresh(self) -> None:
        self.model.open_only = self.filter.currentIndex() == 0
        self.desk.refresh(include_resolved=not self.model.open_only)

    def _loaded(self, alerts: list[dict[str, Any]]) -> None:
        self.model.set_rows(alerts[:MAX_ROWS])
        self._count()
        self._selected()

    def _arrived(self, alerts: list[dict[str, Any]]) -> None:
        self.model.prepend(alerts)

    def _changed(self, alert: dict[str, Any]) -> None:
        self.model.update(alert)
        self.note.clear()
        self._selected()

    def _count(self) -> None:
        rows = self.model.rows()
        open_rows = [a for a in rows if a["state"] != "resolved"]
        critical = sum(1 for a in open_rows if a["severity"] == "critical")
        raised = sum(1 for a in open_rows if a["state"] == "raised")
        self.counts.setText(f"{len(open_rows)} open · {critical} critical · {raised} not acknowledged")

    def current(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selected(self) -> None:
        a = self.current()
        self.ack_button.setEnabled(a is not None and a["state"] == "raised")
        self.resolve_button.setEnabled(a is not None and a["state"] != "resolved")
        if a is None:
            self.detail.setText("Select an alert to see what raised it.")
            return
        e = html.escape
        lines = [f"<b>{e(a['title'])}</b>", e(a.get("detail") or "")]
        lines.append(e(f"Rule {a['rule']} · policy {a.get('policy') or 'none'} · raised {_raised(a['raised_at'])} "
                       f"({_age(a['raised_at'])} ago)"))
        if a.get("acknowledged_by"):
            lines.append(e(f"Acknowledged by {a['acknowledged_by']} at {_raised(a['acknowledged_at'] or '')}"))
        if a.get("resolved_by"):
            lines.append(e(f"Resolved by {a['resolved_by']} at {_raised(a['resolved_at'] or '')}"))
        if a.get("note"):
            lines.append(e(f"Note: {a['note']}"))
        self.detail.setText("<br>".join(x for x in lines if x))

    def _act(self, what: str) -> None:
        a = self.current()
        if a is None:
            return
        if what == "ack":
            self.desk.acknowledge(a["id"], self.note.text().strip())
        else:
            self.desk.resolve(a["id"], self.note.text().strip())

    # -- rules and policies ------------------------------------------------------------------------------

    def _rules_tab(self) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 10, 0, 0)
        self.rules_edit, rules_frame = self._editor("Alert rules", "Which events raise an alert, how bad, which policy runs.",
                                                    self.desk.save_rules, self.desk.rules_text)
        self.policies_edit, policies_frame = self._editor(
            "Escalation policies", "Per level: notify roles, wait N minutes, repeat M times, then the next level; "
                                   "stops when acknowledged (or resolved).", self.desk.save_policies, self.desk.policies_text)
        layout.addWidget(rules_frame, 1)
        layout.addWidget(policies_frame, 1)
        return box

    def _editor(self, title: str, hint: str, save: Any, load: Any) -> tuple[QPlainTextEdit, QWidget]:
        frame, body = card(spacing=6)
        body.addWidget(section_title(title))
        note = QLabel(hint)
        note.setObjectName("Muted")
        note.setWordWrap(True)
        body.addWidget(note)
        edit = QPlainTextEdit()
        edit.setObjectName("Code")
        edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        try:
            edit.setPlainText(load())
        except Exception as e:  # a broken user copy: shown, so it can be fixed here
            edit.setPlainText("")
            self.show_banner(str(e), "bad")
        body.addWidget(edit, 1)
        row = QHBoxLayout()
        save_button = QPushButton("Check and save")
        revert = QPushButton("Revert")
        save_button.clicked.connect(lambda: save(edit.toPlainText()))
        revert.clicked.connect(lambda: edit.setPlainText(load()))
        row.addStretch(1)
        row.addWidget(revert)
        row.addWidget(save_button)
        body.addLayout(row)
        return edit, frame

    def _saved(self, what: str, text: str) -> None:
        self.show_banner(text, "good")
        if what == "smtp":
            self.password.clear()

    # -- mail server ----------------------------------------------------------------------------------

    def _mail_tab(self) -> QWidget:
        box = QWidget()
        outer = QHBoxLayout(box)
        outer.setContentsMargins(0, 10, 0, 0)
        frame, body = card(spacing=8)
        body.addWidget(section_title("Mail server (SMTP)"))
        form = QFormLayout()
        self.host, self.user, self.sender_edit, self.password = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.host.setPlaceholderText("smtp.workshop.example")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the OS keyring, never in a file")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        self.security.addItems(["starttls", "tls", "none"])
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(0.5, 120)
        self.timeout.setSuffix(" s")
        form.addRow("Server", self.host)
        form.addRow("Port", self.port)
        form.addRow("Security", self.security)
        form.addRow("User name", self.user)
        form.addRow("Password", self.password)
        form.addRow("Sender", self.sender_edit)
        form.addRow("Timeout", self.timeout)
        body.addLayout(form)
        body.addWidget(section_title("Recipients by role"))
        hint = QLabel("One role per line: <i>service manager: Sue &lt;sue@shop.example&gt;, Sam &lt;sam@shop.example&gt;</i>. "
                      "Users with an e-mail address in Admin are used first.")
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        body.addWidget(hint)
        self.recipients = QPlainTextEdit()
        self.recipients.setMaximumHeight(110)
        body.addWidget(self.recipients)
        row = QHBoxLayout()
        save = QPushButton("Save")
        save.clicked.connect(self._save_smtp)
        row.addStretch(1)
        row.addWidget(save)
        body.addLayout(row)
        body.addStretch(1)
        outer.addWidget(frame, 3)

        test, tbody = card(spacing=8)
        tbody.addWidget(section_title("Send test mail"))
        self.test_to = QLineEdit()
        self.test_to.setPlaceholderText("to (empty: every recipient above)")
        tbody.addWidget(self.test_to)
        self.test_button = QPushButton("Send test mail")
        self.test_button.clicked.connect(self._test_mail)
        tbody.addWidget(self.test_button)
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.test_result.setObjectName("ToneText")
        tbody.addWidget(self.test_result)
        tbody.addStretch(1)
        outer.addWidget(test, 2)
        self._fill_smtp()
        return box

    def _fill_smtp(self) -> None:
        s = self.desk.smtp_settings()
        self.host.setText(s.smtp.host)
        self.port.setValue(s.smtp.port)
        self.security.setCurrentText(s.smtp.security)
        self.user.setText(s.smtp.username)
        self.sender_edit.setText(s.smtp.sender)
        self.timeout.setValue(s.smtp.timeout_s)
        self.recipients.setPlainText("\n".join(f"{role}: {', '.join(people)}" for role, people in s.recipients.items()))

    def smtp_from_form(self) -> Any:
        s = self.desk.smtp_settings()
        s.smtp.host, s.smtp.port, s.smtp.security = self.host.text().strip(), self.port.value(), self.security.currentText()
        s.smtp.username, s.smtp.sender, s.smtp.timeout_s = self.user.text().strip(), self.sender_edit.text().strip(), self.timeout.value()
        recipients: dict[str, list[str]] = {}
        for line in self.recipients.toPlainText().splitlines():
            role, _, people = line.partition(":")
            if role.strip() and people.strip():
                recipients[role.strip()] = [p.strip() for p in people.split(",") if p.strip()]
        s.recipients = recipients
        return s

    def _save_smtp(self) -> None:
        self.desk.save_smtp(self.smtp_from_form(), self.password.text() or None)

    def _test_mail(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setText("sending…")
        self.desk.send_test_mail(self.smtp_from_form(), self.test_to.text().strip(), self.password.text() or None)

    def _mail_result(self, text: str, tone: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(text)
        self.test_result.setProperty("tone", tone)
        repolish(self.test_result)

    # -- shared -----------------------------------------------------------------------------------------

    def _notice(self, subject: str) -> None:
        self.show_banner(f"New alert: {subject}", "bad")

    def _failed(self, text: str) -> None:
        self.show_banner(text, "bad")
        self.test_button.setEnabled(True)

    def show_banner(self, text: str, tone: str = "warn") -> None:
        self.banner.setText(text)
        self.banner.setProperty("tone", tone)
        self.banner.setVisible(bool(text))
        repolish(self.banner)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme


__all__ = ["AlertsModel", "AlertsWorkspace"]
