"""The engine ECU's diagnostic memory: codes, freeze frames, MIL, readiness, counters.

Monitors (drivers.simulator.monitors) report pass/fail evidence here; this class turns
evidence into pending, stored (confirmed) and permanent codes the way OBD-II requires:

- a failing monitor makes its code pending once its evidence passes ``pending_at``;
- the code is confirmed (stored, mode 03) with a freeze frame and the MIL once the evidence
  passes ``confirm_at``; evidence survives key-off, so a fault seen on two drives confirms
  like a real two-trip code;
- emission-related codes are also written to permanent memory (mode 0A), which a scan
  tool cannot erase: only the monitor passing again does;
- enough passing evidence without a failure in between drops the pending code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# code -> (description, commands the MIL, emission-related so also permanent)
CODES: dict[str, tuple[str, bool, bool]] = {
    "P0116": ("Engine Coolant Temperature Circuit Range/Performance", True, True),
    "P0118": ("Engine Coolant Temperature Circuit High", True, True),
    "P0119": ("Engine Coolant Temperature Circuit Intermittent/Erratic", True, True),
    "P0128": ("Coolant Thermostat (Coolant Temperature Below Thermostat Regulating Temperature)", True, True),
    "P0133": ("O2 Sensor Circuit Slow Response (Bank 1 Sensor 1)", True, True),
    "P0171": ("System Too Lean (Bank 1)", True, True),
    "P0172": ("System Too Rich (Bank 1)", True, True),
    "P0300": ("Random/Multiple Cylinder Misfire Detected", True, True),
    **{f"P030{n}": (f"Cylinder {n} Misfire Detected", True, True) for n in range(1, 5)},
    "P0420": ("Catalyst System Efficiency Below Threshold (Bank 1)", True, True),
    # Charging faults light the battery lamp, not the MIL, and are not emission-related.
    "P0562": ("System Voltage Low", False, False),
    "P0622": ("Generator Field 'F' Terminal Circuit Malfunction", False, False),
}

# (name, continuous, supported) in SAE J1979 PID 01 order, spark ignition.
MONITORS: tuple[tuple[str, bool, bool], ...] = (
    ("Misfire", True, True),
    ("Fuel system", True, True),
    ("Components", True, True),
    ("Catalyst", False, True),
    ("Heated catalyst", False, False),
    ("EVAP system", False, True),
    ("Secondary air", False, False),
    ("O2 sensor", False, True),
    ("O2 sensor heater", False, True),
    ("EGR/VVT", False, True),
)


@dataclass(frozen=True, slots=True)
class Rule:
    """How much evidence one monitor needs for one code (units are the monitor's own)."""

    key: str
    code: str
    pending_at: float
    confirm_at: float
    heal_at: float


class _Evidence:
    __slots__ = ("failed", "passed")

    def __init__(self) -> None:
        self.failed = 0.0
        self.passed = 0.0


class EcuMemory:
    """What mode 01 PID 01/21/30/31, and modes 02, 03, 04, 07 and 0A read from the engine ECU."""

    def __init__(self, *, driven_before: bool = True) -> None:
        self.stored: list[str] = []
        self.pending: list[str] = []
        self.permanent: list[str] = []
        self.freeze_frames: dict[str, dict[str, float]] = {}
        self.distance_with_mil_km = 0.0
        self.distance_since_clear_km = 0.0
        self.warmups_since_clear = 0
        self.clear_count = 0
        self._evidence: dict[str, _Evidence] = {}
        # A car that has been driven since its last clear has run all its monitors.
        self._complete: dict[str, bool] = {name: driven_before for name, cont, _ in MONITORS if not cont}
        self._trip_start_coolant = 0.0
        self._warmup_counted = False

    @property
    def mil_on(self) -> bool:
        return any(CODES[c][1] for c in self.stored)

    def readiness(self) -> list[tuple[str, bool, bool, bool]]:
        """``(monitor, continuous, supported, complete)``; complete is False when unsupported."""
        return [
            (name, cont, supported, supported and (cont or self._complete[name]))
            for name, cont, supported in MONITORS
        ]

    def monitor_complete(self, name: str) -> None:
        self._complete[name] = True

    def is_complete(self, name: str) -> bool:
        return self._complete.get(name, True)

    def clear(self) -> None:
        """Mode 04. Permanent codes stay: only their monitor passing again erases them."""
        self.clear_count += 1
        self.stored.clear()
        self.pending.clear()
        self.freeze_frames.clear()
        self._evidence.clear()
        for name in self._complete:
            self._complete[name] = False
        self.distance_with_mil_km = 0.0
        self.distance_since_clear_km = 0.0
        self.warmups_since_clear = 0

    def report(self, rule: Rule, failed: bool, weight: float, snapshot: Callable[[], dict[str, float]]) -> None:
        """One piece of evidence from a monitor: ``weight`` seconds (or events) of fail or pass."""
        ev = self._evidence.get(rule.key)
        if ev is None:
            ev = self._evidence[rule.key] = _Evidence()
        code = rule.code
        if failed:
            ev.failed += weight
            ev.passed = 0.0
            if ev.failed >= rule.pending_at and code not in self.pending:
                self.pending.append(code)
            if ev.failed >= rule.confirm_at and code not in self.stored:
                self.stored.append(code)
                self.freeze_frames[code] = snapshot()
                if CODES[code][2] and code not in self.permanent:
                    self.permanent.append(code)
            return
        ev.passed += weight
        if ev.passed < rule.heal_at:
            return
        ev.failed = 0.0
        if code in self.pending and not self._still_failing(code):
            self.pending.remove(code)
        if code in self.permanent and code not in self.stored:
            self.permanent.remove(code)

    def _still_failing(self, code: str) -> bool:
        # Another monitor (e.g. cranking vs running voltage) may hold the same code.
        return any(e.failed > 0.0 for key, e in self._evidence.items() if key.startswith(code + "/"))

    def start_trip(self, coolant: float) -> None:
        self._trip_start_coolant = coolant
        self._warmup_counted = False

    def drive(self, distance_km: float, coolant: float) -> None:
        """Bookkeeping for PIDs 21, 30 and 31, called as the car moves and warms."""
        self.distance_since_clear_km += distance_km
        if self.mil_on:
            self.distance_with_mil_km += distance_km
        # SAE warm-up: coolant rose by at least 22 °C (40 °F) and reached 70 °C (160 °F).
        if not self._warmup_counted and coolant >= 70.0 and coolant - self._trip_start_coolant >= 22.0:
            self._warmup_counted = True
            self.warmups_since_clear = min(255, self.warmups_since_clear + 1)
