"""The one place unexpected exceptions end up: logged, then shown on the GUI thread.

Installs ``sys.excepthook`` (GUI thread, and Qt slots, which PySide routes there) and
``threading.excepthook`` (worker threads). Both only log and emit a queued signal; the
dialog is opened by the GUI thread when it gets there, never by the failing thread.
While one dialog is open, further errors are logged and counted, not stacked.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("carvrooom.errors")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class ErrorHandler(QObject):
    """``install()`` / ``uninstall()``; ``shown`` is emitted after a dialog closed (tests)."""

    _report = Signal(str, str, str)  # title, message, details
    shown = Signal(str)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._previous_sys_hook: Any = None
        self._previous_thread_hook: Any = None
        self._installed = False
        self._dialog_open = False
        self.suppressed = 0
        self._report.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def set_parent_widget(self, widget: QWidget | None) -> None:
        self._parent_widget = widget

    # -- hooks -----------------------------------------------------------------------

    def install(self) -> None:
        if self._installed:
            return
        self._previous_sys_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        self._installed = True

    def uninstall(self) -> None:
        """Put back whatever hooks were there before ``install()``; safe to call twice."""
        if not self._installed:
            return
        if sys.excepthook == self._sys_hook:
            sys.excepthook = self._previous_sys_hook
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_thread_hook
        self._installed = False

    @property
    def installed(self) -> bool:
        return self._installed

    def _sys_hook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_sys_hook(exc_type, exc, tb)
            return
        self.handle((exc_type, exc, tb), where="main thread")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "unknown"
        self.handle((args.exc_type, args.exc_value, args.exc_traceback), where=f"thread {name}")

    # -- reporting -------------------------------------------------------------------

    def handle(self, exc_info: ExcInfo, *, where: str = "") -> None:
        """Any thread: log the exception and ask the GUI thread to show it."""
        exc_type, exc, tb = exc_info
        log.error("unexpected error in %s: %s", where or "the application", exc, exc_info=exc_info)
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        message = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        self._report.emit("Unexpected error", message, details)

    @Slot(str, str, str)
    def _show(self, title: str, message: str, details: str) -> None:
        if self._dialog_open:
            self.suppressed += 1
            return
        self._dialog_open = True
        try:
            box = QMessageBox(self._parent_widget)
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle(title)
            box.setText(f"Something went wrong: {message}")
            box.setInformativeText(
                "What you were doing may not have finished. Your recordings and data are kept; "
                "the details are in the log file."
            )
            box.setDetailedText(details)
            box.exec()
        finally:
            self._dialog_open = False
        self.shown.emit(message)
