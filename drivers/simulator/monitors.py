"""The engine ECU's on-board diagnostic monitors, run at about 10 Hz.

Each monitor checks its enabling conditions, then reports pass or fail evidence to
EcuMemory under a Rule. Two monitors are intrusive tests on a real ECU (O2 sensor response
to a forced lean/rich step; catalyst oxygen storage measured as the delay between the two
sensors after a forced switch); here they read the step response and the storage the
physics model already has, so their verdicts do not depend on the simulation step size.
Interlocks follow common practice: catalyst and O2 tests wait while misfire is present,
and the thermostat test waits while the coolant sensor itself is suspect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from drivers.simulator.ecu import EcuMemory, Rule
from drivers.simulator.faults import CYLINDERS
from drivers.simulator.fuel_control import CAT_CAPACITY, TRIM_LIMIT
from drivers.simulator.thermal import OPEN_CIRCUIT_READING

if TYPE_CHECKING:
    from drivers.simulator.model import VehicleModel
    from drivers.simulator.powertrain import Powertrain

_Snapshot = Callable[[], dict[str, float]]

LEAN_IDLE = Rule("P0171/idle", "P0171", 10.0, 30.0, 60.0)
LEAN_LOAD = Rule("P0171/load", "P0171", 10.0, 30.0, 60.0)
RICH_IDLE = Rule("P0172/idle", "P0172", 10.0, 30.0, 60.0)
RICH_LOAD = Rule("P0172/load", "P0172", 10.0, 30.0, 60.0)
MISFIRE = tuple(Rule(f"P030{n}/window", f"P030{n}", 0.5, 1.5, 2.0) for n in range(1, CYLINDERS + 1))
MISFIRE_RANDOM = Rule("P0300/window", "P0300", 0.5, 1.5, 2.0)  # units: 1,000-revolution windows
O2_RESPONSE = Rule("P0133/response", "P0133", 10.0, 40.0, 30.0)
CATALYST = Rule("P0420/storage", "P0420", 10.0, 40.0, 30.0)
THERMOSTAT = Rule("P0128/warm-up", "P0128", 10.0, 60.0, 60.0)
ECT_RANGE = Rule("P0116/model", "P0116", 10.0, 30.0, 60.0)
ECT_HIGH = Rule("P0118/circuit", "P0118", 2.0, 5.0, 10.0)
ECT_ERRATIC = Rule("P0119/jumps", "P0119", 1.0, 4.0, 120.0)  # fail in jumps, pass in seconds
VOLTAGE_CRANK = Rule("P0562/crank", "P0562", 0.5, 1.5, 1.0)  # units: engine starts
VOLTAGE_RUN = Rule("P0562/running", "P0562", 10.0, 60.0, 60.0)
GENERATOR_FIELD = Rule("P0622/field", "P0622", 10.0, 30.0, 60.0)

MISFIRE_WINDOW_REVS = 1000.0
MISFIRE_CYL_LIMIT = 20  # per window: 4 % of that cylinder's 500 power strokes
MISFIRE_TOTAL_LIMIT = 160  # per window: 8 % of all 2,000 power strokes
O2_RESPONSE_LIMIT = 0.30  # s, 10-90 % after a forced step
CATALYST_STORAGE_LIMIT = 0.15  # fraction of a new converter's oxygen storage
THERMOSTAT_OK = 71.0  # °C: thermostat regulating temperature threshold
WARMUP_AIR_PER_K = 100.0  # g of air per K of warm-up a healthy engine needs, with margin
CRANK_VOLTAGE_LIMIT = 8.0
CHARGING_LOW, CHARGING_OK = 12.8, 13.2
ECT_JUMP = 8.0  # °C between two monitor runs: faster than any coolant can change
ECT_MODEL_LIMIT = 15.0  # °C between sensor and the ECU's coolant model
ECT_INTERLOCK = ("P0116", "P0118", "P0119")
MISFIRE_CODES = tuple(r.code for r in MISFIRE) + ("P0300",)


class Monitors:
    """Per-drive monitor state; the verdicts and the readiness flags go to ``model.ecu``."""

    def __init__(self, model: VehicleModel) -> None:
        self._m = model
        self._ecu: EcuMemory = model.ecu
        self.o2_response_s = 0.0  # last test results, mode 06 style
        self.catalyst_storage = 1.0
        self.new_trip()

    def new_trip(self) -> None:
        self._revs = 0.0
        self._window_counts = [0] * CYLINDERS
        self._start_reading: float | None = None
        self._air_g = 0.0
        self._reached_warm = False
        self._prev_reading: float | None = None
        self._ect_deviation_s = 0.0
        self._reset_timers()

    def _reset_timers(self) -> None:
        # Non-continuous monitors must meet their conditions again after key-on or a clear.
        self._timers = {"Catalyst": 0.0, "EVAP system": 0.0, "O2 sensor": 0.0, "O2 sensor heater": 0.0, "EGR/VVT": 0.0}
        self._clears = self._ecu.clear_count

    def on_engine_start(self) -> None:
        """Battery voltage is judged once per start, at its lowest point while cranking."""
        volts = self._m.electrical.crank_min_voltage
        self._ecu.report(VOLTAGE_CRANK, volts < CRANK_VOLTAGE_LIMIT, 1.0, self._m.signals)

    def tick(self, dt: float) -> None:
        m = self._m
        eng = m.engine
        if not m.engine_running:
            return
        snap = m.signals
        ecu = self._ecu
        if ecu.clear_count != self._clears:
            self._reset_timers()
        fuel = m.fuel
        thermal = m.thermal
        coolant = thermal.coolant  # the ECU's coolant model: it tracks the real temperature
        warm = coolant > 70.0

        self._misfire(dt, eng, snap)
        if fuel.closed_loop and warm:
            total = fuel.stft + fuel.ltft
            idle = eng.maf_metered < 6.0
            ecu.report(LEAN_IDLE if idle else LEAN_LOAD, total > TRIM_LIMIT, dt, snap)
            ecu.report(RICH_IDLE if idle else RICH_LOAD, total < -TRIM_LIMIT, dt, snap)

        misfire_present = any(c in ecu.pending for c in MISFIRE_CODES)  # pending = failing lately
        steady = eng.speed > 11.0 and -0.4 < eng.accel < 0.4 and not eng.fuel_cut
        if fuel.closed_loop and warm and steady and not misfire_present:
            self.o2_response_s = 2.2 * fuel.o2_tau  # 10-90 % time of a first-order sensor
            ecu.report(O2_RESPONSE, self.o2_response_s > O2_RESPONSE_LIMIT, dt, snap)
            self._advance("O2 sensor", dt, 20.0)
            if thermal.catalyst > 400.0 and "P0133" not in ecu.pending:
                self.catalyst_storage = fuel.cat_capacity / CAT_CAPACITY
                ecu.report(CATALYST, self.catalyst_storage < CATALYST_STORAGE_LIMIT, dt, snap)
                self._advance("Catalyst", dt, 20.0)

        self._coolant_sensor(dt, thermal.coolant_reading, coolant, snap)
        self._thermostat(dt, thermal.coolant_reading, eng.maf, snap)
        self._charging(dt, m, eng.rpm, snap)

        self._advance("O2 sensor heater", dt, 60.0)
        if warm and eng.speed > 8.0:
            self._advance("EVAP system", dt, 90.0)
        if warm and eng.fuel_cut:
            self._advance("EGR/VVT", dt, 10.0)

    def _advance(self, monitor: str, dt: float, needed: float) -> None:
        if self._ecu.is_complete(monitor):
            return
        t = self._timers[monitor] + dt
        self._timers[monitor] = t
        if t >= needed:
            self._ecu.monitor_complete(monitor)

    def _misfire(self, dt: float, eng: Powertrain, snap: _Snapshot) -> None:
        if eng.fuel_cut or eng.rpm < 500.0:
            return  # no combustion to judge
        self._revs += eng.rpm / 60.0 * dt
        if self._revs < MISFIRE_WINDOW_REVS:
            return
        counts = self._m.misfire.counts
        window = [c - s for c, s in zip(counts, self._window_counts)]
        self._window_counts = list(counts)
        self._revs = 0.0
        failing = 0
        for rule, n in zip(MISFIRE, window):
            bad = n >= MISFIRE_CYL_LIMIT
            failing += bad
            self._ecu.report(rule, bad, 1.0, snap)
        random_bad = sum(window) >= MISFIRE_TOTAL_LIMIT or failing >= 2
        self._ecu.report(MISFIRE_RANDOM, random_bad, 1.0, snap)

    def _coolant_sensor(self, dt: float, reading: float, model_temp: float, snap: _Snapshot) -> None:
        ecu = self._ecu
        open_circuit = reading <= OPEN_CIRCUIT_READING + 0.5
        ecu.report(ECT_HIGH, open_circuit, dt, snap)
        prev = self._prev_reading
        self._prev_reading = reading
        if prev is not None:
            jumped = abs(reading - prev) > ECT_JUMP
            ecu.report(ECT_ERRATIC, jumped, 1.0 if jumped else dt, snap)
        if open_circuit:
            return
        # Range/performance: a steady disagreement with the model, not a momentary jump.
        if abs(reading - model_temp) > ECT_MODEL_LIMIT:
            self._ect_deviation_s += dt
            if self._ect_deviation_s >= 5.0:
                ecu.report(ECT_RANGE, True, dt, snap)
        else:
            self._ect_deviation_s = 0.0
            ecu.report(ECT_RANGE, False, dt, snap)

    def _thermostat(self, dt: float, reading: float, maf: float, snap: _Snapshot) -> None:
        ecu = self._ecu
        self._air_g += maf * dt
        if self._start_reading is None:
            self._start_reading = reading
        if reading <= OPEN_CIRCUIT_READING + 0.5 or any(c in ecu.pending for c in ECT_INTERLOCK):
            return
        if reading >= THERMOSTAT_OK:
            self._reached_warm = True
            ecu.report(THERMOSTAT, False, dt, snap)
        elif self._reached_warm:
            # Warm once this drive, now cooled below regulating temperature while running.
            if reading < THERMOSTAT_OK - 3.0:
                ecu.report(THERMOSTAT, True, dt, snap)
        elif self._start_reading < THERMOSTAT_OK - 6.0:
            # Not warm yet: fail once the air burnt since start should have warmed it.
            window = (THERMOSTAT_OK - self._start_reading) * WARMUP_AIR_PER_K
            if self._air_g > window:
                ecu.report(THERMOSTAT, True, dt, snap)

    def _charging(self, dt: float, m: VehicleModel, rpm: float, snap: _Snapshot) -> None:
        if m.run_time < 5.0:
            return
        ecu = self._ecu
        elec = m.electrical
        volts = elec.voltage
        if volts < CHARGING_LOW:
            ecu.report(VOLTAGE_RUN, True, dt, snap)
        elif volts > CHARGING_OK:
            ecu.report(VOLTAGE_RUN, False, dt, snap)
        if rpm > 2000.0:
            # Full field and still low voltage: the regulator asks, the machine cannot give.
            if elec.field_duty >= 0.99 and volts < CHARGING_LOW:
                ecu.report(GENERATOR_FIELD, True, dt, snap)
            elif elec.field_duty < 0.99 or volts > CHARGING_OK:
                ecu.report(GENERATOR_FIELD, False, dt, snap)
