"""Unexpected exceptions from any thread are logged and shown on the GUI thread."""

from __future__ import annotations

import logging
import sys
import threading

from ui.error_handler import ErrorHandler


def test_exception_in_a_thread_is_logged_and_shown(qtbot, error_dialogs, caplog):
    handler = ErrorHandler()
    before = (sys.excepthook, threading.excepthook)
    handler.install()
    try:
        assert threading.excepthook != before[1]

        def boom() -> None:
            raise RuntimeError("coolant sensor exploded")

        with caplog.at_level(logging.ERROR, logger="carvrooom.errors"), qtbot.waitSignal(handler.shown, timeout=5000):
            worker = threading.Thread(target=boom, name="worker-7")
            worker.start()
            worker.join()
        assert any("coolant sensor exploded" in r.getMessage() or "coolant sensor exploded" in str(r.exc_info)
                   for r in caplog.records if r.name == "carvrooom.errors")
        assert any("worker-7" in r.getMessage() for r in caplog.records)
        assert error_dialogs == ["Something went wrong: RuntimeError: coolant sensor exploded"]
    finally:
        handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_main_thread_hook_shows_once_while_a_dialog_is_open(qtbot, error_dialogs):
    handler = ErrorHandler()
    handler.install()
    try:
        for i in range(3):
            try:
                raise ValueError(f"bad value {i}")
            except ValueError:
                sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: len(error_dialogs) == 3, timeout=5000)  # one after the other, never stacked
    finally:
        handler.uninstall()
        handler.uninstall()  # safe twice
