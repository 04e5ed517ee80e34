"""A small seeded fleet on a real SQLite file, shared by the fleet tests (imported, never via conftest)."""

from __future__ import annotations

from datetime import date

from carvrooom_desktop.fleet.seed import seed_fleet
from carvrooom_desktop.storage.store import Store

TODAY = date(2026, 12, 4)


def seeded_store(url: str, *, vehicles: int = 20, seed: int = 3, visits: int | None = None) -> Store:
    store = Store.open(url, origin="ws-fleet")
    seed_fleet(store.engine, vehicles=vehicles, seed=seed, today=TODAY, visits_per_vehicle=visits, origin=store.origin)
    return store


BROKER = "mqtt://127.0.0.1:1883"


def broker_reachable() -> str:
    """'' when Mosquitto answers on 127.0.0.1:1883, else why not (the reason a test is skipped with)."""
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1.0):
            return ""
    except OSError as e:
        return f"no MQTT broker on 127.0.0.1:1883 ({e}); start Mosquitto to run the telematics tests"


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds (a broker round trip has no fixed duration)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


class BrokerProxy:
    """A TCP relay in front of Mosquitto whose link the test can cut: the broker 'goes away' and comes back."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 1883)) -> None:
        import socket
        import threading

        self.target = target
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._stop = threading.Event()
        self._links: list = []
        self._threads: list = []
        self._lock = threading.Lock()
        self._start(self._accept)

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _start(self, target, *args) -> None:
        import threading

        t = threading.Thread(target=target, args=args, daemon=True, name="broker-proxy")
        t.start()
        self._threads.append(t)

    def _accept(self) -> None:
        import socket

        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            if not self._open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._links += [client, upstream]
            self._start(self._pipe, client, upstream)
            self._start(self._pipe, upstream, client)

    def _pipe(self, a, b) -> None:
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass

    def cut(self) -> None:
        """Drop every link and refuse new ones."""
        import socket

        self._open.clear()
        with self._lock:
            links, self._links = self._links, []
        for s in links:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self.cut()
        self._stop.set()
        self._server.close()
        for t in self._threads:
            t.join(2.0)
