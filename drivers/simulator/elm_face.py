"""The simulated car as an ELM327 adapter on a pseudo-terminal or a TCP port.

    with SimulatedElm327.on_pty(faults=[...]) as elm:
        obd.OBD(elm.port)            # or our Elm327Client(elm.port)
    with SimulatedElm327.on_tcp(35000) as elm:
        ... "socket://127.0.0.1:35000"  (Wi-Fi adapters speak plain TCP like this)
"""

from __future__ import annotations

import logging
import os
import selectors
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from drivers.errors import AdapterNotFound
from drivers.simulator.elm_interpreter import ElmInterpreter
from drivers.simulator.faults import Fault
from drivers.simulator.model import VehicleModel
from drivers.simulator.module_faults import ModuleFault
from drivers.simulator.obd_responder import ObdResponder
from drivers.simulator.runner import ModelRunner
from drivers.simulator.uds_car import SimulatedModules
from drivers.simulator.uds_module import PENDING_NRC, UDS_SERVICES

log = logging.getLogger(__name__)

PTY_UNAVAILABLE = "pseudo-terminals need Linux or macOS: use tcp:PORT"


class SimulatedElm327:
    """Context manager: starts the model, the interpreter and one transport; ``close()`` is idempotent."""

    def __init__(self, *, seed: int = 0, faults: Iterable[Fault] = (), speed: float | None = 1.0, ecu_delay: float = 0.0,
                 module_faults: Iterable[ModuleFault] = ()) -> None:
        self.model = VehicleModel(seed=seed, faults=tuple(faults))
        self.runner = ModelRunner(self.model, speed)
        responder = ObdResponder(self.model)
        # The car's UDS modules behind the adapter, reached after ATSH <request id> (uds_car).
        self.modules = SimulatedModules(self.model.vin, engine=self.model.ecu, lock=self.runner.lock, odometer_km=self.model.odometer_km)
        for module_fault in module_faults:
            self.modules.inject(module_fault)
        routes = self.modules.by_request_id()

        def physical(request_id: int, payload: bytes) -> tuple[int, list[bytes] | str] | None:
            module = routes.get(request_id)
            if module is None or not payload or payload[0] not in UDS_SERVICES or not self.ignition:
                return None
            with self.runner.lock:
                reply = module.handle(payload)
            if reply is None:
                return None
            response_id = self.modules.response_id(module)
            if reply[:1] == b"\x7f" and reply[2:3] == bytes((PENDING_NRC,)):
                return response_id, [reply] * 3  # 'pending' again and again until the adapter's timer runs out
            if module.behaviour.broken_isotp and len(reply) > 13:
                return response_id, "<RX ERROR"  # the adapter saw consecutive frames out of sequence
            return response_id, [reply]

        def answer(payload: bytes) -> bytes | None:
            with self.runner.lock:
                return responder.handle(payload) if self.ignition else None

        def voltage() -> float:
            with self.runner.lock:
                return self.model.signals()["battery_voltage"]

        self.interpreter = ElmInterpreter(answer, voltage, ecu_delay=ecu_delay, physical=physical)
        self.port = ""
        self.ignition = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fds: list[int] = []
        self._server: socket.socket | None = None
        self._clients: set[socket.socket] = set()

    # -- transports --------------------------------------------------------------------

    @classmethod
    def on_pty(cls, **kwargs: Any) -> SimulatedElm327:
        """On a new pseudo-terminal (POSIX only: on Windows raises AdapterNotFound naming ``on_tcp``)."""
        try:
            import tty  # with termios: POSIX only, so imported here and not by the module (Windows imports it too)
        except ImportError as e:
            raise AdapterNotFound(PTY_UNAVAILABLE) from e
        if not (hasattr(os, "openpty") and hasattr(os, "ttyname")):
            raise AdapterNotFound(PTY_UNAVAILABLE)
        elm = cls(**kwargs)
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or CR/LF translation by the line discipline: the ELM does its own
        elm._fds = [master, slave]
        elm.port = os.ttyname(slave)
        elm._start(lambda: elm._serve_fd(master))
        return elm

    @classmethod
    def on_tcp(cls, port: int = 0, host: str = "127.0.0.1", **kwargs: Any) -> SimulatedElm327:
        elm = cls(**kwargs)
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind((host, port))
        except OSError as e:
            server.close()
            raise AdapterNotFound(f"cannot listen on {host}:{port} for the simulated ELM327: {e}") from e
        server.listen(1)
        server.settimeout(0.2)
        elm._server = server
        elm.port = f"socket://{host}:{server.getsockname()[1]}"
        elm._start(elm._serve_tcp)
        return elm

    def _start(self, target: Callable[[], None]) -> None:
        self.runner.start()
        self._thread = threading.Thread(target=target, name="simulated-elm327", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self.runner.stop()
        if self._server is not None:
            self._server.close()
            self._server = None
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []

    def __enter__(self) -> SimulatedElm327:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_ignition(self, on: bool) -> None:
        """Key off: the ECU stops answering (the adapter says NO DATA). Key on: a new drive starts."""
        with self.runner.lock:
            if on and not self.ignition:
                self.model.key_cycle()
            self.ignition = on

    def drop_clients(self) -> None:
        """Like pulling a Wi-Fi adapter's power: open TCP connections are cut (the server keeps listening)."""
        for conn in list(self._clients):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def inject(self, fault: Fault) -> None:
        with self.runner.lock:
            self.model.inject(fault)

    def inject_module(self, fault: ModuleFault) -> None:
        self.modules.inject(fault)  # takes the model lock itself

    # -- byte pumps --------------------------------------------------------------------

    def _serve_fd(self, fd: int) -> None:
        self._serve(lambda n: os.read(fd, n), lambda data: os.write(fd, data), fd)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                assert self._server is not None, "closed"
                conn, _addr = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.interpreter.reset()  # a new client meets a freshly powered adapter
                self._clients.add(conn)
                try:
                    self._serve(conn.recv, conn.sendall, conn)
                finally:
                    self._clients.discard(conn)

    def _serve(self, read: Callable[[int], bytes], write: Callable[[bytes], object], handle: int | socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(handle, selectors.EVENT_READ)
        pending = b""
        try:
            while not self._stop.is_set():
                if not selector.select(timeout=0.2):
                    continue
                try:
                    chunk = read(4096)
                except OSError:
                    return  # the other end went away
                if not chunk:
                    return
                pending += chunk
                while b"\r" in pending:
                    line, pending = pending.split(b"\r", 1)
                    text = line.decode("ascii", errors="replace").strip("\n")
                    write(self.interpreter.handle(text).encode("ascii"))
        finally:
            selector.close()
