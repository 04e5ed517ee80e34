"""Wake-ups from the other workstations: PostgreSQL LISTEN on its own connection and thread.

Every push transaction ends with ``pg_notify('carvrooom_sync', {"seq", "origin"})``, delivered at
commit. The listener calls ``wake()`` for notifications from other workstations, and once after
each (re)connection (whatever was said while the link was down is pulled then). It never
syncs itself: it only sets the service's event.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import URL

from carvrooom_desktop.sync.server import CHANNEL

log = logging.getLogger(__name__)


def conninfo(url: URL) -> str:
    import psycopg.conninfo

    params = {"host": url.host, "port": url.port, "dbname": url.database, "user": url.username,
              "password": url.password, "connect_timeout": 3, "keepalives": 1, "keepalives_idle": 5,
              "keepalives_interval": 2, "keepalives_count": 3, "tcp_user_timeout": 15000,
              "application_name": "carvrooom-listen"}
    params |= {k: v for k, v in url.query.items() if isinstance(v, str)}
    return psycopg.conninfo.make_conninfo("", **{k: v for k, v in params.items() if v is not None})


class ChangeListener:
    def __init__(self, url: URL, origin: str, wake: Callable[[], None], *, poll_s: float = 1.0) -> None:
        self.url, self.origin, self.wake, self.poll_s = url, origin, wake, poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False
        self.heard = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sync-listen", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        info = conninfo(self.url)
        while not self._stop.is_set():
            try:
                with psycopg.connect(info, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected, delay = True, 0.5
                    self.wake()  # anything said while we were away
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self.poll_s):
                            if self._from_elsewhere(note.payload):
                                self.heard += 1
                                self.wake()
            except psycopg.Error as e:
                log.debug("sync listener: %s", e)
            self.connected = False
            self._stop.wait(delay)
            delay = min(delay * 2, 10.0)

    def _from_elsewhere(self, payload: str) -> bool:
        try:
            origin: object = json.loads(payload).get("origin")
            return origin != self.origin
        except (ValueError, AttributeError):
            return True


__all__ = ["ChangeListener", "conninfo"]
