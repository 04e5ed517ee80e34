"""Engine cooling, intake air heat soak, catalyst temperature and the coolant sensor.

The coolant is one lumped mass heated by about 30 % of the fuel energy and cooled through
a radiator whose flow the thermostat meters; road speed and the fan set how well the
radiator works. The coolant *sensor* is modelled apart from the coolant so that a faulty
sensor changes what the ECU reads and nothing else.
"""

from __future__ import annotations

import math
import random

HEAT_PER_GRAM_AIR = 0.3 * 43.0 / 14.7  # kJ into the coolant per g of air burnt
HEAT_CAPACITY = 32.0  # kJ/K: coolant plus the block that warms with it
THERMOSTAT_START = 84.0  # °C where the thermostat starts to open
THERMOSTAT_SPAN = 10.0  # K from cracking open to fully open
FAN_ON, FAN_OFF = 98.0, 94.0  # °C: the fan relay's hysteresis
OPEN_CIRCUIT_READING = -40.0  # °C: what an open ECT circuit reads (input pulled to the rail)


class Thermal:
    """True coolant, intake air and catalyst temperatures, and what the ECT sensor reports."""

    __slots__ = (
        "coolant", "coolant_reading", "thermostat", "fan_on", "intake_air", "catalyst",
        "thermostat_min_open", "sensor_severity", "_jump", "_jump_left",
        "_dt", "_a_iat", "_a_cat", "_a_cat_off",
    )

    def __init__(self, ambient: float) -> None:
        self.thermostat_min_open = 0.0  # > 0 when the thermostat is stuck open
        self.sensor_severity = 0.0  # coolant sensor fault, 0 = healthy
        self._dt = -1.0
        self.soak(ambient, ambient)

    def soak(self, ambient: float, coolant: float) -> None:
        """Reset to an engine that has stood long enough for everything to settle."""
        self.coolant = coolant
        self.coolant_reading = coolant
        self.thermostat = 0.0
        self.fan_on = False
        self.intake_air = ambient
        self.catalyst = ambient
        self._jump = self._jump_left = 0.0

    def _set_dt(self, dt: float) -> None:
        self._dt = dt
        self._a_iat = 1.0 - math.exp(-dt / 40.0)
        self._a_cat = 1.0 - math.exp(-dt / 30.0)
        self._a_cat_off = 1.0 - math.exp(-dt / 600.0)

    def step(
        self, dt: float, running: bool, maf: float, fuel_cut: bool, speed: float, ambient: float,
        misfire_rate: float, cold_start: bool, rng: random.Random,
    ) -> None:
        if dt != self._dt:
            self._set_dt(dt)
        t = self.coolant
        heat_in = HEAT_PER_GRAM_AIR * maf if running and not fuel_cut else 0.0
        opening = (t - THERMOSTAT_START) / THERMOSTAT_SPAN
        opening = 0.0 if opening < 0.0 else (1.0 if opening > 1.0 else opening)
        if opening < self.thermostat_min_open:
            opening = self.thermostat_min_open
        self.thermostat = opening
        if self.fan_on:
            self.fan_on = t > FAN_OFF
        else:
            self.fan_on = t > FAN_ON
        # Radiator conductance in kW/K: still air, ram air with speed, and the fan.
        radiator = 0.055 + 0.016 * speed + (0.3 if self.fan_on else 0.0)
        conductance = opening * radiator + 0.012  # + heater core and block losses
        t += (heat_in - conductance * (t - ambient)) / HEAT_CAPACITY * dt
        self.coolant = t

        # Under-bonnet heat soaks into the intake at low speed; ram air blows it away.
        warm = (t - ambient) / 70.0
        warm = 0.0 if warm < 0.0 else (1.0 if warm > 1.0 else warm)
        iat_target = ambient + 14.0 * warm / (1.0 + speed / 4.0)
        self.intake_air += (iat_target - self.intake_air) * self._a_iat

        if running:
            if fuel_cut:
                cat_target = 250.0  # fresh air through the converter cools it
            else:
                # Exhaust heat rises with flow; unburnt charge from misfires burns in the brick.
                cat_target = 330.0 + 13.0 * maf + 1800.0 * misfire_rate + (120.0 if cold_start else 0.0)
            self.catalyst += (cat_target - self.catalyst) * self._a_cat
        else:
            self.catalyst += (ambient - self.catalyst) * self._a_cat_off

        sev = self.sensor_severity
        if sev <= 0.0:
            self.coolant_reading = t
        else:
            self.coolant_reading = self._faulty_reading(t, sev, dt, rng)

    def _faulty_reading(self, t: float, sev: float, dt: float, rng: random.Random) -> float:
        if sev >= 0.8:
            return OPEN_CIRCUIT_READING
        # A corroded connector: reads low, noisy, and now and then jumps for a moment.
        if self._jump_left > 0.0:
            self._jump_left -= dt
        elif rng.random() < 0.15 * sev * dt:
            sign = 1.0 if rng.random() < 0.5 else -1.0
            self._jump = sign * (15.0 + 30.0 * rng.random()) * (0.5 + sev)
            self._jump_left = 0.3 + 1.7 * rng.random()
        jump = self._jump if self._jump_left > 0.0 else 0.0
        reading = t - 25.0 * sev + 3.0 * sev * (rng.random() - 0.5) + jump
        return max(OPEN_CIRCUIT_READING, min(215.0, reading))
