"""Settings of sync: the shared database's URL (in the settings file) and its password (OS keyring only).

"Test connection" asks the shared database on a worker thread (up to the 3 s connect timeout)
and says what it found: reachable, password refused, no schema, older schema, unreachable.
The password field never shows a stored password; it is written to the keyring and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sqlalchemy.exc import ArgumentError

from carvrooom_desktop.config.secret_store import database_secret_name, get_secret, split_database_password
from carvrooom_desktop.errors import CarVrooomError
from carvrooom_desktop.sync.config import SHARED_URL_ENV
from ui.widgets.common import repolish

if TYPE_CHECKING:
    from ui.widgets.sync_controller import SyncController

URL_EXAMPLE = "postgresql://shop@server:5432/workshop"


class SyncSettingsDialog(QDialog):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Shared database")
        self.setMinimumWidth(520)
        self.controller = controller
        link = controller.link
        layout = QVBoxLayout(self)
        intro = QLabel("Every workstation works on its own store and syncs with the workshop's shared PostgreSQL "
                       "database. Ask whoever runs that server for its address and password.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit(link.saved_url if link is not None else "")
        self.url.setPlaceholderText(URL_EXAMPLE)
        self.url.textChanged.connect(self._url_changed)
        form.addRow("Shared database URL", self.url)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        test_row = QHBoxLayout()
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        test_row.addWidget(self.test_button)
        self.test_result = QLabel("")
        self.test_result.setObjectName("ToneText")
        self.test_result.setWordWrap(True)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)
        note = QLabel("The password is kept in the OS keyring only: never in the settings file, the database or logs. "
                      "Leave the URL empty to stop syncing.")
        note.setObjectName("Muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.override = QLabel("")
        self.override.setObjectName("Muted")
        self.override.setWordWrap(True)
        layout.addWidget(self.override)
        in_use = link.url if link is not None else ""
        if in_use and link is not None and in_use != link.saved_url:
            self.override.setText(f"In use now: {in_use} (given with --shared or {SHARED_URL_ENV}); saving here "
                                  "switches this window to the URL above.")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        controller.checked.connect(self._show_check)
        self._url_changed(self.url.text())

    def _url_changed(self, text: str) -> None:
        bare = self._bare_url(text)
        stored = bool(bare) and bool(_stored_password(bare))
        self.password.setPlaceholderText("a password is stored in the OS keyring (type to replace)" if stored
                                         else "the database user's password (none for trust authentication)")
        self.test_button.setEnabled(bool(text.strip()))

    @staticmethod
    def _bare_url(text: str) -> str:
        try:
            return split_database_password(text.strip())[0] if text.strip() else ""
        except (ArgumentError, ValueError):  # not a URL (yet)
            return ""

    def _password(self) -> str | None:
        typed = self.password.text()
        if typed:
            return typed
        text = self.url.text().strip()
        try:
            bare, inline = split_database_password(text)
        except (ArgumentError, ValueError):  # not a URL: the test reports it
            return None
        return inline or _stored_password(bare)

    def test_connection(self) -> None:
        self.test_button.setEnabled(False)
        self._set_result("Connecting…", "idle")
        self.controller.check(self.url.text().strip(), self._password())

    def _show_check(self, check: Any) -> None:
        self.test_button.setEnabled(True)
        self._set_result(("Connected: " if check.ok else f"{check.state.value.capitalize()}: ") + check.message,
                         "good" if check.ok else "bad")

    def _set_result(self, text: str, tone: str) -> None:
        self.test_result.setText(text)
        self.test_result.setProperty("tone", tone)
        repolish(self.test_result)

    def save(self) -> bool:
        """Keyring first (it may refuse), then the settings file; then this window syncs with the new URL."""
        link = self.controller.link
        if link is None:
            self.message.setText("No store is open, so there is nothing to sync.")
            return False
        try:
            saved = link.remember(self.url.text(), self.password.text() or None)
        except CarVrooomError as e:
            self.message.setText(str(e))
            return False
        finally:
            self.password.clear()
        self.controller.configure(saved or None)
        self.accept()
        return True


def _stored_password(bare_url: str) -> str | None:
    try:
        return get_secret(database_secret_name(bare_url))
    except (ArgumentError, ValueError):  # not a URL: nothing stored for it
        return None


def open_sync_settings(controller: SyncController, parent: QWidget | None = None) -> SyncSettingsDialog:
    dialog = SyncSettingsDialog(controller, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()  # window-modal, does not block the event loop
    return dialog


__all__ = ["SyncSettingsDialog", "open_sync_settings"]
