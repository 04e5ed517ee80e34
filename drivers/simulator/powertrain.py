"""Engine air path, gearbox and vehicle motion of a 1.8 l four-cylinder petrol hatchback.

The car follows the driver's speed request; the torque that takes is worked back through
the gearbox to the engine, and the engine's manifold pressure is what makes that torque
(plus friction, pumping and the alternator's drag). MAF then follows from speed-density,
so rpm, MAP, MAF, load and throttle always agree with each other.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.simulator.drive_cycle import DriveCycle

OFF, CRANK, RUN = 0, 1, 2

MASS = 1375.0  # kg with the driver
WHEEL_RADIUS = 0.31  # m
FINAL_DRIVE = 4.06
GEARS = (0.0, 3.42, 1.95, 1.28, 0.97, 0.78)  # 5-speed manual, index 0 = neutral
RPM_PER_MS = tuple(r * FINAL_DRIVE / WHEEL_RADIUS * 60.0 / (2.0 * math.pi) for r in GEARS)
ACCEL_MAX = (0.0, 2.2, 1.6, 1.0, 0.7, 0.5)  # m/s² the driver asks for at most, per gear
ROLLING = 0.011 * MASS * 9.81  # N
AERO = 0.5 * 1.2 * 0.68  # N per (m/s)²: rho/2 * Cd*A
DRIVELINE_EFF = 0.92

DISPLACEMENT = 0.0018  # m³
C_PUMP = DISPLACEMENT / (4.0 * math.pi) * 1000.0  # N·m per kPa of mean effective pressure
# Air per engine cycle per kPa of MAP at 25 °C (volumetric efficiency 0.9), in g.
K_AIR = 0.9 * DISPLACEMENT * 1e6 / (287.0 * 298.0)
# Indicated torque per kPa of MAP: 38 % indicated efficiency, 43 kJ/g petrol, stoichiometric.
C_TORQUE = 0.38 * 43000.0 / 14.7 * K_AIR / (4.0 * math.pi)
IDLE_SPARK_EFF = 0.74  # idle runs retarded to keep a torque reserve, so it needs more air
THROTTLE_AREA_WOT = 2.6  # effective area units where the air path stops being throttled
THROTTLE_AREA_STOP = 0.02  # air that passes the closed plate
OVERRUN_AIR = 6.5  # g/s the throttle lets through in overrun fuel cut
INERTIA = 0.15  # kg·m² engine and flywheel


class Powertrain:
    """State of the engine (off / cranking / running), the gearbox and the car's speed."""

    __slots__ = (
        "state", "started_now", "rpm", "speed", "accel", "gear", "map", "maf", "maf_metered",
        "throttle", "load", "timing", "fuel_cut", "engine_torque", "brake_pressure",
        "idle_target", "crank_revs", "flare",
        "leak_gs", "leak_idle_map", "leak_idle_rpm", "torque_loss",
        "_dt", "_a_gear", "_a_launch", "_a_idle", "_a_hold", "_a_map", "_a_brake", "_a_flare",
    )

    def __init__(self, baro: float) -> None:
        # Fault parameters (set by the model): unmetered air and its side effects at idle,
        # and the fraction of combustion torque lost to misfires.
        self.leak_gs = 0.0
        self.leak_idle_map = 0.0
        self.leak_idle_rpm = 0.0
        self.torque_loss = 0.0
        self._dt = -1.0
        self.key_off(baro)

    def key_off(self, baro: float) -> None:
        self.state = OFF
        self.started_now = False
        self.rpm = self.speed = self.accel = 0.0
        self.gear = 0
        self.map = baro
        self.maf = self.maf_metered = self.throttle = self.load = self.timing = 0.0
        self.fuel_cut = False
        self.engine_torque = self.brake_pressure = 0.0
        self.idle_target = 800.0
        self.crank_revs = self.flare = 0.0

    def _set_dt(self, dt: float) -> None:
        # Exact first-order lag gains, so the model stays stable at coarse steps.
        self._dt = dt
        self._a_gear = 1.0 - math.exp(-dt / 0.08)
        self._a_launch = 1.0 - math.exp(-dt / 0.25)
        self._a_idle = 1.0 - math.exp(-dt / 0.35)
        self._a_hold = 1.0 - math.exp(-dt / 0.8)
        self._a_map = 1.0 - math.exp(-dt / 0.05)
        self._a_brake = 1.0 - math.exp(-dt / 0.12)
        self._a_flare = math.exp(-dt / 1.2)

    def step(
        self, dt: float, drv: DriveCycle, coolant: float, iat: float, baro: float, acc_torque: float,
        crank_rpm: float, misfires: int, run_time: float,
    ) -> None:
        if dt != self._dt:
            self._set_dt(dt)
        self.started_now = False
        state = self.state
        if state == OFF:
            if not drv.crank:
                return
            self.state = state = CRANK
            self.crank_revs = 0.0
        if state == CRANK:
            self._crank(dt, crank_rpm, iat, baro)
            return
        self._run(dt, drv, coolant, iat, baro, acc_torque, misfires, run_time)

    def _crank(self, dt: float, crank_rpm: float, iat: float, baro: float) -> None:
        rpm = self.rpm + (crank_rpm - self.rpm) * self._a_launch
        self.rpm = rpm
        self.crank_revs += rpm * dt / 60.0
        # Cranking pulls the manifold down only a little.
        self.map = baro - 0.05 * rpm
        k_air = K_AIR * 298.0 / (iat + 273.0)
        self.maf = self.maf_metered = rpm / 120.0 * k_air * self.map
        self.load = 100.0 * self.map / baro
        self.timing = 5.0
        # The engine catches after a couple of revolutions once it is turning fast enough.
        if self.crank_revs >= 2.5 and rpm > 80.0:
            self.state = RUN
            self.started_now = True
            self.flare = 450.0

    def _run(
        self, dt: float, drv: DriveCycle, coolant: float, iat: float, baro: float, acc_torque: float,
        misfires: int, run_time: float,
    ) -> None:
        v = self.speed
        g = self.gear
        rpm = self.rpm
        if drv.in_gear:
            target = drv.target_speed
            a = (target - v) / 1.5
            if g == 0 and target > v + 0.05:
                g = 1  # pull away
            if g:
                if a < 0.0 and v < 4.0:
                    g = 0  # clutch down before the car stops
                else:
                    up = 2700.0 if a > 0.3 else 1900.0
                    while g < 5 and v * RPM_PER_MS[g] > up:
                        g += 1
                    while g > 1 and v * RPM_PER_MS[g] < 1150.0:
                        g -= 1
            a_max = ACCEL_MAX[g]
            if a > a_max:
                a = a_max
            elif a < -4.0:
                a = -4.0
        else:
            g = 0
            a = -2.0 * v
        v_new = v + a * dt
        if v_new < 0.001:
            v_new = 0.0
            a = -v / dt
        resist = ROLLING + AERO * v_new * v_new if v_new > 0.0 else 0.0
        force = MASS * a + resist

        cold = (70.0 - coolant) * 7.0 if coolant < 70.0 else 0.0
        self.flare *= self._a_flare
        idle_target = 780.0 + cold + self.leak_idle_rpm + self.flare
        self.idle_target = idle_target
        friction = C_PUMP * (95.0 + 0.025 * rpm + 6e-6 * rpm * rpm)
        if coolant < 80.0:
            friction *= 1.0 + 0.6 * min(1.0, (80.0 - coolant) / 65.0)
        idling = False
        if g:
            ratio = GEARS[g] * FINAL_DRIVE
            t_req = force * WHEEL_RADIUS / ratio
            t_req = t_req / DRIVELINE_EFF if t_req > 0.0 else t_req * DRIVELINE_EFF
            wheel_rpm = v_new * RPM_PER_MS[g]
            if wheel_rpm < 1100.0:  # slipping the clutch to pull away
                rpm_target = max(wheel_rpm, 1100.0 + 250.0 * a) if a > 0.0 else max(wheel_rpm, idle_target)
                gain = self._a_launch
            else:
                rpm_target = wheel_rpm
                gain = self._a_gear
        else:
            ratio = 0.0
            t_req = 0.0
            hold = drv.hold_rpm
            rpm_target = hold if hold > 0.0 else idle_target
            gain = self._a_hold if hold > 0.0 else self._a_idle
            idling = hold <= 0.0

        # Overrun fuel cut, with hysteresis so the engine does not hunt in and out of it.
        drag = friction + C_PUMP * (baro - 18.0) + acc_torque
        if self.fuel_cut:
            if t_req > -0.1 * drag or rpm < 1150.0 or g == 0:
                self.fuel_cut = False
        elif g and t_req < -0.3 * drag and rpm > 1300.0 and coolant > 40.0:
            self.fuel_cut = True
        fuel_cut = self.fuel_cut
        t_eng = max(t_req, -drag) if fuel_cut else max(t_req, 0.0)
        brake_force = (t_eng - t_req) * ratio / WHEEL_RADIUS * DRIVELINE_EFF if g else max(0.0, -force)

        new_rpm = rpm + (rpm_target - rpm) * gain
        if g == 0:
            t_eng += INERTIA * (new_rpm - rpm) / dt * (2.0 * math.pi / 60.0)  # revving up takes torque
        if misfires:
            # Each missed power stroke knocks the crank speed down; in gear the car's mass resists.
            new_rpm -= misfires * 45.0 * 800.0 / max(new_rpm, 400.0) * (1.0 if g == 0 else 0.3)
        rpm = new_rpm if new_rpm > 300.0 else 300.0

        density = 298.0 / (iat + 273.0)
        k_air = K_AIR * density
        if fuel_cut:
            map_target = OVERRUN_AIR / (rpm / 120.0 * k_air)
        else:
            c_torque = C_TORQUE * density * (1.0 - self.torque_loss) * (IDLE_SPARK_EFF if idling else 1.0)
            map_target = (t_eng + friction + acc_torque + C_PUMP * baro) / (c_torque + C_PUMP)
            if idling:
                map_target += self.leak_idle_map
        if map_target < 12.0:
            map_target = 12.0
        elif map_target > baro - 0.8:
            map_target = baro - 0.8
        manifold = self.map + (map_target - self.map) * self._a_map
        maf = rpm / 120.0 * k_air * manifold
        pr = manifold / baro
        leak = 0.0
        if self.leak_gs:
            # A hole in the intake passes choked flow until the manifold nears atmospheric.
            leak = self.leak_gs * min(1.0, 1.6 * math.sqrt(max(0.0, 1.0 - pr)))
        metered = maf - leak if maf > leak else 0.0
        psi = 1.0 if pr <= 0.528 else math.sqrt((1.0 - pr) / 0.472) + 1e-3
        area = metered / (baro * psi) - THROTTLE_AREA_STOP
        throttle = 100.0 * (area / THROTTLE_AREA_WOT) ** 0.6 if area > 0.0 else 0.0
        load = 100.0 * pr

        timing = 4.0 + 0.012 * rpm - 0.18 * load
        if idling:
            # The idle speed controller leans on spark first: a dip in rpm gets advance.
            timing += max(-6.0, min(6.0, 0.05 * (rpm_target - rpm)))
        if run_time < 40.0 and coolant < 45.0:
            timing -= 6.0  # retarded after a cold start to heat the catalyst

        brake_target = brake_force / (MASS * 9.81) * 100.0
        if drv.brake_hold and v_new < 0.3:
            brake_target += 15.0  # foot on the brake at a stop
        self.brake_pressure += (brake_target - self.brake_pressure) * self._a_brake

        self.speed, self.accel, self.gear, self.rpm = v_new, a, g, rpm
        self.map, self.maf, self.maf_metered = manifold, maf, metered
        self.throttle = throttle if throttle < 100.0 else 100.0
        self.load = load if load < 100.0 else 100.0
        self.timing = timing
        self.engine_torque = t_eng
