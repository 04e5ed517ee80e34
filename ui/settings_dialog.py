"""Settings of the AI diagnosis: the Gemini API key (OS keyring only) and the model settings.

The key field never shows a stored key; it is written to the keyring and nowhere else.
Without a usable keyring the key is refused with the keyring's message.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from carvrooom_desktop.config.secret_store import GEMINI_API_KEY, delete_secret, get_secret, set_secret
from carvrooom_desktop.config.settings import Settings, save_settings
from carvrooom_desktop.errors import CarVrooomError


class AiSettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None, *, actor: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("AI diagnosis settings")
        self.settings = settings
        self.actor = actor  # the signed-in user (None: no users yet, as before): the core checks CHANGE_SETTINGS
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        stored = bool(get_secret(GEMINI_API_KEY))
        self.key.setPlaceholderText("a key is stored in the OS keyring (type to replace)" if stored else "paste your Gemini API key")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        self.remove_key = QPushButton("Remove key")
        self.remove_key.setEnabled(stored)
        self.remove_key.clicked.connect(self._remove_key)
        key_row.addWidget(self.remove_key)
        form.addRow("Gemini API key", key_row)
        self.flash = QLineEdit(settings.gemini_flash_model)
        self.pro = QLineEdit(settings.gemini_pro_model)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1.0, 300.0)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(settings.gemini_timeout_s)
        self.retries = QSpinBox()
        self.retries.setRange(1, 5)
        self.retries.setValue(settings.gemini_max_retries)
        self.budget = QDoubleSpinBox()
        self.budget.setRange(0.5, 60.0)
        self.budget.setSuffix(" s")
        self.budget.setValue(settings.diagnosis_budget_s)
        self.base_url = QLineEdit(settings.gemini_base_url)
        self.base_url.setPlaceholderText("Google's endpoint (leave empty)")
        form.addRow("Flash model (default)", self.flash)
        form.addRow("Pro model (complex cases)", self.pro)
        form.addRow("Request timeout", self.timeout)
        form.addRow("Attempts per request", self.retries)
        form.addRow("Offline answer after", self.budget)
        form.addRow("Endpoint", self.base_url)
        layout.addLayout(form)
        note = QLabel("The key is kept in the OS keyring only: never in the settings file, the database, logs or exports.")
        note.setObjectName("Muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _remove_key(self) -> None:
        delete_secret(GEMINI_API_KEY)
        self.remove_key.setEnabled(False)
        self.key.setPlaceholderText("paste your Gemini API key")
        self.message.setText("The key was removed from the keyring; diagnoses use the offline expert.")

    def save(self) -> bool:
        """Keyring first (it may refuse), then the settings file; the dialog stays open on an error."""
        key = self.key.text().strip()
        flash, pro = self.flash.text().strip(), self.pro.text().strip()
        if not flash or not pro:
            self.message.setText("Both model ids are needed (e.g. gemini-3.5-flash and gemini-3.1-pro-preview).")
            return False
        try:
            if key:
                set_secret(GEMINI_API_KEY, key)
            s = self.settings
            s.gemini_flash_model, s.gemini_pro_model = flash, pro
            s.gemini_timeout_s, s.gemini_max_retries = float(self.timeout.value()), int(self.retries.value())
            s.diagnosis_budget_s, s.gemini_base_url = float(self.budget.value()), self.base_url.text().strip()
            if self.actor is not None:
                from carvrooom_desktop.people.services import save_settings_as

                save_settings_as(self.actor, s)  # refused (and audited) without CHANGE_SETTINGS
            else:
                save_settings(s)
        except CarVrooomError as e:
            self.message.setText(str(e))
            return False
        finally:
            self.key.clear()
        self.accept()
        return True
