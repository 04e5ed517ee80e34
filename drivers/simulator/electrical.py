"""Battery, starter and alternator: the 12 V system a technician checks with a meter.

The battery is an open-circuit voltage that follows its state of charge, behind an
internal resistance; the starter is a motor whose current falls as it spins up; the
alternator holds a temperature-compensated set point while it can deliver the current
asked of it, and the voltage sags toward the battery's when it cannot.
"""

from __future__ import annotations

import math

from drivers.simulator.powertrain import CRANK, RUN

STARTER_R = 0.045  # Ω: starter motor winding and cables
STARTER_EMF = 0.0158  # V per crank rpm of back-EMF
CRANK_RPM_HEALTHY = 270.0
KEY_ON_LOAD = 5.0  # A: ECU, fuel pump prime, dash
BASE_LOAD = 26.0  # A running: ignition, injectors, pump, ECU, blower, lights
FAN_LOAD = 16.0  # A: radiator fan
ALT_RATED = 90.0  # A
ALT_EFF = 0.55
DISCHARGE_R_EXTRA = 0.012  # Ω of polarisation while discharging under load


def open_circuit_voltage(soc: float) -> float:
    return 11.85 + 0.85 * soc  # 12.6 V at 88 % charge, 12.1 V at 30 %


class ChargingSystem:
    """Battery state of charge, terminal voltage, starter and alternator currents."""

    __slots__ = (
        "soc", "voltage", "alt_current", "field_duty", "crank_rpm_target", "crank_min_voltage",
        "r_internal", "capacity_ah", "rest_soc", "alt_capacity", "ripple_gain",
        "_dt", "_a_volt",
    )

    def __init__(self) -> None:
        self.r_internal = 0.0105  # Ω: healthy 60 Ah battery
        self.capacity_ah = 60.0
        self.rest_soc = 0.88
        self.alt_capacity = 1.0  # fraction of rated output the alternator can still give
        self.ripple_gain = 1.0  # AC ripple grows with a failing diode pack
        self._dt = -1.0
        self.rest()

    def rest(self) -> None:
        """The battery after standing: no surface charge, at its resting state of charge."""
        self.soc = self.rest_soc
        self.voltage = open_circuit_voltage(self.soc) - KEY_ON_LOAD * self.r_internal
        self.alt_current = self.field_duty = 0.0
        self.crank_rpm_target = CRANK_RPM_HEALTHY
        self.crank_min_voltage = 99.0

    def key_on(self) -> None:
        self.crank_min_voltage = 99.0
        self.crank_rpm_target = CRANK_RPM_HEALTHY

    def alternator_torque(self, rpm: float) -> float:
        """N·m the alternator takes from the crank (it is about 55 % efficient)."""
        if rpm < 300.0:
            return 0.0
        return self.voltage * self.alt_current / ALT_EFF / (rpm * (2.0 * math.pi / 60.0))

    def step(self, dt: float, engine_state: int, rpm: float, fan_on: bool, battery_temp: float) -> None:
        if dt != self._dt:
            self._dt = dt
            self._a_volt = 1.0 - math.exp(-dt / 0.25)
        ocv = open_circuit_voltage(self.soc)
        r_int = self.r_internal
        if engine_state == CRANK:
            if self.crank_min_voltage > 90.0:
                # First instant of cranking: the stalled starter's inrush gives the deepest dip,
                # recorded here so the ECU sees it whatever the step size.
                inrush = ocv / (r_int + STARTER_R) + KEY_ON_LOAD
                self.crank_min_voltage = ocv - inrush * r_int
            # Inrush at standstill, falling as the starter spins up and builds back-EMF.
            current = (ocv - STARTER_EMF * rpm) / (r_int + STARTER_R) + KEY_ON_LOAD
            volts = ocv - current * r_int
            self.voltage = volts
            self.alt_current = 0.0
            if volts < self.crank_min_voltage:
                self.crank_min_voltage = volts
            # A sagging battery turns the engine over more slowly.
            self.crank_rpm_target = CRANK_RPM_HEALTHY * min(1.0, max(0.35, (volts - 4.0) / 6.2))
            self.soc -= current * dt / (3600.0 * self.capacity_ah)
            return
        if engine_state != RUN:
            self.voltage = ocv - KEY_ON_LOAD * r_int
            self.alt_current = self.field_duty = 0.0
            self.soc -= KEY_ON_LOAD * dt / (3600.0 * self.capacity_ah)
            return
        capacity = ALT_RATED * min(1.0, max(0.0, (rpm - 300.0) / 900.0)) * self.alt_capacity
        load = BASE_LOAD + (FAN_LOAD if fan_on else 0.0)
        set_point = 14.35 - 0.012 * (battery_temp - 25.0)  # regulator temperature compensation
        r_charge = 0.05 / (1.05 - self.soc)  # a full battery accepts little charge
        wanted = load + max(0.0, (set_point - ocv) / r_charge)
        if capacity >= wanted:
            target = set_point
            self.alt_current = wanted
            self.field_duty = wanted / capacity if capacity > 0.0 else 1.0
        else:
            net = capacity - load
            target = ocv + net * (r_charge if net > 0.0 else r_int + DISCHARGE_R_EXTRA)
            self.alt_current = capacity
            self.field_duty = 1.0
        volts = self.voltage + (target - self.voltage) * self._a_volt
        self.voltage = volts
        if volts >= ocv:
            battery_current = (volts - ocv) / r_charge
        else:
            battery_current = (volts - ocv) / (r_int + DISCHARGE_R_EXTRA)
        soc = self.soc + battery_current * dt / (3600.0 * self.capacity_ah)
        self.soc = 0.0 if soc < 0.0 else (1.0 if soc > 1.0 else soc)
