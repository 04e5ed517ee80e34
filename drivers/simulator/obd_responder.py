"""The simulated engine ECU's answers to SAE J1979 requests (payload in, payload out).

Pure: no bus, no timing. ``can_face`` wraps it in ISO-TP on a CAN bus; the ELM327
face of the connectivity issue can reuse it unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.obd.dtc_codes import encode_dtc, encode_dtc_payload
from drivers.obd.pids import (
    MODE01_PIDS,
    PID_FREEZE_DTC,
    PID_FUEL_STATUS,
    PID_O2_PRESENT,
    PID_OBD_STANDARD,
    PID_STATUS,
    SUPPORT_PIDS,
    encode_supported,
)
from drivers.obd.mode06 import encode_test_record
from drivers.obd.readiness import encode_status
from drivers.simulator.monitors import CATALYST_STORAGE_LIMIT, O2_RESPONSE_LIMIT
from drivers.simulator.powertrain import RUN

if TYPE_CHECKING:
    from drivers.simulator.model import VehicleModel

NRC_SUB_FUNCTION_NOT_SUPPORTED = 0x12
NRC_REQUEST_OUT_OF_RANGE = 0x31
NRC_SERVICE_NOT_SUPPORTED = 0x11
OBD_II_CARB_EOBD = 0x06  # PID 1C: "OBD and OBD-II" ... 6 = EOBD; the sim is a European-spec car
ECU_NAME = "ECM-EngineControl"
CALIBRATION_ID = "CVSIM-ECM-0001"
CVN = bytes.fromhex("1a2b3c4d")

FULL_LOAD_ENRICHMENT = 88.0  # % load above which fuel_control leaves closed loop (its threshold)

# Fuel system status codes (PID 03, SAE J1979 bit values).
FUEL_OPEN_COLD = 0x01  # open loop: not warm yet (the sim also reports O2 sensor warm-up this way, as many ECUs do)
FUEL_CLOSED = 0x02
FUEL_OPEN_LOAD = 0x04  # open loop: full-load enrichment or deceleration fuel cut


def fuel_system_status(model: VehicleModel) -> int:
    """PID 03 byte A from the fuel controller's state: 0 with the engine stopped (nothing to report)."""
    if model.engine.state != RUN:
        return 0
    if model.fuel.closed_loop:
        return FUEL_CLOSED
    if model.engine.fuel_cut or model.engine.load >= FULL_LOAD_ENRICHMENT:
        return FUEL_OPEN_LOAD
    return FUEL_OPEN_COLD


# PIDs computed from ECU memory or the model's internal state rather than from its signals. Each gives the
# PID's main value; only what the model really has is here (no bank 2 on a four-cylinder, no oil temperature).
_EXTRA_SIGNALS: dict[int, Callable[[VehicleModel], float]] = {
    PID_FUEL_STATUS: lambda model: fuel_system_status(model),  # the single fuel system; byte B = 0: no second one
    0x21: lambda model: model.ecu.distance_with_mil_km,
    0x30: lambda model: model.ecu.warmups_since_clear,
    0x31: lambda model: model.ecu.distance_since_clear_km,
}


class ObdResponder:
    """Answers like a single engine ECU at 7E8, from a ``VehicleModel``'s signals and ECU memory."""

    def __init__(self, model: VehicleModel) -> None:
        self.model = model
        names = set(model.signals())
        # Advertise only what the model produces: a PID whose main value is one of its signals, or one computed
        # above. A bigger PID table must never make the simulated ECU claim PIDs it would answer with made-up data.
        self.live_pids = {p.pid for p in MODE01_PIDS.values() if p.signal in names} | (_EXTRA_SIGNALS.keys() & MODE01_PIDS.keys())
        self.supported = self.live_pids | {PID_STATUS, PID_O2_PRESENT, PID_OBD_STANDARD}
        # A support PID is itself supported when any PID above it is.
        self.supported |= {b for b in SUPPORT_PIDS[1:] if any(p > b for p in self.supported)}

    def handle(self, request: bytes | None) -> bytes | None:
        """The reply payload, a negative response, or None when an ECU would stay silent."""
        if not request:
            return None
        service, args = request[0], request[1:]
        handler: Callable[[bytes], bytes | None] | None = {
            0x01: self._current_data,
            0x02: self._freeze_frame,
            0x03: lambda a: self._codes(0x03, self.model.ecu.stored),
            0x04: self._clear,
            0x06: self._test_results,
            0x07: lambda a: self._codes(0x07, self.model.ecu.pending),
            0x09: self._vehicle_info,
            0x0A: lambda a: self._codes(0x0A, self.model.ecu.permanent),
        }.get(service)
        if handler is None:
            return bytes((0x7F, service, NRC_SERVICE_NOT_SUPPORTED))
        return handler(args)

    # -- mode 01 -----------------------------------------------------------------------

    def _pid_data(self, pid: int, signals: dict[str, float]) -> bytes | None:
        ecu = self.model.ecu
        if pid in SUPPORT_PIDS:
            return encode_supported(pid, self.supported)
        if pid == PID_STATUS:
            return encode_status(ecu.mil_on, len(ecu.stored), ecu.readiness())
        if pid == PID_O2_PRESENT:
            return b"\x03"  # bank 1 sensors 1 and 2
        if pid == PID_OBD_STANDARD:
            return bytes((OBD_II_CARB_EOBD,))
        if pid in _EXTRA_SIGNALS and pid in MODE01_PIDS:
            return MODE01_PIDS[pid].encode(float(_EXTRA_SIGNALS[pid](self.model)))
        if pid in self.live_pids:
            spec = MODE01_PIDS[pid]
            return spec.encode(signals[spec.signal])
        return None

    def _current_data(self, pids: bytes) -> bytes | None:
        if not 1 <= len(pids) <= 6:
            return None
        signals = self.model.signals()
        out = bytearray((0x41,))
        for pid in pids:
            data = self._pid_data(pid, signals)
            if data is not None:
                out += bytes((pid,)) + data
        return bytes(out) if len(out) > 1 else None  # unsupported PIDs: silence, as real ECUs do

    # -- mode 02 -----------------------------------------------------------------------

    def _freeze_frame(self, args: bytes) -> bytes | None:
        if len(args) < 2 or len(args) % 2:
            return None
        ecu = self.model.ecu
        code = next((c for c in ecu.stored if c in ecu.freeze_frames), None)
        out = bytearray((0x42,))
        for pid, frame in zip(args[::2], args[1::2], strict=True):
            if frame != 0:
                continue
            if pid == PID_FREEZE_DTC:
                out += bytes((pid, frame)) + (encode_dtc(code) if code else b"\x00\x00")
            elif pid in SUPPORT_PIDS and code:
                out += bytes((pid, frame)) + encode_supported(pid, self._frame_pids(ecu.freeze_frames[code]) | {PID_FREEZE_DTC})
            elif code and pid in MODE01_PIDS and MODE01_PIDS[pid].signal in ecu.freeze_frames[code]:
                spec = MODE01_PIDS[pid]
                out += bytes((pid, frame)) + spec.encode(ecu.freeze_frames[code][spec.signal])
        return bytes(out) if len(out) > 1 else None

    @staticmethod
    def _frame_pids(snapshot: dict[str, float]) -> set[int]:
        pids = {p.pid for p in MODE01_PIDS.values() if p.signal in snapshot}
        return pids | {b for b in SUPPORT_PIDS[1:] if any(p > b for p in pids)}

    # -- modes 03/07/0A, 04 -----------------------------------------------------------------

    @staticmethod
    def _codes(service: int, codes: list[str]) -> bytes:
        return bytes((service + 0x40,)) + encode_dtc_payload(list(codes), with_count=True)

    def _clear(self, _args: bytes) -> bytes:
        self.model.ecu.clear()
        return b"\x44"

    # -- mode 06 -----------------------------------------------------------------------

    def _tests(self) -> dict[int, list[bytes]]:
        """The ECU's latest monitor results as mode 06 records, by monitor id."""
        monitors = self.model.monitors
        o2_ms = monitors.o2_response_s * 1000.0
        records = {
            0x01: [encode_test_record(0x01, 0x81, 0x10, o2_ms, 0.0, O2_RESPONSE_LIMIT * 1000.0)],  # response time
            0x21: [encode_test_record(0x21, 0x82, 0x03, monitors.catalyst_storage, CATALYST_STORAGE_LIMIT, 1.5)],  # O2 storage
        }
        for cylinder, count in enumerate(self.model.misfire.counts, start=1):
            # Real ECUs report misfire counts for information; 0xFFFF is "no limit".
            records[0xA1 + cylinder] = [encode_test_record(0xA1 + cylinder, 0x0C, 0x24, count, 0, 0xFFFF)]
        return records

    def _test_results(self, args: bytes) -> bytes | None:
        if len(args) != 1:
            return None
        tests = self._tests()
        mid = args[0]
        if mid in SUPPORT_PIDS:
            mids = set(tests) | {b for b in SUPPORT_PIDS[1:] if any(m > b for m in tests)}
            return bytes((0x46, mid)) + encode_supported(mid, mids)
        if mid not in tests:
            return None
        return b"\x46" + b"".join(tests[mid])

    # -- mode 09 -----------------------------------------------------------------------

    def _vehicle_info(self, args: bytes) -> bytes | None:
        if len(args) != 1:
            return None
        info = args[0]
        if info == 0x00:
            return b"\x49\x00" + encode_supported(0, {0x02, 0x04, 0x06, 0x0A})
        if info == 0x02:
            return b"\x49\x02\x01" + self.model.vin.encode("ascii")
        if info == 0x04:
            return b"\x49\x04\x01" + CALIBRATION_ID.encode("ascii").ljust(16, b"\x00")
        if info == 0x06:
            return b"\x49\x06\x01" + CVN
        if info == 0x0A:
            return b"\x49\x0a\x01" + ECU_NAME.encode("ascii").ljust(20, b"\x00")
        return None
