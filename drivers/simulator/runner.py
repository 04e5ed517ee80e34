"""Steps a VehicleModel on its own thread at a chosen speed; faces lock it to read or answer."""

from __future__ import annotations

import logging
import threading
import time

from drivers.simulator.model import VehicleModel

log = logging.getLogger(__name__)

STEP_S = 0.01


class ModelRunner:
    def __init__(self, model: VehicleModel, speed: float | None = 1.0) -> None:
        self.model = model
        self.speed = speed  # simulated seconds per real second; None = as fast as possible
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ModelRunner:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="vehicle-model", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _run(self) -> None:
        next_step = time.monotonic()
        while not self._stop.is_set():
            with self.lock:
                self.model.step(STEP_S)
            if self.speed is None:
                continue
            next_step += STEP_S / self.speed
            delay = next_step - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            elif delay < -1.0:  # far behind (suspend, debugger): resume from now instead of sprinting
                next_step = time.monotonic()
