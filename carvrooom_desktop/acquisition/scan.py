"""Identify the car and read its diagnostic memory: the technician's first minute."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from carvrooom_desktop.domain import Dtc, DtcKind, FreezeFrame, OnBoardTest, ReadinessReport, Vehicle
from drivers.errors import AdapterTimeout, NegativeResponse, ProtocolError
from drivers.obd.client import ObdClient
from drivers.obd.pids import BY_SIGNAL
from drivers.vin import VinInfo, decode_vin


@dataclass(frozen=True, slots=True)
class ScanReport:
    vehicle: Vehicle
    vin_info: VinInfo
    dtcs: tuple[Dtc, ...]
    readiness: ReadinessReport
    freeze_frames: tuple[FreezeFrame, ...]
    supported_pids: tuple[int, ...]
    adapter: str
    elapsed_s: float
    adapter_details: tuple[str, ...] = ()
    tests: tuple[OnBoardTest, ...] = ()  # mode 06
    calibration_ids: tuple[str, ...] = ()
    cvns: tuple[str, ...] = ()

    @property
    def mil_on(self) -> bool:
        return self.readiness.mil_on

    def codes(self, kind: DtcKind) -> list[str]:
        return [d.code for d in self.dtcs if d.kind is kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (CLI ``--json`` and the stored scan document)."""
        return {
            "vehicle": asdict(self.vehicle),
            "vin": {"valid": self.vin_info.valid, "problems": list(self.vin_info.problems),
                    "manufacturer": self.vin_info.manufacturer, "country": self.vin_info.country,
                    "model_year": self.vin_info.model_year, "check_digit_ok": self.vin_info.check_digit_ok},
            "adapter": self.adapter,
            "adapter_details": list(self.adapter_details),
            "mil_on": self.mil_on,
            "dtcs": [{"code": d.code, "kind": d.kind.value, "description": d.description, "system": d.system.value, "ecu": d.ecu} for d in self.dtcs],
            "readiness": [{"monitor": m.name, "state": m.state.value, "continuous": m.continuous} for m in self.readiness.monitors],
            "freeze_frames": [{"dtc": f.dtc_code, "frame": f.frame_number, "values": f.values, "units": f.units} for f in self.freeze_frames],
            "tests": [{"mid": f"{t.mid:02X}", "tid": f"{t.tid:02X}", "monitor": t.monitor, "test": t.test, "value": t.value,
                       "min": t.minimum, "max": t.maximum, "unit": t.unit, "passed": t.passed} for t in self.tests],
            "calibration_ids": list(self.calibration_ids),
            "cvns": list(self.cvns),
            "supported_pids": [f"{p:02X}" for p in self.supported_pids],
            "elapsed_s": round(self.elapsed_s, 3),
        }


def scan_vehicle(client: ObdClient, adapter: str, adapter_details: tuple[str, ...] = ()) -> ScanReport:
    """VIN, codes of every kind, readiness and freeze frame; raises DriverError when the car is silent."""
    started = time.monotonic()
    supported = client.supported_pids()
    vin = client.read_vin()
    info = decode_vin(vin)
    odometer = None
    if BY_SIGNAL["odometer_km"].pid in supported:
        odometer = client.read_signals(["odometer_km"]).get("odometer_km")
    vehicle = Vehicle(vin=vin, make=info.manufacturer, year=info.model_year, odometer_km=odometer)
    readiness = client.read_status()
    dtcs: list[Dtc] = []
    for kind in DtcKind:
        try:
            dtcs += client.read_dtcs(kind)
        except (AdapterTimeout, NegativeResponse):
            continue  # mode 0A is optional before 2010; silence is "not supported", not "no codes"
    frame = client.read_freeze_frame() if any(d.kind is DtcKind.STORED for d in dtcs) else None
    tests = _optional(client.read_test_results, [])
    calibration_ids = _optional(client.read_calibration_ids, [])
    cvns = _optional(client.read_calibration_verification_numbers, [])
    return ScanReport(
        vehicle=vehicle, vin_info=info, dtcs=tuple(dtcs), readiness=readiness,
        freeze_frames=(frame,) if frame else (), supported_pids=tuple(sorted(supported)),
        adapter=adapter, elapsed_s=time.monotonic() - started, adapter_details=adapter_details,
        tests=tuple(tests), calibration_ids=tuple(calibration_ids), cvns=tuple(cvns),
    )


def _optional(read, default):
    """Services a car may lack (mode 06 before 2005, CVN on some ECUs): absent, not an error."""
    try:
        return read()
    except (AdapterTimeout, NegativeResponse, ProtocolError):
        return default
