"""VehicleModel: the whole simulated car, stepped in simulation time, pure and deterministic.

Everything random comes from one ``random.Random(seed)``; readout noise is drawn once into
a table at construction, so ``signals()`` never changes the model and two models with the
same seed, faults and steps report the same values.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from drivers.simulator.brakes import FRONT_NEW_MM, Brakes
from drivers.simulator.drive_cycle import DriveCycle
from drivers.simulator.ecu import EcuMemory
from drivers.simulator.electrical import ChargingSystem
from drivers.simulator.faults import CYLINDERS, Fault
from drivers.simulator.fuel_control import CAT_CAPACITY, FuelControl
from drivers.simulator.misfire import MisfireModel
from drivers.simulator.monitors import Monitors
from drivers.simulator.powertrain import OFF, RUN, Powertrain
from drivers.simulator.thermal import OPEN_CIRCUIT_READING, Thermal

DEFAULT_VIN = "2HGFA16509H531807"  # 2009 compact with a 1.8 l petrol four; check digit valid
TANK_L = 50.0
PETROL_G_PER_L = 745.0
ECU_PERIOD = 0.1  # s between monitor runs
HISTORY_STEP = 0.25  # s: the previous drive is run coarse to keep construction fast
HISTORY_TRIPS = (360.0, 600.0)  # s: a cold start and short run, then a warm restart
_NOISE = 4096

SIGNALS: dict[str, tuple[str, str]] = {
    "engine_speed": ("rpm", "Engine speed"),
    "vehicle_speed": ("km/h", "Vehicle speed"),
    "throttle_position": ("%", "Throttle position"),
    "engine_load": ("%", "Calculated engine load"),
    "coolant_temp": ("°C", "Engine coolant temperature (as the ECT sensor reports it)"),
    "intake_air_temp": ("°C", "Intake air temperature"),
    "ambient_air_temp": ("°C", "Ambient air temperature"),
    "intake_manifold_pressure": ("kPa", "Intake manifold absolute pressure"),
    "barometric_pressure": ("kPa", "Barometric pressure"),
    "maf": ("g/s", "Mass air flow (metered)"),
    "stft_b1": ("%", "Short term fuel trim, bank 1"),
    "ltft_b1": ("%", "Long term fuel trim, bank 1"),
    "o2_b1s1_voltage": ("V", "O2 sensor voltage, bank 1 sensor 1 (upstream)"),
    "o2_b1s2_voltage": ("V", "O2 sensor voltage, bank 1 sensor 2 (downstream)"),
    "battery_voltage": ("V", "Control module (battery) voltage"),
    "timing_advance": ("°", "Ignition timing advance, cylinder 1"),
    "fuel_level": ("%", "Fuel tank level"),
    "odometer_km": ("km", "Odometer"),
    "run_time": ("s", "Run time since engine start"),
    **{f"misfire_cyl{n}": ("count", f"Cylinder {n} misfires this drive") for n in range(1, CYLINDERS + 1)},
    "brake_pad_front_mm": ("mm", "Front brake pad thickness (estimated)"),
    "brake_pad_rear_mm": ("mm", "Rear brake pad thickness (estimated)"),
    "brake_pressure": ("bar", "Brake master cylinder pressure"),
    "catalyst_temp_b1s1": ("°C", "Catalyst temperature, bank 1 sensor 1"),
    "alternator_current": ("A", "Alternator output current"),
    "gear": ("", "Engaged gear (0 = neutral or park)"),
    "cooling_fan": ("", "Radiator fan relay (0 off, 1 on)"),
    "fuel_closed_loop": ("", "Fuel system in closed loop (0 open, 1 closed)"),
}


class VehicleModel:
    """A four-cylinder petrol car with a scripted driver, an engine ECU and injectable faults."""

    # Set by every key-on (_key_on), not in __init__'s own lines.
    time: float
    run_time: float
    _k: int
    _ecu_due: float
    _ecu_km: float

    def __init__(
        self,
        seed: int = 0,
        faults: Iterable[Fault] = (),
        *,
        vin: str = DEFAULT_VIN,
        odometer_km: float = 84_230.0,
        history: bool = True,
    ) -> None:
        rng = random.Random(seed)
        self._rng = rng
        self.seed = seed
        self.vin = vin
        self.ambient = 15.0 + 5.0 * rng.random()
        self.baro = 99.0 + 3.0 * rng.random()
        self._noise = [2.0 * rng.random() - 1.0 for _ in range(_NOISE)]
        self.odometer_km = float(odometer_km)
        self.fuel_l = TANK_L * (0.55 + 0.2 * rng.random())
        self.driver = DriveCycle(rng)
        self.engine = Powertrain(self.baro)
        self.electrical = ChargingSystem()
        self.thermal = Thermal(self.ambient)
        self.fuel = FuelControl()
        self.misfire = MisfireModel()
        self.brakes = Brakes()
        self.ecu = EcuMemory(driven_before=history)
        self.monitors = Monitors(self)
        self.faults: tuple[Fault, ...] = ()
        self._set_faults(tuple(faults))
        self.electrical.rest()
        if history:
            # A car that has been in service: thousands of km and many warm-ups since the
            # last clear, then the drive that brought it to the workshop.
            self.ecu.distance_since_clear_km = 1500.0 + 6000.0 * rng.random()
            self.ecu.warmups_since_clear = 40 + int(150 * rng.random())
            self._previous_drive()
        self._key_on(self.ambient + 3.0 * rng.random())

    # ----------------------------------------------------------------- public API
    @property
    def engine_running(self) -> bool:
        return self.engine.state == RUN

    @property
    def phase(self) -> str:
        """What the scripted driver is doing: key_on, cranking, warm_up_idle, idle, hold_2500, urban, ..."""
        return self.driver.phase

    def step(self, dt: float) -> None:
        """Advance driver, physics and ECU by ``dt`` seconds (stable up to 0.25 s)."""
        if not dt > 0.0:
            raise ValueError(f"dt must be positive, got {dt!r}")
        self.time += dt
        self._k += 1
        rng = self._rng
        eng, th, el, fuel, mis = self.engine, self.thermal, self.electrical, self.fuel, self.misfire
        run_time = self.run_time
        self.driver.advance(dt, eng.state == RUN, run_time)
        el.step(dt, eng.state, eng.rpm, th.fan_on, th.intake_air)
        cold_start = run_time < 40.0 and th.coolant < 45.0
        accessories = el.alternator_torque(eng.rpm) + 2.0  # + power steering pump
        eng.step(dt, self.driver, th.coolant, th.intake_air, self.baro, accessories,
                 el.crank_rpm_target, mis.events, run_time)
        running = eng.state == RUN
        if eng.started_now:
            self.run_time = 0.0
            self.monitors.on_engine_start()
        elif running:
            self.run_time = run_time + dt
        fuel_cut = eng.fuel_cut
        mis.step(dt, eng.rpm, running and not fuel_cut, rng)
        fuel.step(dt, running, fuel_cut, eng.maf, eng.maf_metered, th.coolant, self.run_time, eng.load,
                  mis.events, th.catalyst)
        th.step(dt, running, eng.maf, fuel_cut, eng.speed, self.ambient, mis.rate, cold_start, rng)
        self.brakes.step(dt, eng.brake_pressure, eng.speed)
        distance = eng.speed * dt / 1000.0
        self.odometer_km += distance
        self.fuel_l -= fuel.fuel_gs * dt / PETROL_G_PER_L
        self._ecu_km += distance
        self._ecu_due += dt
        if self._ecu_due >= ECU_PERIOD - 1e-9:
            tick, self._ecu_due = self._ecu_due, 0.0
            self.ecu.drive(self._ecu_km, th.coolant_reading)
            self._ecu_km = 0.0
            self.monitors.tick(tick)

    def signals(self) -> dict[str, float]:
        """Current values by signal name (see SIGNALS); reading them changes nothing."""
        eng, th, el, fuel, mis = self.engine, self.thermal, self.electrical, self.fuel, self.misfire
        n = self._noise
        b = (self._k * 97) & (_NOISE - 1)
        running = eng.state == RUN
        turning = eng.state != OFF
        moving = eng.speed > 0.0
        rough = 4.0 + 400.0 * mis.rate if running else 0.0
        ect = th.coolant_reading
        if ect > OPEN_CIRCUIT_READING + 0.5:
            ect += 0.15 * n[(b + 4) & 4095]
        ripple = (0.015 + 0.0006 * el.alt_current) * el.ripple_gain if running else 0.003
        return {
            "engine_speed": max(0.0, eng.rpm + rough * n[b]) if turning else 0.0,
            "vehicle_speed": max(0.0, eng.speed * 3.6 + 0.05 * n[(b + 1) & 4095]) if moving else 0.0,
            "throttle_position": max(0.0, min(100.0, eng.throttle + 0.2 * n[(b + 2) & 4095])) if running else 0.0,
            "engine_load": max(0.0, min(100.0, eng.load + 0.3 * n[(b + 3) & 4095])) if turning else 0.0,
            "coolant_temp": ect,
            "intake_air_temp": th.intake_air + 0.2 * n[(b + 5) & 4095],
            "ambient_air_temp": self.ambient + 0.1 * n[(b + 6) & 4095],
            "intake_manifold_pressure": eng.map + 0.3 * n[(b + 7) & 4095] if turning else self.baro,
            "barometric_pressure": self.baro + 0.05 * n[(b + 8) & 4095],
            "maf": max(0.0, eng.maf_metered * (1.0 + 0.01 * n[(b + 9) & 4095])) if turning else 0.0,
            "stft_b1": fuel.stft,
            "ltft_b1": fuel.ltft,
            "o2_b1s1_voltage": max(0.0, fuel.o2_up + 0.005 * n[(b + 10) & 4095]),
            "o2_b1s2_voltage": max(0.0, fuel.o2_down + 0.005 * n[(b + 11) & 4095]),
            "battery_voltage": el.voltage + ripple * n[(b + 12) & 4095],
            "timing_advance": eng.timing + 0.3 * n[(b + 13) & 4095] if running else 0.0,
            "fuel_level": max(0.0, 100.0 * self.fuel_l / TANK_L + 0.3 * n[(b + 14) & 4095] * (0.3 + abs(eng.accel))),
            "odometer_km": self.odometer_km,
            "run_time": self.run_time,
            "misfire_cyl1": float(mis.counts[0]),
            "misfire_cyl2": float(mis.counts[1]),
            "misfire_cyl3": float(mis.counts[2]),
            "misfire_cyl4": float(mis.counts[3]),
            "brake_pad_front_mm": self.brakes.front_mm,
            "brake_pad_rear_mm": self.brakes.rear_mm,
            "brake_pressure": max(0.0, eng.brake_pressure + 0.05 * n[(b + 15) & 4095]) if eng.brake_pressure > 0.3 else 0.0,
            "catalyst_temp_b1s1": th.catalyst + 1.0 * n[(b + 16) & 4095],
            "alternator_current": el.alt_current,
            "gear": float(eng.gear),
            "cooling_fan": 1.0 if th.fan_on else 0.0,
            "fuel_closed_loop": 1.0 if fuel.closed_loop else 0.0,
        }

    def key_cycle(self, *, cold: bool = False) -> None:
        """Switch off and start a new drive (key-on, then the driver cranks); ``cold`` = after a night."""
        self._key_on(self.ambient + 3.0 * self._rng.random() if cold else None)

    def inject(self, fault: Fault) -> None:
        """Add a fault now; the ECU finds it through its monitors (pending, then stored)."""
        kept = tuple(f for f in self.faults if f.name != fault.name)
        self._set_faults(kept + (fault,))

    def clear_faults(self) -> None:
        """Repair: the faulty parts are replaced. The ECU's memory is left as it is."""
        self._set_faults(())

    # ------------------------------------------------------------- internals
    def _set_faults(self, faults: tuple[Fault, ...]) -> None:
        before = {f.name for f in self.faults}
        self.faults = faults
        sev = {f.name: f.severity for f in faults}
        eng, el, th, fuel, brakes = self.engine, self.electrical, self.thermal, self.fuel, self.brakes

        leak = sev.get("vacuum_leak", 0.0)
        eng.leak_gs = 1.1 * leak
        eng.leak_idle_map = 3.5 * leak  # throttle at its stop cannot take the extra air back
        eng.leak_idle_rpm = 40.0 * leak

        weak = sev.get("weak_battery", 0.0)
        alt = sev.get("failing_alternator", 0.0)
        el.r_internal = 0.0105 + 0.035 * weak * weak
        el.capacity_ah = 60.0 * (1.0 - 0.6 * weak)
        el.rest_soc = 0.88 - 0.35 * weak - 0.2 * alt
        el.alt_capacity = 1.0 - 0.75 * alt
        el.ripple_gain = 1.0 + 3.0 * alt
        if weak:
            el.soc = min(el.soc, el.rest_soc)
        elif "weak_battery" in before:
            el.soc = max(el.soc, el.rest_soc)  # a new battery

        stuck = sev.get("thermostat_stuck_open", 0.0)
        th.thermostat_min_open = 0.4 + 0.6 * stuck if stuck else 0.0
        th.sensor_severity = sev.get("coolant_sensor_fault", 0.0)

        lazy = sev.get("lazy_o2_upstream", 0.0)
        fuel.set_o2_tau(0.05 + 0.25 * lazy)
        fuel.o2_amplitude = 0.40 * (1.0 - 0.15 * lazy)
        fuel.cat_capacity = CAT_CAPACITY * (1.0 - sev.get("degraded_catalyst", 0.0)) ** 3 + 0.0002

        probability = [0.0] * CYLINDERS
        for f in faults:
            if f.cylinder is not None:
                probability[f.cylinder - 1] = max(probability[f.cylinder - 1], 0.4 * f.severity)
                if f.severity > 0.7:
                    # A badly missing cylinder upsets its neighbours' combustion too.
                    other = 0.012 * (f.severity - 0.7) / 0.3
                    probability = [max(p, other) if c != f.cylinder - 1 else p for c, p in enumerate(probability)]
        self.misfire.set_probability(probability)
        eng.torque_loss = self.misfire.torque_loss

        pads = sev.get("worn_brake_pads", 0.0)
        brakes.wear_gain = 1.0 + 2.0 * pads
        if pads:
            brakes.front_mm = min(brakes.front_mm, FRONT_NEW_MM - 7.0 * pads)
        elif "worn_brake_pads" in before:
            brakes.front_mm = FRONT_NEW_MM  # new pads fitted

    def _key_on(self, coolant: float | None = None) -> None:
        """Start a new drive with the key on and the engine off; ``coolant`` = after a long soak."""
        self.engine.key_off(self.baro)
        self.driver.reset()
        self.misfire.reset()
        self.fuel.reset()
        if coolant is not None:
            self.thermal.soak(self.ambient, coolant)
            self.electrical.rest()
        self.electrical.key_on()
        self.time = 0.0
        self.run_time = 0.0
        self._k = 0
        self._ecu_due = 0.0
        self._ecu_km = 0.0
        self.ecu.start_trip(self.thermal.coolant_reading)
        self.monitors.new_trip()

    def _previous_drive(self) -> None:
        """Drive the car to the workshop so long-standing faults are already in the ECU."""
        coolant: float | None = self.ambient
        for duration in HISTORY_TRIPS:
            self._key_on(coolant)
            for _ in range(int(duration / HISTORY_STEP)):
                self.step(HISTORY_STEP)
            coolant = None  # the restart is warm
