"""SAE J1979 diagnostic services, written once over an abstract request/reply transport.

``ObdCanClient`` (ISO 15765-4 on any python-can bus) and ``Elm327Client`` (an ELM327
adapter) only implement :meth:`ObdClient.request`; every service below works on both.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterable, Sequence

from carvrooom_desktop.domain import Dtc, DtcKind, FreezeFrame, OnBoardTest, ReadinessReport
from drivers.errors import AdapterTimeout, NegativeResponse, ProtocolError
from drivers.obd.dtc_codes import decode_dtc, describe, parse_dtc_payload
from drivers.obd.mode06 import parse_test_records
from drivers.obd.pids import BY_SIGNAL, MODE01_PIDS, PID_FREEZE_DTC, PID_STATUS, SUPPORT_PIDS, decode_supported, split_reply
from drivers.obd.readiness import decode_status

log = logging.getLogger(__name__)

MAX_PIDS_PER_REQUEST = 6  # SAE J1979 limit for one mode 01 request
FREEZE_PIDS_PER_REQUEST = 3  # mode 02: three PID/frame pairs fit one request
DTC_SERVICES = {DtcKind.STORED: 0x03, DtcKind.PENDING: 0x07, DtcKind.PERMANENT: 0x0A}


class ObdClient(abc.ABC):
    """The services; subclasses provide the transport."""

    def __init__(self) -> None:
        self._supported: set[int] | None = None
        self.pids_per_request = MAX_PIDS_PER_REQUEST
        self.last_reply_time: float | None = None  # timestamp of the last reply (the adapter's or bus's clock)

    @abc.abstractmethod
    def request(self, payload: bytes, *, all_ecus: bool = False) -> dict[int, bytes]:
        """Send one request; positive replies (service byte removed) by responding ECU id.

        Raises AdapterTimeout when nobody answers, NegativeResponse when the ECU
        refuses, ProtocolError for garbage, ConnectionLost when the link is gone.
        """

    def ecu_label(self, ecu: int) -> str:
        return f"{ecu:X}"

    def query(self, payload: bytes) -> bytes:
        """First positive reply, service byte removed."""
        return next(iter(self.request(payload).values()))

    def supported_pids(self) -> set[int]:
        """Mode 01 PIDs the engine ECU supports (walks the 00/20/40... bitmaps)."""
        if self._supported is None:
            supported: set[int] = set()
            for base in SUPPORT_PIDS:
                if base and base not in supported:
                    break
                reply = split_reply(self.query(bytes((0x01, base))), [base])
                supported |= decode_supported(base, reply[base])
            self._supported = supported
        return self._supported

    def read_pids(self, pids: Sequence[int]) -> dict[int, bytes]:
        """Raw data of several mode 01 PIDs, up to six per request (the fast path).

        An ECU or adapter that garbles multi-PID replies (seen on emulators and some
        gateways) gets smaller requests from then on, down to one PID each.
        """
        out: dict[int, bytes] = {}
        pending = list(pids)
        while pending:
            chunk, rest = pending[: self.pids_per_request], pending[self.pids_per_request :]
            try:
                out.update(split_reply(self.query(bytes((0x01, *chunk))), chunk))
            except ProtocolError:
                if len(chunk) == 1:
                    raise
                self.pids_per_request = max(1, len(chunk) // 2)
                log.warning("multi-PID reply did not parse; asking for %d PID(s) per request from now on", self.pids_per_request)
                continue
            pending = rest
        return out

    def read_signals(self, names: Iterable[str]) -> dict[str, float]:
        """Decoded values of the named signals the car supports; unknown names raise KeyError."""
        supported = self.supported_pids()
        pids = [BY_SIGNAL[n].pid for n in names if BY_SIGNAL[n].pid in supported]
        raw = self.read_pids(pids)
        return {MODE01_PIDS[pid].signal: MODE01_PIDS[pid].decode(data) for pid, data in raw.items()}

    def read_status(self) -> ReadinessReport:
        reply = split_reply(self.query(bytes((0x01, PID_STATUS))), [PID_STATUS])
        return decode_status(reply[PID_STATUS])

    def read_dtcs(self, kind: DtcKind = DtcKind.STORED) -> list[Dtc]:
        replies = self.request(bytes((DTC_SERVICES[kind],)), all_ecus=True)
        return [
            describe(code, kind, self.ecu_label(ecu))
            for ecu, payload in sorted(replies.items())
            for code in parse_dtc_payload(payload)
        ]

    def read_freeze_frame(self, frame: int = 0) -> FreezeFrame | None:
        """Mode 02: the code that stored frame ``frame`` and the PIDs captured with it."""
        reply = split_reply(self.query(bytes((0x02, PID_FREEZE_DTC, frame))), [PID_FREEZE_DTC], frame_field=True)
        a, b = reply[PID_FREEZE_DTC]
        if a == 0 and b == 0:
            return None
        stored = self._freeze_frame_pids(frame) & MODE01_PIDS.keys()
        values: dict[str, float] = {}
        units: dict[str, str] = {}
        pids = sorted(stored)
        for i in range(0, len(pids), FREEZE_PIDS_PER_REQUEST):
            chunk = pids[i : i + FREEZE_PIDS_PER_REQUEST]
            request = bytes((0x02, *(x for pid in chunk for x in (pid, frame))))
            for pid, data in split_reply(self.query(request), chunk, frame_field=True).items():
                spec = MODE01_PIDS[pid]
                values[spec.signal], units[spec.signal] = spec.decode(data), spec.unit
        return FreezeFrame(dtc_code=decode_dtc(a, b), frame_number=frame, values=values, units=units)

    def _freeze_frame_pids(self, frame: int) -> set[int]:
        """PIDs stored in the freeze frame (mode 02 support bitmaps), or the live ones if the ECU has no bitmap."""
        supported: set[int] = set()
        try:
            for base in SUPPORT_PIDS:
                if base and base not in supported:
                    break
                reply = split_reply(self.query(bytes((0x02, base, frame))), [base], frame_field=True)
                supported |= decode_supported(base, reply[base])
        except (AdapterTimeout, NegativeResponse):
            return self.supported_pids()
        return supported

    def read_test_results(self) -> list[OnBoardTest]:
        """Mode 06: every supported monitor's test results with their limits."""
        supported: set[int] = set()
        for base in SUPPORT_PIDS:
            if base and base not in supported:
                break
            payload = self.query(bytes((0x06, base)))
            if payload[:1] != bytes((base,)) or len(payload) < 5:
                raise ProtocolError(f"unexpected mode 06 support reply: {payload.hex(' ')}")
            supported |= decode_supported(base, payload[1:5])
        results: list[OnBoardTest] = []
        for mid in sorted(supported - set(SUPPORT_PIDS)):
            try:
                results += parse_test_records(self.query(bytes((0x06, mid))))
            except (AdapterTimeout, NegativeResponse):
                continue  # a monitor that has not run this cycle may stay silent
        return results

    def read_vin(self) -> str:
        """Mode 09 PID 02, exactly as the car sends it (only padding removed, never "fixed")."""
        payload = self.query(b"\x09\x02")
        if payload[:1] != b"\x02" or len(payload) < 3:
            raise ProtocolError(f"unexpected VIN reply: {payload.hex(' ')}")
        text = payload[2:].decode("ascii", errors="replace")
        return text.strip("\x00 \xff").replace("\x00", "")

    def read_ecu_name(self) -> str:
        payload = self.query(b"\x09\x0a")
        return payload[2:].decode("ascii", errors="replace").strip("\x00 ")

    def read_calibration_verification_numbers(self) -> list[str]:
        """Mode 09 PID 06: CVNs, 4 bytes each, shown as hex as scan tools do."""
        body = self.query(b"\x09\x06")[2:]
        return [body[i : i + 4].hex().upper() for i in range(0, len(body) - len(body) % 4, 4)]

    def read_calibration_ids(self) -> list[str]:
        payload = self.query(b"\x09\x04")
        body = payload[2:]
        return [body[i : i + 16].decode("ascii", errors="replace").strip("\x00 ") for i in range(0, len(body), 16)]

    def clear_dtcs(self) -> None:
        """Mode 04. Callers must confirm with the technician and check the role first."""
        self.request(b"\x04", all_ecus=True)
