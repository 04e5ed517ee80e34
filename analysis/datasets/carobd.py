"""carOBD: real OBD-II logs of a Toyota Etios (1.5 l petrol, 2014), as SignalSets.

Source: github.com/eron93br/carOBD (Carloop logger, 27 mode-01 PIDs). Values are already in
SAE J1979 units (rpm, km/h, %, °C, kPa, V; times in s or min). Quirks handled here: header
names end in " ()", the run-time column is spelt ``ENGINE_RUN_TINE``, every line ends in a
comma, some files end in a truncated line or hold empty lines, and live6 lacks the last
three PIDs.

Time base: the README says one sample per second, but ENGINE_RUN_TIME advances about 0.49 s
per row in every file, so rows come at about 2 Hz. Each file's seconds-per-row is estimated
from its own ENGINE_RUN_TIME (a straight line through the running rows); a file without a
usable run time falls back to 1 s per row.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from analysis.signals import SignalSet

# carOBD column -> (signal name, unit)
COLUMNS: dict[str, tuple[str, str]] = {
    "ENGINE_RUN_TINE": ("run_time", "s"),
    "ENGINE_RUN_TIME": ("run_time", "s"),
    "ENGINE_RPM": ("engine_speed", "rpm"),
    "VEHICLE_SPEED": ("vehicle_speed", "km/h"),
    "THROTTLE": ("throttle_position", "%"),
    "ENGINE_LOAD": ("engine_load", "%"),
    "COOLANT_TEMPERATURE": ("coolant_temp", "°C"),
    "LONG_TERM_FUEL_TRIM_BANK_1": ("ltft_b1", "%"),
    "SHORT_TERM_FUEL_TRIM_BANK_1": ("stft_b1", "%"),
    "INTAKE_MANIFOLD_PRESSURE": ("intake_manifold_pressure", "kPa"),
    "FUEL_TANK": ("fuel_level", "%"),
    "ABSOLUTE_THROTTLE_B": ("absolute_throttle_b", "%"),
    "PEDAL_D": ("accelerator_pedal_d", "%"),
    "PEDAL_E": ("accelerator_pedal_e", "%"),
    "COMMANDED_THROTTLE_ACTUATOR": ("commanded_throttle", "%"),
    "FUEL_AIR_COMMANDED_EQUIV_RATIO": ("commanded_equivalence_ratio", ""),
    "ABSOLUTE_BAROMETRIC_PRESSURE": ("barometric_pressure", "kPa"),
    "RELATIVE_THROTTLE_POSITION": ("relative_throttle_position", "%"),
    "INTAKE_AIR_TEMP": ("intake_air_temp", "°C"),
    "TIMING_ADVANCE": ("timing_advance", "°"),
    "CATALYST_TEMPERATURE_BANK1_SENSOR1": ("catalyst_temp_b1s1", "°C"),
    "CATALYST_TEMPERATURE_BANK1_SENSOR2": ("catalyst_temp_b1s2", "°C"),
    "CONTROL_MODULE_VOLTAGE": ("battery_voltage", "V"),
    "COMMANDED_EVAPORATIVE_PURGE": ("commanded_evap_purge", "%"),
    "TIME_RUN_WITH_MIL_ON": ("time_run_with_mil_on", "min"),
    "TIME_SINCE_TROUBLE_CODES_CLEARED": ("time_since_codes_cleared", "min"),
    "DISTANCE_TRAVELED_WITH_MIL_ON": ("distance_with_mil_on", "km"),
    "WARM_UPS_SINCE_CODES_CLEARED": ("warm_ups_since_codes_cleared", ""),
}
DEFAULT_SECONDS_PER_ROW = 1.0


def _column_name(header: str) -> str:
    return header.strip().removesuffix("()").strip().upper()


def parse(text: str) -> tuple[list[str], np.ndarray]:
    """Header names (carOBD spelling) and a float array; short or broken lines are dropped."""
    lines = text.splitlines()
    if not lines:
        return [], np.zeros((0, 0))
    header = [_column_name(h) for h in lines[0].rstrip().rstrip(",").split(",")]
    rows, width = [], None
    for line in lines[1:]:
        fields = line.strip().rstrip(",").split(",")
        if not line.strip():
            continue
        try:
            values = [float(f) for f in fields]
        except ValueError:
            continue
        if width is None:
            width = len(values)  # live6: every row has 24 of the 27 columns
        if len(values) != width:
            continue  # a truncated last line
        rows.append(values)
    if not rows:
        return header, np.zeros((0, len(header)))
    return header[:width], np.asarray(rows, dtype=float)


def seconds_per_row(run_time: np.ndarray) -> float:
    """From ENGINE_RUN_TIME: a straight line through the rows where it counts up."""
    idx = np.nonzero(np.isfinite(run_time) & (run_time > 0))[0]
    if idx.size < 20 or np.ptp(run_time[idx]) < 10:
        return DEFAULT_SECONDS_PER_ROW
    slope = float(np.polyfit(idx.astype(float), run_time[idx], 1)[0])
    return slope if 0.05 < slope < 10.0 else DEFAULT_SECONDS_PER_ROW


def to_signal_set(header: list[str], data: np.ndarray) -> SignalSet:
    columns, units = {}, {}
    for j, col in enumerate(header):
        name, unit = COLUMNS.get(col, (col.lower(), ""))
        columns[name] = data[:, j]
        units[name] = unit
    if "time_since_codes_cleared" in columns:
        columns["time_since_codes_cleared"] = columns["time_since_codes_cleared"] * 60.0
        units["time_since_codes_cleared"] = "s"
    step = seconds_per_row(columns["run_time"]) if "run_time" in columns else DEFAULT_SECONDS_PER_ROW
    t = np.arange(len(data), dtype=float) * step
    return SignalSet.from_columns(t, columns, units)


def read_trip(path: str | Path) -> SignalSet:
    """One carOBD file (``.csv`` or ``.csv.gz``) as a SignalSet."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        header, data = parse(f.read())
    return to_signal_set(header, data)


def trip_files(root: str | Path) -> list[Path]:
    """All trips under ``root`` (the ``obdiidata`` folder or its parent), in name order."""
    root = Path(root)
    folder = root / "obdiidata" if (root / "obdiidata").is_dir() else root
    return sorted(list(folder.glob("*.csv.gz")) + list(folder.glob("*.csv")))
