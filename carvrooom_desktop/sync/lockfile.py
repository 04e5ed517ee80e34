"""One syncing process per store: an OS file lock beside the SQLite file.

The GUI and a ``carvrooom sync --once`` on the same ``CARVROOOM_HOME`` must not push the same
outbox at once. An OS lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) is released by
the kernel when its process dies, so a workstation killed mid-push restarts and syncs at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class StoreLock:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None or self.path is None

    def acquire(self) -> bool:
        """True if this process holds the lock now (never blocks)."""
        path = self.path
        if self.held or path is None:  # held: no path means no lock to take
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if sys.platform == "win32":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def lock_path_for(database: str | None) -> Path | None:
    if not database or database == ":memory:":
        return None
    p = Path(database).expanduser().resolve()
    return p.with_name(p.name + ".sync-lock")


__all__ = ["StoreLock", "lock_path_for"]
