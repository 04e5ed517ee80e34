"""Identify the car and read its diagnostic memory: the technician's first minute."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from carvrooom_desktop.domain import Dtc, DtcKind, FreezeFrame, OnBoardTest, ReadinessReport, Vehicle
from drivers.errors import AdapterTimeout, NegativeResponse, ProtocolError
from drivers.obd.client import DTC_SERVICES, ObdClient
from drivers.obd.pids import BY_SIGNAL, MODE01_PIDS, PID_STATUS, PID_STATUS_THIS_CYCLE, SUPPORT_PIDS

T = TypeVar("T")
ODOMETER_PID = BY_SIGNAL["odometer_km"].pid
NON_SIGNAL_PIDS = {PID_STATUS, PID_STATUS_THIS_CYCLE}  # monitor status bit fields: readiness, not values
from drivers.vin import VinInfo, decode_vin


@dataclass(frozen=True, slots=True)
class NotRead:
    """One part of the scan the car did not give us, and why (shown to the technician, never hidden)."""

    item: str  # "odometer (PID A6)", "pending codes (mode 07)", ...
    reason: str
    ecu: str = ""  # the ECU that answered wrongly, when one did


@dataclass(frozen=True, slots=True)
class ScanReport:
    vehicle: Vehicle
    vin_info: VinInfo
    dtcs: tuple[Dtc, ...]
    readiness: ReadinessReport | None  # None: PID 01 not advertised or not read (see not_read)
    freeze_frames: tuple[FreezeFrame, ...]
    supported_pids: tuple[int, ...]
    adapter: str
    elapsed_s: float
    adapter_details: tuple[str, ...] = ()
    tests: tuple[OnBoardTest, ...] = ()  # mode 06
    calibration_ids: tuple[str, ...] = ()
    cvns: tuple[str, ...] = ()
    not_read: tuple[NotRead, ...] = ()
    ecus: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (ECU label, mode 01 PIDs it advertises)
    raw_pids: tuple[tuple[str, int, str], ...] = ()  # (ECU, PID, hex) of advertised PIDs we have no decoder for

    @property
    def mil_on(self) -> bool | None:
        return self.readiness.mil_on if self.readiness is not None else None

    @property
    def complete(self) -> bool:
        return not self.not_read

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
            "readiness": [{"monitor": m.name, "state": m.state.value, "continuous": m.continuous}
                          for m in (self.readiness.monitors if self.readiness is not None else ())],
            "freeze_frames": [{"dtc": f.dtc_code, "frame": f.frame_number, "values": f.values, "units": f.units} for f in self.freeze_frames],
            "tests": [{"mid": f"{t.mid:02X}", "tid": f"{t.tid:02X}", "monitor": t.monitor, "test": t.test, "value": t.value,
                       "min": t.minimum, "max": t.maximum, "unit": t.unit, "passed": t.passed} for t in self.tests],
            "calibration_ids": list(self.calibration_ids),
            "cvns": list(self.cvns),
            "supported_pids": [f"{p:02X}" for p in self.supported_pids],
            "ecus": {label: [f"{p:02X}" for p in pids] for label, pids in self.ecus},
            "raw_pids": [{"ecu": ecu, "pid": f"{pid:02X}", "data": data} for ecu, pid, data in self.raw_pids],
            "not_read": [{"item": n.item, "reason": n.reason, **({"ecu": n.ecu} if n.ecu else {})} for n in self.not_read],
            "elapsed_s": round(self.elapsed_s, 3),
        }


OPTIONAL_FAILURES = (AdapterTimeout, NegativeResponse, ProtocolError)  # ConnectionLost is not: the adapter is gone


class _Scan:
    """One scan's reads: each optional one that fails becomes a NotRead entry and the scan goes on."""

    def __init__(self, client: ObdClient) -> None:
        self.client = client
        self.not_read: list[NotRead] = []

    def read(self, item: str, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except OPTIONAL_FAILURES as e:
            self.not_read.append(NotRead(item, _reason(e)))
            return default

    def skip(self, item: str, reason: str) -> None:
        self.not_read.append(NotRead(item, reason))


def scan_vehicle(client: ObdClient, adapter: str, adapter_details: tuple[str, ...] = ()) -> ScanReport:
    """VIN, codes of every kind, readiness, freeze frame, mode 06 and calibration: whatever the car gives.

    Only a car that answers nothing at all (not even the PID 00 bitmap) raises a DriverError;
    every other read that fails is listed in ``not_read`` with the reason.
    """
    started = time.monotonic()
    scan = _Scan(client)
    supported = client.supported_pids()  # the one read a scan cannot do without: is anyone there?
    vin = scan.read("VIN (mode 09 PID 02)", client.read_vin, "")
    info = decode_vin(vin)
    odometer = None
    if ODOMETER_PID in supported:
        odometer = scan.read("odometer (PID A6)", lambda: _odometer(client), None)
    vehicle = Vehicle(vin=vin, make=info.manufacturer, year=info.model_year, odometer_km=odometer)
    readiness = None
    if PID_STATUS in supported:
        readiness = scan.read("readiness and MIL (PID 01)", client.read_status, None)
    else:
        scan.skip("readiness and MIL (PID 01)", "the engine ECU does not advertise PID 01")
    dtcs: list[Dtc] = []
    for kind, service in DTC_SERVICES.items():
        dtcs += scan.read(f"{kind.value} codes (mode {service:02X})", partial(client.read_dtcs, kind), [])
    frame = None
    if any(d.kind is DtcKind.STORED for d in dtcs) or (readiness is not None and readiness.dtc_count):
        frame = scan.read("freeze frame (mode 02)", client.read_freeze_frame, None)
    tests: list[OnBoardTest] = scan.read("on-board test results (mode 06)", client.read_test_results, [])
    calibration_ids: list[str] = scan.read("calibration IDs (mode 09 PID 04)", client.read_calibration_ids, [])
    cvns: list[str] = scan.read("calibration verification numbers (mode 09 PID 06)", client.read_calibration_verification_numbers, [])
    raw = _undecoded_pids(client, scan)
    return ScanReport(
        vehicle=vehicle, vin_info=info, dtcs=tuple(dtcs), readiness=readiness,
        freeze_frames=(frame,) if frame else (), supported_pids=tuple(sorted(supported)),
        adapter=adapter, elapsed_s=time.monotonic() - started, adapter_details=adapter_details,
        tests=tuple(tests), calibration_ids=tuple(calibration_ids), cvns=tuple(cvns),
        not_read=tuple(scan.not_read), raw_pids=tuple(raw),
        ecus=tuple((client.ecu_label(ecu), tuple(sorted(pids))) for ecu, pids in sorted(client.supported_by_ecu.items())),
    )


def _odometer(client: ObdClient) -> float:
    values = client.read_signals(["odometer_km"])
    if "odometer_km" not in values:
        raise ProtocolError(client.failed_pids.get(ODOMETER_PID, "no odometer value in the reply"))
    return values["odometer_km"]


def _undecoded_pids(client: ObdClient, scan: _Scan) -> list[tuple[str, int, str]]:
    """Advertised PIDs without a decoder in our table: read once each and shown as raw bytes."""
    unknown = sorted(p for p in client.supported_pids() if p not in MODE01_PIDS and p not in SUPPORT_PIDS and p not in NON_SIGNAL_PIDS)
    raw: list[tuple[str, int, str]] = []
    for pid in unknown:
        try:
            replies = client.request(bytes((0x01, pid)))
        except OPTIONAL_FAILURES as e:
            scan.skip(f"PID {pid:02X} (no decoder)", _reason(e))
            continue
        for ecu, payload in replies.items():
            if payload[:1] == bytes((pid,)):
                raw.append((client.ecu_label(ecu), pid, payload[1:].hex(" ").upper()))
    return raw


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__
