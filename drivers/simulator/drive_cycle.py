"""The scripted driver: key-on, crank, warm-up idle, then a repeating workshop test drive.

The repeating cycle holds the conditions a technician looks for: steady idle, a 2,500 rpm
hold in park (charging check), urban stop-and-go, a 90 km/h cruise (catalyst and O2
monitors run there) and a coast-down in gear (deceleration fuel cut).
"""

from __future__ import annotations

import random
from typing import cast

KEY_ON_DELAY = 0.6  # s: the driver waits for the fuel pump to prime before cranking
WARM_UP_IDLE = 60.0  # s of idle in park after the engine starts
HOLD_RPM = 2500.0

# phase, duration [s], speed at start and end [km/h] (None = the urban or cruise speed
# drawn for this cycle), in gear, rpm held in park (0 = idle), foot on the brake at rest.
_CYCLE = (
    ("idle", 15.0, 0, 0, False, 0.0, False),
    ("hold_2500", 20.0, 0, 0, False, HOLD_RPM, False),
    ("idle", 5.0, 0, 0, False, 0.0, False),
    *(
        step
        for _ in range(3)
        for step in (
            ("urban", 10.0, 0, "u", True, 0.0, False),
            ("urban", 10.0, "u", "u", True, 0.0, False),
            ("urban", 7.0, "u", 0, True, 0.0, False),
            ("stop", 6.0, 0, 0, False, 0.0, True),
        )
    ),
    ("accelerate", 22.0, 0, "c", True, 0.0, False),
    ("cruise", 90.0, "c", "c", True, 0.0, False),
    ("coast", 28.0, "c", 25, True, 0.0, False),
    ("brake", 6.0, 25, 0, True, 0.0, False),
    ("stop", 4.0, 0, 0, False, 0.0, True),
)
CYCLE_LENGTH = sum(s[1] for s in _CYCLE)


class DriveCycle:
    """What the driver asks for at each moment; the powertrain decides what the car does."""

    __slots__ = (
        "_rng", "_segments", "_seg", "_seg_start", "_seg_end", "_v0", "_v1",
        "t", "phase", "crank", "in_gear", "target_speed", "hold_rpm", "brake_hold",
    )

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.reset()

    def reset(self) -> None:
        """Key-on of a new drive."""
        self.t = 0.0
        self.phase = "key_on"
        self.crank = False
        self.in_gear = False
        self.target_speed = 0.0  # m/s
        self.hold_rpm = 0.0
        self.brake_hold = False
        self._segments: list[tuple[str, float, float, float, bool, float, bool]] = []
        self._seg = -1
        self._seg_start = 0.0
        self._seg_end = WARM_UP_IDLE  # the first lap starts when the warm-up idle ends
        self._v0 = self._v1 = 0.0

    def _new_cycle(self) -> None:
        # Each lap differs a little, as a real driver's would.
        urban = 45.0 + 10.0 * self._rng.random()
        cruise = 88.0 + 4.0 * self._rng.random()
        speeds: dict[str | int, float] = {"u": urban, "c": cruise}
        self._segments = [
            (phase, dur, cast(float, speeds.get(a, a)) / 3.6, cast(float, speeds.get(b, b)) / 3.6, gear, rpm, brake)
            for phase, dur, a, b, gear, rpm, brake in _CYCLE
        ]
        self._seg = -1

    def advance(self, dt: float, running: bool, run_time: float) -> None:
        self.t += dt
        if not running:
            self.in_gear = False
            self.target_speed = 0.0
            self.hold_rpm = 0.0
            self.crank = self.t >= KEY_ON_DELAY
            self.phase = "cranking" if self.crank else "key_on"
            return
        self.crank = False
        if run_time < WARM_UP_IDLE:
            self.phase = "warm_up_idle"
            return
        while run_time >= self._seg_end:
            if self._seg + 1 >= len(self._segments):
                self._new_cycle()
            self._seg += 1
            phase, dur, v0, v1, gear, rpm, brake = self._segments[self._seg]
            self._seg_start = self._seg_end
            self._seg_end = self._seg_start + dur
            self.phase, self.in_gear, self.hold_rpm, self.brake_hold = phase, gear, rpm, brake
            self._v0, self._v1 = v0, v1
        frac = (run_time - self._seg_start) / (self._seg_end - self._seg_start)
        self.target_speed = self._v0 + (self._v1 - self._v0) * frac
