"""The simulated car's UDS modules on a CAN bus: one thread, one bus connection, ISO-TP both ways.

Frames are routed by request id to the module's handler; a multi-frame reply waits for the
tester's flow control without blocking the other modules (each module has its own send state),
and 'response pending' repeats on a timer. The framing is ``drivers.obd.isotp``'s (the same one
the engine ECU's OBD face uses), so a broken sequence can be sent on purpose.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from dataclasses import dataclass, field

import can

from drivers.errors import AdapterNotFound
from drivers.obd import isotp
from drivers.simulator.uds_car import SimulatedModules
from drivers.simulator.uds_module import PENDING_NRC, UDS_SERVICES, SimulatedModule

log = logging.getLogger(__name__)

PENDING_REPEAT_S = 0.5  # 'response pending' again well inside P2* (5 s)
PENDING_GIVE_UP_S = 60.0  # even a 'forever busy' module stops after a minute (nobody is waiting any more)
FLOW_CONTROL_WAIT_S = 1.0  # N_Bs


@dataclass
class _Sending:
    frames: list[bytes]
    next_index: int = 1
    block_left: int = 0
    deadline: float = 0.0


@dataclass(order=True)
class _Timer:
    due: float
    seq: int
    module: SimulatedModule = field(compare=False)
    payload: bytes = field(compare=False)
    until: float = field(compare=False, default=0.0)


class ModuleBus:
    """Context manager; ``close()`` is safe to call twice."""

    def __init__(self, modules: SimulatedModules, *, channel: str, interface: str = "virtual", enabled: threading.Event | None = None) -> None:
        self.modules = modules
        self.enabled = enabled  # cleared: ignition off, every module silent
        try:
            self.bus: can.BusABC | None = can.Bus(interface=interface, channel=channel, receive_own_messages=False)
        except (can.CanError, ValueError, OSError) as e:
            raise AdapterNotFound(f"cannot open {interface} bus {channel!r} for the simulated modules: {e}") from e
        self._routes = modules.by_request_id()
        self._sending: dict[str, _Sending] = {}
        self._timers: list[_Timer] = []
        self._seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_sent = 0

    def start(self) -> ModuleBus:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="simulated-uds-modules", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self.bus is not None:
            self.bus.shutdown()
            self.bus = None

    def __enter__(self) -> ModuleBus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the loop ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                while self._timers and self._timers[0].due <= now:
                    self._fire(heapq.heappop(self._timers))
                wait = 0.05 if not self._timers else max(0.0, min(0.05, self._timers[0].due - now))
                assert self.bus is not None, "closed"
                msg = self.bus.recv(timeout=wait)
                if msg is not None and not msg.is_error_frame and (self.enabled is None or self.enabled.is_set()):
                    self._on_frame(msg)
        except Exception:
            log.exception("simulated UDS modules stopped")

    def _on_frame(self, msg: can.Message) -> None:
        module = self._routes.get(msg.arbitration_id)
        if module is None or msg.is_extended_id != self.modules.extended:
            return
        data = bytes(msg.data)
        try:
            kind = isotp.frame_type(data)
        except Exception:
            return
        if kind == isotp.FLOW_CONTROL:
            self._flow_control(module, data)
            return
        if kind != isotp.SINGLE:
            return  # the tester's requests fit one frame; a real ECU would answer a long one with flow control
        try:
            request = isotp.IsoTpReceiver().feed(data)
        except Exception:
            return
        if not request or request[0] not in UDS_SERVICES:
            return  # OBD-II services (01-0A) are the engine's OBD face's
        self._timers = [t for t in self._timers if t.module is not module]  # a new request ends an old 'pending'
        heapq.heapify(self._timers)
        with self.modules.lock:
            reply = module.handle(request)
        if reply is None:
            return
        if reply[:1] == b"\x7f" and reply[2:3] == bytes((PENDING_NRC,)):
            self._schedule(module, reply, time.monotonic() + PENDING_GIVE_UP_S)
        self._reply(module, reply)

    def _schedule(self, module: SimulatedModule, payload: bytes, until: float) -> None:
        self._seq += 1
        heapq.heappush(self._timers, _Timer(time.monotonic() + PENDING_REPEAT_S, self._seq, module, payload, until))

    def _fire(self, timer: _Timer) -> None:
        if time.monotonic() < timer.until:
            self._reply(timer.module, timer.payload)
            self._schedule(timer.module, timer.payload, timer.until)

    def _send(self, module: SimulatedModule, frame: bytes) -> None:
        assert self.bus is not None, "closed"
        self.bus.send(can.Message(arbitration_id=self.modules.response_id(module), data=frame, is_extended_id=self.modules.extended))
        self.frames_sent += 1

    def _reply(self, module: SimulatedModule, payload: bytes) -> None:
        frames = isotp.segment(payload)
        if module.behaviour.broken_isotp and len(frames) > 2:
            del frames[1]  # the first consecutive frame never comes: the tester sees sequence 2 after the first frame
        self._send(module, frames[0])
        if len(frames) > 1:
            self._sending[module.short] = _Sending(frames, deadline=time.monotonic() + FLOW_CONTROL_WAIT_S)

    def _flow_control(self, module: SimulatedModule, data: bytes) -> None:
        sending = self._sending.get(module.short)
        if sending is None or time.monotonic() > sending.deadline:
            self._sending.pop(module.short, None)
            return
        try:
            status, block_size, st_min = isotp.parse_flow_control(data)
        except Exception:
            return
        if status == isotp.FC_WAIT:
            sending.deadline = time.monotonic() + FLOW_CONTROL_WAIT_S
            return
        if status != isotp.FC_CONTINUE:
            self._sending.pop(module.short, None)
            return
        sent = 0
        while sending.next_index < len(sending.frames):
            if st_min and sent:
                time.sleep(min(st_min, 0.127))
            self._send(module, sending.frames[sending.next_index])
            sending.next_index += 1
            sent += 1
            if block_size and sent == block_size and sending.next_index < len(sending.frames):
                sending.deadline = time.monotonic() + FLOW_CONTROL_WAIT_S
                return  # wait for the next flow control
        self._sending.pop(module.short, None)
