"""The follow-up chat on a diagnosis: the thread so far, a question field and Send."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget


class ChatPanel(QWidget):
    question_asked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.transcript = QTextBrowser()  # not ``thread``: that is QObject.thread()
        self.transcript.setOpenExternalLinks(False)
        self.transcript.setMinimumHeight(90)
        layout.addWidget(self.transcript, 1)
        row = QHBoxLayout()
        self.question = QLineEdit()
        self.question.setPlaceholderText("Ask about this diagnosis, e.g. “what should the fuel pressure be?”")
        self.question.returnPressed.connect(self._send)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self._send)
        row.addWidget(self.question, 1)
        row.addWidget(self.send_button)
        layout.addLayout(row)
        self.set_enabled(False)

    def set_enabled(self, enabled: bool) -> None:
        self.question.setEnabled(enabled)
        self.send_button.setEnabled(enabled)

    def clear(self) -> None:
        self.transcript.clear()

    def add(self, role: str, text: str) -> None:
        who = "You" if role == "technician" else "Assistant"
        self.transcript.append(f"<p><b>{who}:</b> {html.escape(text)}</p>")

    def set_waiting(self, waiting: bool) -> None:
        self.send_button.setEnabled(not waiting)
        self.send_button.setText("…" if waiting else "Send")

    def _send(self) -> None:
        text = self.question.text().strip()
        if text:
            self.question.clear()
            self.add("technician", text)
            self.set_waiting(True)
            self.question_asked.emit(text)
