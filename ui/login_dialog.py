"""Sign-in at start (when the store has users) and after the workstation locked itself from idle.

The dialog asks the core (``sign_in(name, password)`` -> Actor, raising SignInFailed/AccountLocked
with the message to show) and never decides anything itself; the password field is cleared after
every attempt and never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from carvrooom_desktop.errors import CarVrooomError


class LoginDialog(QDialog):
    signed_in = Signal(object)  # the Actor
    quit_requested = Signal()

    def __init__(self, sign_in: Callable[[str, str], Any], parent: QWidget | None = None, *, user: str = "",
                 reason: str = "", workshop: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("LoginDialog")
        self.setWindowTitle("Sign in — CarVrooom Desktop")
        self.setModal(True)
        self.setMinimumWidth(380)
        self._sign_in = sign_in
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        title = QLabel("Sign in")
        title.setObjectName("PageTitle")
        layout.addWidget(title)
        self.reason = QLabel(reason or f"Who is at this workstation?{f' ({workshop})' if workshop else ''}")
        self.reason.setObjectName("PageSubtitle")
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.user = QLineEdit(user)
        self.user.setPlaceholderText("user name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password")
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setObjectName("ErrorText")
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.DestructiveRole)
        quit_button.clicked.connect(self.quit_requested)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Sign in")
        self.ok_button.setObjectName("PrimaryButton")
        buttons.accepted.connect(self.attempt)
        layout.addWidget(buttons)
        (self.password if user else self.user).setFocus()

    def attempt(self) -> None:
        name, password = self.user.text().strip(), self.password.text()
        self.password.clear()
        if not name:
            self.show_message("Enter your user name.")
            return
        try:
            actor = self._sign_in(name, password)
        except CarVrooomError as exc:
            self.show_message(str(exc))
            self.password.setFocus()
            return
        self.message.setVisible(False)
        self.signed_in.emit(actor)
        self.accept()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)

    def reject(self) -> None:  # Escape does not get past the sign-in: the workstation stays locked
        self.show_message("Sign in to use this workstation.")


class ShiftGuard(QObject):
    """Keeps the shift's sign-in: asks at start, notes activity, locks after idle and asks again.

    ``shift`` is the core's ``ShiftSession``; ``sign_in`` the core's ``UserDirectory.sign_in``.
    """

    signed_in = Signal(object)

    def __init__(self, shift: Any, sign_in: Callable[[str, str], Any], window: QWidget, *, workshop: str = "",
                 check_every_ms: int = 15_000) -> None:
        super().__init__(window)
        self.shift = shift
        self._sign_in = sign_in
        self._window = window
        self._workshop = workshop
        self.dialog: LoginDialog | None = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(check_every_ms)
        self.timer.timeout.connect(self.check_idle)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress) and self.dialog is None:
            self.shift.touch()
        return False

    def check_idle(self) -> None:
        if self.dialog is None and self.shift.is_locked:
            who = self.shift.signed_in
            self.ask(reason=f"The workstation locked after {self.shift.idle_lock_s / 60:g} minutes without use; "
                            "sign in again (nothing was lost).", user=who.name if who is not None else "")

    def ask(self, *, reason: str = "", user: str = "") -> LoginDialog:
        if self.dialog is not None:
            return self.dialog
        dialog = LoginDialog(self._sign_in, self._window, user=user, reason=reason, workshop=self._workshop)
        dialog.signed_in.connect(self._accepted)
        dialog.quit_requested.connect(self._window.close)
        dialog.finished.connect(lambda _code: self._closed())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _accepted(self, actor: Any) -> None:
        self.shift.sign_in(actor)
        self.signed_in.emit(actor)

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def close(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
