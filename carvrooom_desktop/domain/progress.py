"""One vocabulary for long work, core to screen: ``progress(done, total)``, a cancel token, ``Cancelled``.

Import, export, decode, health checks, simulated drives, comparisons and diagnoses take a
``Progress`` callable and a ``CancelToken`` (or anything with ``is_set()``, such as the
``threading.Event`` the UI already holds) and raise ``Cancelled`` when asked to stop. The UI
turns progress into a bar and treats ``Cancelled`` as an outcome, not an error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

Progress = Callable[[int, int], None]  # progress(done, total), called from the worker thread


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


class CancelToken:
    """Set by whoever wants the work to stop; polled by the work between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self, what: str = "the work") -> None:
        if self._event.is_set():
            raise Cancelled(f"{what} was cancelled")


class Cancelled(Exception):
    """Long work stopped because it was asked to; what was done before is kept where the job says so."""


def raise_if_cancelled(flag: CancelFlag | Callable[[], bool] | None, what: str = "the work") -> None:
    """For jobs that take either a flag object or a ``cancelled()`` callable (both are in use)."""
    if flag is None:
        return
    stop = flag() if callable(flag) and not hasattr(flag, "is_set") else flag.is_set()
    if stop:
        raise Cancelled(f"{what} was cancelled")
