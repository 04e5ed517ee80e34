"""Misfires per cylinder, counted as the ECU's crankshaft-speed monitor would count them."""

from __future__ import annotations

import math
import random

from drivers.simulator.faults import CYLINDERS


class MisfireModel:
    """Per-cylinder misfire probability per power stroke, and this drive's counters."""

    __slots__ = ("probability", "counts", "events", "rate", "_active", "_acc", "_next", "_dt", "_a_rate")

    def __init__(self) -> None:
        self.probability = [0.0] * CYLINDERS
        self._active: list[int] = []
        self._dt = -1.0
        self.reset()

    def set_probability(self, probability: list[float]) -> None:
        self.probability = list(probability)
        # Only cylinders that can misfire cost anything per step.
        self._active = [c for c, p in enumerate(self.probability) if p > 0.0]

    @property
    def torque_loss(self) -> float:
        return sum(self.probability) / CYLINDERS

    def reset(self) -> None:
        """Counters are per drive (mode 06 style 'this driving cycle')."""
        self.counts = [0] * CYLINDERS
        self._acc = [0.0] * CYLINDERS
        self._next = [1.0] * CYLINDERS
        self.events = 0  # misfires in the last step
        self.rate = 0.0  # smoothed fraction of all power strokes that misfire

    def step(self, dt: float, rpm: float, firing: bool, rng: random.Random) -> None:
        if dt != self._dt:
            self._dt = dt
            self._a_rate = 1.0 - math.exp(-dt / 2.0)
        events = 0
        if firing and self._active and rpm > 400.0:
            strokes = rpm / 120.0 * dt  # power strokes per cylinder in this step
            acc, nxt, counts, prob = self._acc, self._next, self.counts, self.probability
            for c in self._active:
                a = acc[c] + prob[c] * strokes
                # Misfires arrive at random intervals whose mean matches the probability.
                while a >= nxt[c]:
                    a -= nxt[c]
                    nxt[c] = 0.3 + 1.4 * rng.random()
                    counts[c] += 1
                    events += 1
                acc[c] = a
            self.rate += (events / (strokes * CYLINDERS) - self.rate) * self._a_rate
        elif self.rate:
            self.rate -= self.rate * self._a_rate
        self.events = events
