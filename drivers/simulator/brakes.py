"""Brake pad wear.

Pads lose thickness with the energy they absorb, taken as brake pressure times distance;
the front axle does about 70 % of the braking. Nothing here sets a powertrain trouble
code: real cars report pad wear through a wear-sensor wire and the brake warning lamp, or
through the ABS/body module's service message (manufacturer-specific C/B codes), never
through a generic OBD-II P code from the engine ECU.
"""

from __future__ import annotations

FRONT_NEW_MM = 9.5
REAR_NEW_MM = 8.0
FRONT_WEAR = 2.6e-7  # mm per bar·m
REAR_WEAR = 1.1e-7


class Brakes:
    __slots__ = ("front_mm", "rear_mm", "wear_gain")

    def __init__(self) -> None:
        self.front_mm = FRONT_NEW_MM
        self.rear_mm = REAR_NEW_MM
        self.wear_gain = 1.0  # thin pads run hotter and wear faster

    def step(self, dt: float, pressure: float, speed: float) -> None:
        if pressure > 0.5 and speed > 0.0:
            work = pressure * speed * dt
            self.front_mm = max(0.0, self.front_mm - FRONT_WEAR * self.wear_gain * work)
            self.rear_mm = max(0.0, self.rear_mm - REAR_WEAR * work)
