"""Admin: users (add, change role, reset password, unlock), roles and their permissions (custom
roles), and the audit trail with Verify.

Every change goes through the core (``carvrooom_desktop.people``), which checks the signed-in user's
permission and audits it; the page only shows what the core answers (a refusal is a message here,
never a greyed-out guess). Verifying a long trail runs on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.domain.roles import Permission
from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.people import authorize
from ui.table_model import Column, RowTableModel
from ui.widgets.common import card, page_header, section_title, table_view
from ui.workers import TaskRunner

USER_COLUMNS: list[Column[Any]] = [
    Column("User", lambda u: u.name),
    Column("Name", lambda u: u.display_name),
    Column("Role", lambda u: u.role),
    Column("E-mail", lambda u: u.email),
    Column("State", lambda u: "locked" if u.locked else (f"{u.failed_logins} failed" if u.failed_logins else "active"),
           tone=lambda u: "bad" if u.locked else ""),
]
ROLE_COLUMNS: list[Column[Any]] = [
    Column("Role", lambda r: r.name),
    Column("Kind", lambda r: "built-in" if r.builtin else "custom"),
    Column("Permissions", lambda r: str(len(r.permissions)), align_right=True),
]
AUDIT_COLUMNS: list[Column[Any]] = [
    Column("Time (UTC)", lambda e: e.at[:19].replace("T", " ")),
    Column("User", lambda e: e.actor),
    Column("Outcome", lambda e: e.outcome, tone=lambda e: "" if e.outcome == "ok" else "bad"),
    Column("Action", lambda e: e.action),
    Column("Record", lambda e: e.record),
    Column("Change", lambda e: _change(e.before, e.after)),
]


def _change(before: str, after: str) -> str:
    """before → after as stored (canonical JSON), leaving out a side that is empty."""
    if before == "null":
        return "" if after == "null" else after
    return before if after == "null" else f"{before} → {after}"


class AdminWorkspace(QWidget):
    def __init__(self, people: Any | None, actor: Callable[[], Any], parent: QWidget | None = None, *,
                 unavailable: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("Workspace")
        self.people: Any = people  # carvrooom_desktop.people.People, or None without a store
        self._actor = actor
        self.runner = TaskRunner(self, max_threads=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 12)
        layout.setSpacing(10)
        layout.addWidget(page_header("Admin", "Users and their roles, what each role may do, and the audit trail "
                                     "of who did what (hash-chained and signed: Verify checks it)."))
        self.message = QLabel(unavailable)
        self.message.setWordWrap(True)
        self.message.setVisible(bool(unavailable))
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._users_tab(), "Users")
        self.tabs.addTab(self._roles_tab(), "Roles")
        self.tabs.addTab(self._audit_tab(), "Audit")
        layout.addWidget(self.tabs, 1)
        if people is not None:
            self.refresh()

    # -- building ------------------------------------------------------------------------------------------

    def _users_tab(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        left, left_body = card()
        left_body.addWidget(section_title("Users"))
        self.users_model: RowTableModel = RowTableModel(USER_COLUMNS, self)
        self.users_table = table_view(self.users_model, stretch_column=3)
        left_body.addWidget(self.users_table, 1)
        actions = QHBoxLayout()
        self.role_choice = QComboBox()
        self.change_role_button = QPushButton("Change role")
        self.reset_button = QPushButton("Reset password…")
        self.unlock_button = QPushButton("Unlock")
        self.change_role_button.clicked.connect(self.change_role)
        self.reset_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        selected: tuple[QWidget, ...] = (QLabel("Selected:"), self.role_choice, self.change_role_button, self.reset_button,
                                          self.unlock_button)
        for w in selected:
            actions.addWidget(w)
        actions.addStretch(1)
        left_body.addLayout(actions)
        row.addWidget(left, 3)
        right, form = card()
        form.addWidget(section_title("Add a user"))
        grid = QGridLayout()
        self.new_name, self.new_display, self.new_email = QLineEdit(), QLineEdit(), QLineEdit()
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_role = QComboBox()
        fields: tuple[tuple[str, QWidget], ...] = (("User name", self.new_name), ("Full name", self.new_display),
                                        ("E-mail", self.new_email), ("Role", self.new_role), ("Password", self.new_password))
        for i, (label, w) in enumerate(fields):
            grid.addWidget(QLabel(label), i, 0)
            grid.addWidget(w, i, 1)
        form.addLayout(grid)
        self.add_button = QPushButton("Add user")
        self.add_button.setObjectName("PrimaryButton")
        self.add_button.clicked.connect(self.add_user)
        form.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)
        hint = QLabel("Passwords: at least 8 characters, hashed with Argon2id; five wrong attempts lock the account "
                      "for 15 minutes.")
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        form.addWidget(hint)
        form.addStretch(1)
        row.addWidget(right, 2)
        return page

    def _roles_tab(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        left, body = card()
        body.addWidget(section_title("Roles"))
        self.roles_model: RowTableModel = RowTableModel(ROLE_COLUMNS, self)
        self.roles_table = table_view(self.roles_model, stretch_column=0)
        self.roles_table.selectionModel().currentRowChanged.connect(lambda *_: self._show_role())
        body.addWidget(self.roles_table, 1)
        row.addWidget(left, 2)
        right, detail = card()
        detail.addWidget(section_title("Permissions"))
        self.role_name = QLineEdit()
        self.role_name.setPlaceholderText("a custom role's name, e.g. apprentice")
        detail.addWidget(self.role_name)
        self.permission_boxes: dict[Permission, QCheckBox] = {}
        for p in Permission:
            box = QCheckBox(p.value)
            self.permission_boxes[p] = box
            detail.addWidget(box)
        buttons = QHBoxLayout()
        self.save_role_button = QPushButton("Save custom role")
        self.save_role_button.setObjectName("PrimaryButton")
        self.delete_role_button = QPushButton("Delete role")
        self.save_role_button.clicked.connect(self.save_role)
        self.delete_role_button.clicked.connect(self.delete_role)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_role_button)
        buttons.addWidget(self.save_role_button)
        detail.addLayout(buttons)
        detail.addStretch(1)
        row.addWidget(right, 3)
        return page

    def _audit_tab(self) -> QWidget:
        page = QWidget()
        body = QVBoxLayout(page)
        filters = QHBoxLayout()
        self.audit_user, self.audit_record, self.audit_since = QLineEdit(), QLineEdit(), QLineEdit()
        self.audit_user.setPlaceholderText("user")
        self.audit_record.setPlaceholderText("record (user:tina, recording:…)")
        self.audit_since.setPlaceholderText("since (2026-12-01)")
        refresh = QPushButton("Show")
        refresh.clicked.connect(lambda: self.refresh_audit(asked=True))
        self.verify_button = QPushButton("Verify")
        self.verify_button.setObjectName("PrimaryButton")
        self.verify_button.clicked.connect(self.verify)
        for w in (self.audit_user, self.audit_record, self.audit_since):
            filters.addWidget(w)
        filters.addWidget(refresh)
        filters.addWidget(self.verify_button)
        body.addLayout(filters)
        self.verify_label = QLabel("Verify checks every link of the chain, every signed checkpoint and the last signed head.")
        self.verify_label.setWordWrap(True)
        body.addWidget(self.verify_label)
        self.audit_model: RowTableModel = RowTableModel(AUDIT_COLUMNS, self)
        self.audit_table = table_view(self.audit_model, stretch_column=5)
        body.addWidget(self.audit_table, 1)
        return page

    # -- reading -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.people is None:
            return
        chosen = self.selected_user()
        users = self.people.users.list()
        self.users_model.set_rows(users)
        names = [u.name for u in users]
        if chosen is not None and chosen.name in names:  # the same person stays selected after a change
            self.users_table.selectRow(names.index(chosen.name))
        roles = self.people.roles.list()
        self.roles_model.set_rows(roles)
        names = [r.name for r in roles]
        for combo in (self.role_choice, self.new_role):
            current = combo.currentText()
            combo.clear()
            combo.addItems(names)
            if current in names:
                combo.setCurrentText(current)
        self.refresh_audit()

    def refresh_audit(self, *, asked: bool = False) -> None:
        """The trail's entries, for a user whose role may view it (asked=True: the core checks and audits a refusal)."""
        if self.people is None:
            return
        actor = self._actor()
        if asked:
            try:
                authorize(actor, Permission.VIEW_AUDIT, record="audit", audit=self.people.audit)
            except CarVrooomError as exc:
                self.show_message(str(exc), error=True)
                return
        elif actor is None or not actor.may(Permission.VIEW_AUDIT):
            self.audit_model.set_rows([])
            self.verify_label.setText("Your role may not view the audit trail.")
            return
        self.audit_model.set_rows(self.people.audit.entries(user=self.audit_user.text().strip() or None,
                                                            record=self.audit_record.text().strip() or None,
                                                            since=self.audit_since.text().strip() or None, limit=500))

    def selected_user(self) -> Any | None:
        index = self.users_table.currentIndex()
        return self.users_model.row_at(index.row()) if index.isValid() else None

    def _show_role(self) -> None:
        index = self.roles_table.currentIndex()
        if not index.isValid():
            return
        role = self.roles_model.row_at(index.row())
        self.role_name.setText("" if role.builtin else role.name)
        for p, box in self.permission_boxes.items():
            box.setChecked(p in role.permissions)
            box.setEnabled(not role.builtin)
        self.delete_role_button.setEnabled(not role.builtin)

    # -- changing (the core checks and audits) -------------------------------------------------------------

    def _do(self, what: str, fn: Callable[[], Any]) -> bool:
        try:
            fn()
        except CarVrooomError as exc:
            self.show_message(f"{what}: {exc}", error=True)
            self.refresh_audit()  # the refusal is in the trail
            return False
        self.show_message(what)
        self.refresh()
        return True

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "")
        self.message.setVisible(True)

    def add_user(self) -> None:
        assert self.people is not None
        name = self.new_name.text().strip()
        if self._do(f"User {name} added", lambda: self.people.users.create(
                self._actor(), name, self.new_password.text(), self.new_role.currentText(),
                display_name=self.new_display.text().strip(), email=self.new_email.text().strip())):
            for field in (self.new_name, self.new_display, self.new_email):
                field.clear()
        self.new_password.clear()

    def change_role(self) -> None:
        user = self.selected_user()
        if user is not None and self.people is not None:
            role = self.role_choice.currentText()
            self._do(f"{user.name} is now {role}", lambda: self.people.users.set_role(self._actor(), user.name, role))

    def reset_password(self, *, password: str | None = None) -> None:
        user = self.selected_user()
        if user is None or self.people is None:
            return
        if password is None:
            password, ok = QInputDialog.getText(self, "Reset password", f"New password for {user.name}:",
                                                QLineEdit.EchoMode.Password)
            if not ok:
                return
        new = password
        self._do(f"Password of {user.name} reset", lambda: self.people.users.reset_password(self._actor(), user.name, new))

    def unlock(self) -> None:
        user = self.selected_user()
        if user is not None and self.people is not None:
            self._do(f"{user.name} unlocked", lambda: self.people.users.unlock(self._actor(), user.name))

    def save_role(self) -> None:
        if self.people is None:
            return
        name = self.role_name.text().strip()
        chosen = frozenset(p for p, box in self.permission_boxes.items() if box.isChecked())
        self._do(f"Role {name} saved", lambda: self.people.roles.save(self._actor(), name, chosen))

    def delete_role(self) -> None:
        name = self.role_name.text().strip()
        if name and self.people is not None:
            self._do(f"Role {name} deleted", lambda: self.people.roles.delete(self._actor(), name))

    def verify(self) -> None:
        if self.people is None:
            return
        try:
            authorize(self._actor(), Permission.VIEW_AUDIT, record="audit", audit=self.people.audit)
        except CarVrooomError as exc:
            self.show_message(str(exc), error=True)
            return
        self.verify_button.setEnabled(False)
        self.verify_label.setText("Verifying…")
        trail = self.people.audit
        self.runner.submit(trail.verify, self._verified, self._verify_failed, name="audit verify")

    def _verified(self, report: Any) -> None:
        self.verify_button.setEnabled(True)
        text = report.summary()
        if report.ok and report.unsigned_tail:
            text += f"; {sum(report.unsigned_tail.values())} newest entries not yet under a checkpoint"
        self.verify_label.setText(("✔ " if report.ok else "✖ ") + text)
        self.verify_label.setStyleSheet("color: #1b7f3b; font-weight: 600;" if report.ok else "color: #b3261e; font-weight: 600;")

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.verify_label.setText(f"Verify failed: {exc}")

    def wait(self) -> None:
        self.runner.wait()
