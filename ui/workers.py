"""Run blocking work off the GUI thread and report back through typed Qt signals.

The asammdf ``QWorkerThread`` idea on a ``QThreadPool``: a task never touches a widget;
its outcome reaches the GUI thread as a queued ``result`` or ``error`` signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    """Lives on the GUI thread; emitted from the pool thread, so delivery is queued."""

    result = Signal(object)
    error = Signal(object)  # the exception instance
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], name: str) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps it until ``finished`` arrives
        self.fn = fn
        self.name = name
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            value = self.fn()
        except Exception as exc:  # reported to the caller, who decides what the user sees
            log.info("task %s failed: %s", self.name, exc, exc_info=True)
            self.signals.error.emit(exc)
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Owns a private thread pool and keeps every task alive until its signals are delivered."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._active: set[Task] = set()

    def submit(
        self,
        fn: Callable[[], Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        name: str = "task",
    ) -> Task:
        task = Task(fn, name)
        if on_result is not None:
            task.signals.result.connect(on_result)
        if on_error is not None:
            task.signals.error.connect(on_error)
        task.signals.finished.connect(lambda t=task: self._done(t))
        was_idle = not self._active
        self._active.add(task)
        if was_idle:
            self.busy_changed.emit(True)
        self._pool.start(task)
        return task

    @Slot()
    def _done(self, task: Task) -> None:
        self._active.discard(task)
        if not self._active:
            self.busy_changed.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until every running task has returned (used at shutdown and in tests)."""
        return self._pool.waitForDone(msecs)
