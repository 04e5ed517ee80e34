"""The simulated car on a CAN bus: DBC broadcast frames, an OBD-II ECU at 0x7E8, and its UDS
modules (engine, ABS, airbag, body, cluster, ...: ``uds_car``/``uds_bus``) on their own addresses.

Runs the model on its own thread. ``speed`` is simulated seconds per real second
(``None``: as fast as the CPU allows, for tests). Frames carry the simulation clock
as their timestamp, so a fast run still records a true time base.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

import can

from drivers.errors import AdapterNotFound
from drivers.obd import isotp
from drivers.obd.addressing import ELEVEN_BIT, ObdAddressing
from drivers.simulator.broadcast import BroadcastSchedule, load_sim_dbc
from drivers.simulator.faults import Fault
from drivers.simulator.model import VehicleModel
from drivers.simulator.module_faults import ModuleFault
from drivers.simulator.obd_responder import ObdResponder
from drivers.simulator.uds_bus import ModuleBus
from drivers.simulator.uds_car import SimulatedModules
from drivers.simulator.uds_module import UDS_SERVICES

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "carvrooom-sim"
STEP_S = 0.01
FLOW_CONTROL_WAIT_S = 1.0  # N_Bs: how long a sender waits for flow control


class SimulatedCar:
    """Context manager; ``close()`` is safe to call twice."""

    def __init__(
        self,
        *,
        channel: str = DEFAULT_CHANNEL,
        seed: int = 0,
        faults: Iterable[Fault] = (),
        speed: float | None = 1.0,
        ecu_delay: float = 0.0,
        interface: str = "virtual",
        history: bool = True,
        addressing: ObdAddressing = ELEVEN_BIT,
        uds_modules: bool = True,
        module_faults: Iterable[ModuleFault] = (),
    ) -> None:
        self.model = VehicleModel(seed=seed, faults=tuple(faults), history=history)
        self.responder = ObdResponder(self.model)
        self.schedule = BroadcastSchedule(load_sim_dbc())
        self.speed = speed
        self.ecu_delay = ecu_delay
        self.channel = channel
        self.addressing = addressing  # 11-bit (7DF/7E8) or 29-bit (18DB33F1/18DAF110) OBD ids
        try:
            self.bus: can.BusABC | None = can.Bus(interface=interface, channel=channel, preserve_timestamps=True, receive_own_messages=False)
        except (can.CanError, ValueError, OSError) as e:
            raise AdapterNotFound(f"cannot open {interface} bus {channel!r} for the simulated car: {e}") from e
        self._epoch = time.time()
        self._lock = threading.Lock()  # guards the model between the loop and inject()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_sent = 0
        self.ignition = True
        # The UDS modules answer on their own bus connection and thread (started with the car).
        self._interface = interface
        self._modules_awake = threading.Event()
        self._modules_awake.set()
        self.modules = SimulatedModules(self.model.vin, engine=self.model.ecu, lock=self._lock, extended=addressing.extended,
                                        odometer_km=self.model.odometer_km) if uds_modules else None
        for module_fault in module_faults:
            self.inject_module(module_fault)
        self._module_bus: ModuleBus | None = None

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> SimulatedCar:
        if self.modules is not None and self._module_bus is None:
            self._module_bus = ModuleBus(self.modules, channel=self.channel, interface=self._interface, enabled=self._modules_awake).start()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="simulated-car", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._module_bus is not None:
            self._module_bus.close()
            self._module_bus = None
        if self.bus is not None:
            self.bus.shutdown()
            self.bus = None

    def __enter__(self) -> SimulatedCar:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.model.inject(fault)

    def inject_module(self, fault: ModuleFault) -> None:
        """A fault in one of the UDS modules (``module_faults``): a code, or a way of talking badly."""
        if self.modules is None:
            raise AdapterNotFound("this simulated car was built without UDS modules")
        self.modules.inject(fault)

    def set_ignition(self, on: bool) -> None:
        """Key off: the car falls silent (no broadcast, no OBD or UDS answers). Key on: a new drive starts."""
        with self._lock:
            if on and not self.ignition:
                self.model.key_cycle()
            self.ignition = on
        if on:
            self._modules_awake.set()
        else:
            self._modules_awake.clear()

    @property
    def sim_time(self) -> float:
        return self.model.time

    @property
    def epoch(self) -> float:
        """Wall-clock time of simulation time 0: frames are stamped ``epoch + sim_time``."""
        return self._epoch

    # -- the loop ----------------------------------------------------------------------

    def _now(self) -> float:
        return self._epoch + self.model.time

    def _run(self) -> None:
        next_step = time.monotonic()
        try:
            while not self._stop.is_set():
                wait = 0.0 if self.speed is None else max(0.0, next_step - time.monotonic())
                assert self.bus is not None, "closed"
                msg = self.bus.recv(timeout=wait)
                if msg is not None:
                    if self.ignition:
                        self._on_frame(msg)
                    continue
                if not self.ignition:
                    next_step = time.monotonic() + STEP_S
                    continue
                with self._lock:
                    self.model.step(STEP_S)
                    signals = self.model.signals()
                for arbitration_id, data in self.schedule.due(self.model.time, signals):
                    self._send(arbitration_id, data)
                if self.speed is not None:
                    next_step += STEP_S / self.speed
                    if time.monotonic() - next_step > 1.0:  # fell far behind (debugger, suspend): do not sprint
                        next_step = time.monotonic()
        except Exception:
            log.exception("simulated car stopped")

    def _send(self, arbitration_id: int, data: bytes, extended: bool = False) -> None:
        assert self.bus is not None, "closed"
        self.bus.send(can.Message(arbitration_id=arbitration_id, data=data, is_extended_id=extended, timestamp=self._now()))
        self.frames_sent += 1

    def _on_frame(self, msg: can.Message) -> None:
        if msg.is_extended_id != self.addressing.extended or not self.addressing.is_request(msg.arbitration_id):
            return
        data = bytes(msg.data)
        if isotp.frame_type(data) != isotp.SINGLE:
            return  # OBD requests always fit a single frame; stray flow control is ignored
        try:
            request = isotp.IsoTpReceiver().feed(data)
        except Exception:
            return  # malformed request: a real ECU stays silent
        if request and request[0] in UDS_SERVICES:
            return  # a UDS request: the engine's UDS module (uds_bus) answers it, not its OBD-II face
        with self._lock:
            reply = self.responder.handle(request)
        if reply is None:
            return
        if self.ecu_delay:
            time.sleep(self.ecu_delay)
        self._reply(reply)

    def _reply(self, payload: bytes) -> None:
        response_id, extended = self.addressing.response_id(0), self.addressing.extended
        frames = isotp.segment(payload)
        self._send(response_id, frames[0], extended)
        if len(frames) == 1:
            return
        block_size, st_min = self._await_flow_control()
        if block_size is None:
            log.warning("no flow control from the tester; multi-frame reply abandoned")
            return
        for i, frame in enumerate(frames[1:], start=1):
            if st_min:
                time.sleep(st_min)
            self._send(response_id, frame, extended)
            if block_size and i % block_size == 0 and i < len(frames) - 1:
                block_size, st_min = self._await_flow_control()
                if block_size is None:
                    return

    def _await_flow_control(self) -> tuple[int | None, float]:
        deadline = time.monotonic() + FLOW_CONTROL_WAIT_S
        while (remaining := deadline - time.monotonic()) > 0:
            assert self.bus is not None, "closed"
            msg = self.bus.recv(timeout=remaining)
            if msg is None:
                break
            if msg.arbitration_id == self.addressing.physical_request_id(self.addressing.response_id(0)) and isotp.frame_type(bytes(msg.data)) == isotp.FLOW_CONTROL:
                status, block_size, st_min = isotp.parse_flow_control(bytes(msg.data))
                if status == isotp.FC_CONTINUE:
                    return block_size, st_min
                if status == isotp.FC_OVERFLOW:
                    return None, 0.0
                deadline = time.monotonic() + FLOW_CONTROL_WAIT_S  # FC_WAIT
        return None, 0.0
