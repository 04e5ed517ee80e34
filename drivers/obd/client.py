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
from drivers.obd.pids import (
    BY_SIGNAL,
    MODE01_PIDS,
    PID_FREEZE_DTC,
    PID_STATUS,
    SUPPORT_PIDS,
    decode_supported,
    decode_values,
    signal_info,
    split_reply,
)


from drivers.obd.readiness import decode_status

log = logging.getLogger(__name__)

MAX_PIDS_PER_REQUEST = 6  # SAE J1979 limit for one mode 01 request
FREEZE_PIDS_PER_REQUEST = 3  # mode 02: three PID/frame pairs fit one request
ECU_SEPARATOR = "@"  # "engine_speed@7E9": a signal as another ECU than its primary one reports it
DTC_SERVICES = {DtcKind.STORED: 0x03, DtcKind.PENDING: 0x07, DtcKind.PERMANENT: 0x0A}


class ObdClient(abc.ABC):
    """The services; subclasses provide the transport."""

    def __init__(self) -> None:
        self._supported: set[int] | None = None
        self.supported_by_ecu: dict[int, set[int]] = {}  # mode 01 support bitmaps, per answering ECU
        self.pids_per_request = MAX_PIDS_PER_REQUEST
        self.last_reply_time: float | None = None  # timestamp of the last reply (the adapter's or bus's clock)
        self.failed_pids: dict[int, str] = {}  # PIDs the last read_pids could not read, and why
        self._alone_pids: set[int] = set()  # PIDs an ECU answers alone but leaves out of multi-PID replies

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
        """Mode 01 PIDs any answering ECU supports (walks the 00/20/40... bitmaps of every ECU).

        An ECU whose bitmap reply is garbage, or that falls silent on a later bitmap, keeps what
        it advertised so far; only a car where no ECU answers PID 00 raises.
        """
        if self._supported is None:
            by_ecu: dict[int, set[int]] = {}
            for base in SUPPORT_PIDS:
                if base and not any(base in pids for pids in by_ecu.values()):
                    break
                try:
                    replies = self.request(bytes((0x01, base)), all_ecus=True)
                except (AdapterTimeout, NegativeResponse, ProtocolError) as e:
                    if not base:
                        raise
                    log.info("support bitmap 01%02X not read: %s", base, e)
                    break
                for ecu, payload in replies.items():
                    if base and base not in by_ecu.get(ecu, set()):
                        continue  # this ECU did not advertise the bitmap: whatever it sent is not an answer
                    try:
                        by_ecu.setdefault(ecu, set()).update(decode_supported(base, split_reply(payload, [base])[base]))
                    except ProtocolError as e:
                        log.info("ECU %s: support bitmap 01%02X does not parse: %s", self.ecu_label(ecu), base, e)
            self.supported_by_ecu = by_ecu
            self._supported = set().union(*by_ecu.values()) if by_ecu else set()
        return self._supported

    def primary_ecu(self, pid: int) -> int | None:
        """The ECU whose value of ``pid`` carries the plain signal name: the lowest id that advertises it."""
        return min((ecu for ecu, pids in self.supported_by_ecu.items() if pid in pids), default=None)

    def read_pids(self, pids: Sequence[int]) -> dict[int, bytes]:
        """Raw data of several mode 01 PIDs from their primary ECU (see :meth:`read_pids_by_ecu`)."""
        out: dict[int, bytes] = {}
        for ecu, values in sorted(self.read_pids_by_ecu(pids).items()):
            for pid, data in values.items():
                if pid not in out or ecu == self.primary_ecu(pid):
                    out[pid] = data
        return out

    def read_pids_by_ecu(self, pids: Sequence[int]) -> dict[int, dict[int, bytes]]:
        """Raw data of several mode 01 PIDs, up to six per request (the fast path), per answering ECU.

        An ECU or adapter that garbles multi-PID replies (seen on emulators and some gateways)
        gets smaller requests from then on, down to one PID each. A PID that still fails on its
        own (garbage, refusal, silence) is left out and named in ``failed_pids`` with the reason;
        the others are read. Raises AdapterTimeout only when nothing answered at all (ignition
        off), ConnectionLost when the adapter is gone.
        """
        out: dict[int, dict[int, bytes]] = {}
        failed: dict[int, str] = {}
        silent: set[int] = set()  # PIDs nobody answered (as opposed to garbage or a refusal)
        alone = [pid for pid in pids if pid in self._alone_pids]
        if alone:
            self._one_by_one(alone, out, failed, silent)
        pending = [pid for pid in pids if pid not in self._alone_pids]
        while pending:
            chunk, rest = pending[: self.pids_per_request], pending[self.pids_per_request :]
            try:
                replies = self.request(bytes((0x01, *chunk)))
                got = {ecu: split_reply(payload, chunk) for ecu, payload in replies.items()}
            except ProtocolError as e:
                if len(chunk) > 1:
                    self.pids_per_request = max(1, len(chunk) // 2)
                    log.warning("multi-PID reply did not parse; asking for %d PID(s) per request from now on", self.pids_per_request)
                    continue
                failed[chunk[0]] = str(e)
            except (AdapterTimeout, NegativeResponse) as e:
                if len(chunk) > 1:
                    self._one_by_one(chunk, out, failed, silent)  # one refused PID must not hide the others
                else:
                    failed[chunk[0]] = str(e)
                    if isinstance(e, AdapterTimeout):
                        silent.add(chunk[0])
            else:
                for ecu, values in got.items():
                    out.setdefault(ecu, {}).update(values)
                answered = {pid for values in got.values() for pid in values}
                missing = [pid for pid in chunk if pid not in answered]
                if missing and len(chunk) > 1:
                    # Some ECUs leave PIDs out of multi-PID replies but answer them alone: ask alone from now on.
                    before = {pid for values in out.values() for pid in values}
                    self._one_by_one(missing, out, failed, silent)
                    self._alone_pids.update(pid for values in out.values() for pid in values if pid in missing and pid not in before)
                else:
                    failed.update({pid: "not in the ECU's reply" for pid in missing})
            pending = rest
            if not out and len(silent) >= 2 and silent == set(failed):
                break  # nothing answers at all: the car is silent, do not wait out every PID
        self.failed_pids = failed
        if not out and failed and silent == set(failed):
            raise AdapterTimeout(f"the car did not answer any of {len(failed)} PID(s) (ignition off?)")
        return out

    def _one_by_one(self, chunk: Sequence[int], out: dict[int, dict[int, bytes]], failed: dict[int, str], silent: set[int]) -> None:
        for pid in chunk:
            try:
                for ecu, payload in self.request(bytes((0x01, pid))).items():
                    out.setdefault(ecu, {}).update(split_reply(payload, [pid]))
            except (AdapterTimeout, NegativeResponse, ProtocolError) as e:
                failed[pid] = str(e)
                if isinstance(e, AdapterTimeout):
                    silent.add(pid)
                    if not out and len(silent) >= 2:
                        return  # two silent in a row and nothing else answered: the car is not listening

    def read_signals(self, names: Iterable[str]) -> dict[str, float]:
        """Decoded values of the named signals the car supports; unknown names raise KeyError.

        A name may carry an ECU suffix (``engine_speed@7E9``): the same quantity as reported by
        another ECU, kept apart from the primary ECU's value. PIDs that failed are in ``failed_pids``.
        """
        wanted = set(names)
        supported = self.supported_pids()
        pids = sorted({BY_SIGNAL[signal_of(n)].pid for n in wanted} & supported)
        values: dict[str, float] = {}
        for ecu, raw in self.read_pids_by_ecu(pids).items():
            for pid, data in raw.items():
                try:
                    decoded = decode_values(pid, data)
                except ProtocolError as e:
                    self.failed_pids[pid] = str(e)
                    continue
                for signal, value in decoded.items():
                    name = signal if ecu == self.primary_ecu(pid) else f"{signal}{ECU_SEPARATOR}{self.ecu_label(ecu)}"
                    if name in wanted:
                        values[name] = value
        return values

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
                for name, value in decode_values(pid, data).items():  # every value of the PID (O2 voltage and trim, ...)
                    values[name], units[name] = value, signal_info(name).unit
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
            if len(payload) == 4:
                bitmap = payload  # some ECUs (and the ELM327-emulator) leave out the echoed MID
            elif payload[:1] == bytes((base,)) and len(payload) >= 5:
                bitmap = payload[1:5]
            else:
                raise ProtocolError(f"unexpected mode 06 support reply: {payload.hex(' ')}")
            supported |= decode_supported(base, bitmap)
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


def signal_of(name: str) -> str:
    """The table's signal name without an ECU suffix."""
    return name.split(ECU_SEPARATOR, 1)[0]

