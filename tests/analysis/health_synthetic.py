"""A synthetic workshop drive as plain arrays, with knobs for each fault the checks look for.

Timeline (dt 0.1 s): key on 2 s, crank 1 s, idle to 300 s, 2,500 rpm standing 300-340 s,
idle 340-380 s, cruise at 70 km/h 380 s to 60 s before the end, then idle.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from analysis.signals import SignalSet


def drive(
    minutes: float = 12.0,
    dt: float = 0.1,
    *,
    rest_v: float = 12.6,
    crank_v: float = 10.5,
    charge_idle_v: float = 14.3,
    charge_high_v: float = 14.3,
    idle_trim: float = 0.0,
    load_trim: float = 0.0,
    misfire_per_rev: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
    o2_tau: float = 0.03,
    o2_low: float = 0.08,
    o2_high: float = 0.85,
    catalyst_ok: bool = True,
    coolant_plateau: float = 90.0,
    coolant_start: float = 20.0,
    coolant_offset: float = 0.0,
    pad_front_mm: float = 9.0,
    pad_wear_mm_per_km: float = 1e-5,
    air_temp: float = 20.0,
    seed: int = 0,
) -> SignalSet:
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, minutes * 60.0, dt)
    n = len(t)
    end = t[-1]
    cranking = (t >= 2.0) & (t < 3.0)
    running = t >= 3.0
    high = (t >= 300) & (t < 340)
    cruise = (t >= 380) & (t < end - 60)
    rpm = np.where(running, 800.0, 0.0)
    rpm = np.where(cranking, 250.0, rpm)
    rpm = np.where(high, 2500.0, rpm)
    rpm = np.where(cruise, 2200.0, rpm)
    rpm = rpm + np.where(running, rng.normal(0, 10, n), 0.0)
    speed = np.where(cruise, 70.0, 0.0)
    # Ramp the speed in and out of the cruise so it looks like driving.
    ramp = np.clip((t - 380) / 15.0, 0, 1) * np.clip((end - 60 - t) / 15.0, 0, 1)
    speed = speed * ramp
    run_time = np.where(running, t - 3.0, 0.0)
    coolant = coolant_plateau - (coolant_plateau - coolant_start) * np.exp(-run_time / 200.0)
    coolant = np.where(running, coolant, coolant_start) + coolant_offset
    volts = np.where(running, np.where(high | cruise, charge_high_v, charge_idle_v), rest_v - 0.05)
    volts = np.where(cranking, crank_v, volts) + rng.normal(0, 0.01, n)
    idle_mask = running & ~high & ~cruise
    trim = np.where(idle_mask, idle_trim, load_trim)
    stft = np.where(running, rng.normal(0, 1.0, n), 0.0)
    ltft = np.where(running, trim, 0.0)
    closed = (running & (run_time > 30) & (coolant > 40)).astype(float)
    # Upstream O2: a 1.5 Hz rich/lean limit cycle seen through the sensor's first-order lag.
    square = np.where(np.sin(2 * np.pi * 1.5 * t) > 0, o2_high, o2_low)
    a = 1.0 - np.exp(-dt / o2_tau)
    up = lfilter([a], [1.0, a - 1.0], square - square[0]) + square[0]
    up = np.where(closed > 0, up, 0.45) + rng.normal(0, 0.005, n)
    down = np.where(closed > 0, 0.65, 0.45) + rng.normal(0, 0.005, n) if catalyst_ok else up.copy()
    revs = np.cumsum(rpm / 60.0 * dt)
    misfires = {f"misfire_cyl{c + 1}": np.floor(revs * rate) for c, rate in enumerate(misfire_per_rev)}
    km = 50_000.0 + np.cumsum(speed / 3600.0 * dt)
    pads = pad_front_mm - pad_wear_mm_per_km * (km - km[0])
    columns = {
        "engine_speed": rpm, "vehicle_speed": speed, "coolant_temp": coolant, "intake_air_temp": np.full(n, air_temp),
        "ambient_air_temp": np.full(n, air_temp), "battery_voltage": volts, "stft_b1": stft, "ltft_b1": ltft,
        "fuel_closed_loop": closed, "o2_b1s1_voltage": up, "o2_b1s2_voltage": down, "run_time": run_time,
        "engine_load": np.where(running, np.where(cruise | high, 45.0, 22.0), 0.0), "odometer_km": km,
        "brake_pad_front_mm": pads, "brake_pad_rear_mm": pads - 1.0, "catalyst_temp_b1s1": np.where(running, 500.0, 20.0),
        **misfires,
    }
    units = {"engine_speed": "rpm", "vehicle_speed": "km/h", "coolant_temp": "°C", "battery_voltage": "V"}
    return SignalSet.from_columns(t, columns, units)
