"""Closed-loop fuel control, the two O2 sensors and the catalyst's oxygen storage.

The ECU meters fuel from the MAF reading and corrects it with its trims. Exhaust lambda
reaches the upstream narrowband sensor after a transport delay; short-term trim ramps
toward the other side of stoichiometric and jumps back when the sensor switches, which
makes the familiar 1-3 Hz limit cycle. Long-term trim learns what short-term trim keeps
asking for: an additive part at idle (air the MAF never saw, e.g. a vacuum leak) and a
multiplicative part under load (injector or MAF gain), as Bosch-style adaptation does.
"""

from __future__ import annotations

import math

AFR = 14.7
TRIM_LIMIT = 25.0  # % each for STFT and LTFT
O2_READY_AFTER = 20.0  # s of heater time before the upstream sensor is trusted
O2_SWITCH = 0.45  # V: rich above, lean below
BUFFER = 64  # transport-delay ring (power of two)
CAT_CAPACITY = 0.6  # g of oxygen a new converter stores when lit off
CAT_RICH_BIAS = 0.003  # a working converter's output sits just rich of stoichiometric
P_JUMP = 2.0  # % STFT jumps back when the sensor switches


def narrowband(lam: float, amplitude: float = 0.40) -> float:
    """Zirconia sensor: ~0.86 V rich, ~0.06 V lean, a steep step at lambda 1."""
    return 0.46 + amplitude * math.tanh(150.0 * (1.0 - lam))


class FuelControl:
    """Trims, lambda, O2 sensor voltages and catalyst oxygen storage."""

    __slots__ = (
        "stft", "ltft_mult", "ltft_add", "ltft", "closed_loop", "lam", "o2_up", "o2_down",
        "rich", "switches", "fuel_gs", "cat_store", "o2_tau", "o2_amplitude", "cat_capacity",
        "_buf", "_i", "_spike", "_dt", "_a_o2", "_a_down", "_spike_decay", "_spike_size", "_a_cell", "_lam_sensed",
    )

    def __init__(self) -> None:
        self.o2_tau = 0.05  # s: healthy sensor response (10-90 % in about 110 ms)
        self.o2_amplitude = 0.40
        self.cat_capacity = CAT_CAPACITY
        self.ltft_mult = 0.0  # %, learned under load
        self.ltft_add = 0.0  # g/s of air, learned at idle
        self._dt = -1.0
        self.reset()

    def reset(self) -> None:
        """Key-on: the learned long-term trims survive (keep-alive memory), the rest restarts."""
        self.stft = 0.0
        self.ltft = 0.0
        self.closed_loop = False
        self.lam = 1.0
        self.o2_up = self.o2_down = O2_SWITCH
        self.rich = False
        self.switches = 0
        self.fuel_gs = 0.0
        self.cat_store = 0.5
        self._buf = [1.0] * BUFFER
        self._lam_sensed = 1.0
        self._i = 0
        self._spike = 0.0

    def _set_dt(self, dt: float) -> None:
        self._dt = dt
        self._a_o2 = 1.0 - math.exp(-dt / self.o2_tau)
        self._a_down = 1.0 - math.exp(-dt / 0.1)
        self._a_cell = 1.0 - math.exp(-dt / 0.03)
        self._spike_decay = math.exp(-dt / 0.04)
        self._spike_size = 0.3 * min(1.0, 0.04 / dt)

    def set_o2_tau(self, tau: float) -> None:
        self.o2_tau = tau
        self._dt = -1.0

    def step(
        self, dt: float, running: bool, fuel_cut: bool, maf: float, metered: float, coolant: float,
        run_time: float, load: float, misfires: int, cat_temp: float,
    ) -> None:
        if dt != self._dt:
            self._set_dt(dt)
        if not running:
            self.closed_loop = False
            self.stft = 0.0
            self.fuel_gs = 0.0
            self.o2_up += (O2_SWITCH - self.o2_up) * self._a_o2
            self.o2_down += (O2_SWITCH - self.o2_down) * self._a_down
            return
        sensor_ready = run_time >= O2_READY_AFTER
        closed = sensor_ready and not fuel_cut and coolant > 30.0 and load < 88.0
        self.closed_loop = closed
        ltft = 0.0
        if metered > 0.5:
            ltft = self.ltft_mult + 100.0 * self.ltft_add / metered
            ltft = TRIM_LIMIT if ltft > TRIM_LIMIT else (-TRIM_LIMIT if ltft < -TRIM_LIMIT else ltft)
        self.ltft = ltft
        stft = self.stft if closed else 0.0

        if fuel_cut:
            self.fuel_gs = 0.0
            lam = 1.6
        else:
            if closed:
                lam_cmd = 1.0
            elif load >= 88.0:
                lam_cmd = 0.88  # full-load enrichment
            else:
                lam_cmd = 1.0 - 0.08 * min(1.0, max(0.0, (50.0 - coolant) / 35.0))  # warm-up enrichment
            fuel = metered / (AFR * lam_cmd) * (1.0 + (stft + ltft) / 100.0)
            self.fuel_gs = fuel
            lam = maf / (AFR * fuel) if fuel > 0.0 else 1.6
        # A misfired cylinder pushes its unburnt air and fuel past the sensor: a lean spike
        # of about 40 ms, scaled so that its effect does not depend on the step size.
        spike = self._spike * self._spike_decay + self._spike_size * misfires
        self._spike = spike
        lam += spike
        self.lam = lam

        # Transport delay from the exhaust valves to the sensor: long at idle, short at cruise.
        buf = self._buf
        i = (self._i + 1) & (BUFFER - 1)
        self._i = i
        buf[i] = lam
        steps = int((0.05 + 0.8 / (maf if maf > 1.0 else 1.0)) / dt + 0.5)
        steps = 1 if steps < 1 else (BUFFER - 1 if steps >= BUFFER else steps)
        lam_s = buf[(i - steps) & (BUFFER - 1)]

        # The sensing element responds to lambda with its own time constant (slow when aged),
        # then the zirconia cell turns that into the steep voltage step.
        lam_e = self._lam_sensed + (lam_s - self._lam_sensed) * self._a_o2
        self._lam_sensed = lam_e
        raw = narrowband(lam_e, self.o2_amplitude) if sensor_ready else O2_SWITCH
        o2 = self.o2_up + (raw - self.o2_up) * self._a_cell
        self.o2_up = o2

        if closed:
            rich = o2 > O2_SWITCH
            if rich != self.rich:
                self.rich = rich
                self.switches += 1
                stft += -P_JUMP if rich else P_JUMP  # proportional jump back toward stoichiometric
            else:
                ramp = (3.0 + 0.35 * maf) * dt  # %/s: faster ramps where the loop is faster
                stft += -ramp if rich else ramp
            stft = TRIM_LIMIT if stft > TRIM_LIMIT else (-TRIM_LIMIT if stft < -TRIM_LIMIT else stft)
            saturated = (stft > 0.0 and ltft >= TRIM_LIMIT) or (stft < 0.0 and ltft <= -TRIM_LIMIT)
            if coolant > 70.0 and not saturated:
                if metered < 6.0:
                    add = self.ltft_add + stft * 0.01 * metered * dt / 15.0
                    self.ltft_add = 1.5 if add > 1.5 else (-1.5 if add < -1.5 else add)
                elif metered > 8.0:
                    mult = self.ltft_mult + stft * dt / 40.0
                    self.ltft_mult = TRIM_LIMIT if mult > TRIM_LIMIT else (-TRIM_LIMIT if mult < -TRIM_LIMIT else mult)
        self.stft = stft

        self._catalyst(dt, lam_s, maf, cat_temp, sensor_ready)

    def _catalyst(self, dt: float, lam_in: float, maf: float, cat_temp: float, sensor_ready: bool) -> None:
        # Oxygen storage fills when the feed gas is lean and empties when it is rich; only
        # once it is full (or empty) does the upstream lambda break through to the rear sensor.
        lit = (cat_temp - 200.0) / 150.0
        capacity = self.cat_capacity * (0.02 if lit < 0.02 else (1.0 if lit > 1.0 else lit))
        store = self.cat_store + (lam_in - 1.0) * maf * 0.23 * dt / capacity
        # The rear-O2 trim keeps the storage half full over the long run.
        store += (0.5 - store) * dt / 15.0
        if store >= 1.0:
            store = 1.0
            lam_out = lam_in if lam_in > 1.0 else 1.0 - CAT_RICH_BIAS
        elif store <= 0.0:
            store = 0.0
            lam_out = lam_in if lam_in < 1.0 else 1.0 - CAT_RICH_BIAS
        else:
            lam_out = 1.0 - CAT_RICH_BIAS + 0.02 * (lam_in - 1.0)
        self.cat_store = store
        raw = narrowband(lam_out) if sensor_ready else O2_SWITCH
        self.o2_down += (raw - self.o2_down) * self._a_down
