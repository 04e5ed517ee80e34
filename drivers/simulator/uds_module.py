"""A simulated control module answering UDS (ISO 14229): payload in, payload out, no bus, no timing.

Each module has its DIDs (VIN, part and software numbers, name), its own DTC memory (3-byte codes
with a status byte, a snapshot and extended data) and behaviours the bad-input tests switch on:
endless response pending, a broken ISO-TP sequence, DIDs in an unknown format, a gateway that
blocks its diagnostics. ``uds_bus`` puts the modules on the CAN bus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from drivers.obd.dtc_codes import encode_dtc
from drivers.simulator.ecu import EcuMemory

# DTC status bits (ISO 14229-1 D.2)
FAILED, FAILED_THIS_CYCLE, PENDING, CONFIRMED, FAILED_SINCE_CLEAR, WARNING_LAMP = 0x01, 0x02, 0x04, 0x08, 0x20, 0x80
ACTIVE = FAILED | FAILED_THIS_CYCLE | PENDING | CONFIRMED | FAILED_SINCE_CLEAR  # 0x2F: failing now and stored
HISTORIC = CONFIRMED | FAILED_SINCE_CLEAR  # 0x28: stored, not failing now
AVAILABILITY_MASK = 0xFF
ISO14229_FORMAT = 0x01  # DTC format identifier of 0x19 01: ISO 14229-1

SERVICE_NOT_SUPPORTED, SUB_FUNCTION_NOT_SUPPORTED, WRONG_LENGTH = 0x11, 0x12, 0x13
OUT_OF_RANGE, SECURITY_DENIED, PENDING_NRC = 0x31, 0x33, 0x78
UDS_SERVICES = frozenset({0x10, 0x11, 0x14, 0x19, 0x22, 0x27, 0x28, 0x2E, 0x2F, 0x31, 0x3E, 0x85})


def uds_dtc(code: str, failure_type: int) -> int:
    """``("C0035", 0x13)`` -> 0x403513."""
    return (int.from_bytes(encode_dtc(code), "big") << 8) | failure_type


@dataclass
class StoredDtc:
    number: int
    status: int
    snapshot: dict[int, bytes] = field(default_factory=dict)  # snapshot DID -> data (record 01)
    occurrences: int = 1
    aging: int = 0


class DtcMemory(Protocol):
    def codes(self) -> list[StoredDtc]: ...

    def clear(self) -> None: ...


class ModuleMemory:
    """A body/chassis module's fault memory."""

    def __init__(self) -> None:
        self._codes: dict[int, StoredDtc] = {}

    def codes(self) -> list[StoredDtc]:
        return list(self._codes.values())

    def store(self, dtc: StoredDtc) -> None:
        self._codes[dtc.number] = dtc

    def clear(self) -> None:
        self._codes.clear()


class EngineMemory:
    """The engine ECU's OBD memory seen through UDS: stored codes confirmed, pending ones pending.

    The caller holds the car's model lock (``ModuleBus`` does around every request)."""

    def __init__(self, ecu: EcuMemory, snapshot: Callable[[], dict[int, bytes]]) -> None:
        self._ecu = ecu
        self._snapshot = snapshot

    def codes(self) -> list[StoredDtc]:
        stored, pending = list(self._ecu.stored), list(self._ecu.pending)
        snap = self._snapshot()
        out = {c: StoredDtc(uds_dtc(c, 0), ACTIVE | WARNING_LAMP, snap) for c in stored}
        for c in pending:
            out.setdefault(c, StoredDtc(uds_dtc(c, 0), PENDING | FAILED_THIS_CYCLE | FAILED))
        return list(out.values())

    def clear(self) -> None:
        self._ecu.clear()


@dataclass
class Behaviour:
    """What the bad-input faults switch on for one module."""

    busy_forever: bool = False  # answers every request with 0x78 and never finishes
    broken_isotp: bool = False  # multi-frame replies skip a consecutive frame
    odd_dids: bool = False  # identification DIDs in a format no standard gives
    blocked: bool = False  # a gateway refuses diagnostics to this module (0x33)


class SimulatedModule:
    def __init__(self, short: str, name: str, dids: dict[int, bytes], memory: DtcMemory, *, behind_gateway: bool = False) -> None:
        self.short = short
        self.name = name
        self.dids = dids
        self.memory = memory
        self.behind_gateway = behind_gateway
        self.behaviour = Behaviour()
        self.session = 0x01
        self.requests = 0

    def handle(self, request: bytes) -> bytes | None:
        """The reply payload (positive or 0x7F), or None for silence (suppressed positive response)."""
        self.requests += 1
        if not request:
            return None
        sid, args = request[0], request[1:]
        if self.behaviour.busy_forever:
            return bytes((0x7F, sid, PENDING_NRC))
        if sid == 0x3E:
            return None if args[:1] and args[0] & 0x80 else b"\x7e\x00"
        if sid == 0x10:
            return self._session(args)
        if self.behaviour.blocked:
            return bytes((0x7F, sid, SECURITY_DENIED))
        handler = {0x22: self._read_dids, 0x19: self._read_dtc_information, 0x14: self._clear}.get(sid)
        if handler is None:
            return bytes((0x7F, sid, SERVICE_NOT_SUPPORTED))
        return handler(args)

    def _session(self, args: bytes) -> bytes | None:
        if len(args) != 1:
            return bytes((0x7F, 0x10, WRONG_LENGTH))
        kind = args[0] & 0x7F
        if kind not in (0x01, 0x03):
            return bytes((0x7F, 0x10, SUB_FUNCTION_NOT_SUPPORTED))
        self.session = kind
        if args[0] & 0x80:
            return None
        return bytes((0x50, kind, 0x00, 0x32, 0x01, 0xF4))  # P2 50 ms, P2* 5000 ms

    def _read_dids(self, args: bytes) -> bytes:
        if not args or len(args) % 2:
            return bytes((0x7F, 0x22, WRONG_LENGTH))
        out = bytearray(b"\x62")
        for i in range(0, len(args), 2):
            did = int.from_bytes(args[i : i + 2], "big")
            data = self._did(did)
            if data is None:
                return bytes((0x7F, 0x22, OUT_OF_RANGE))
            out += did.to_bytes(2, "big") + data
        return bytes(out)

    def _did(self, did: int) -> bytes | None:
        if self.behaviour.odd_dids and did in (0xF18C, 0xF197):
            return b"\x00\xff\x13\x37\x80"  # binary where text is expected
        return self.dids.get(did)

    def _selected(self, mask: int) -> list[StoredDtc]:
        return [d for d in self.memory.codes() if d.status & mask]

    def _find(self, number: int) -> StoredDtc | None:
        return next((d for d in self.memory.codes() if d.number == number), None)

    def _read_dtc_information(self, args: bytes) -> bytes:
        if not args:
            return bytes((0x7F, 0x19, WRONG_LENGTH))
        sub = args[0]
        if sub in (0x01, 0x02) and len(args) == 2:
            codes = self._selected(args[1])
            if sub == 0x01:
                return bytes((0x59, 0x01, AVAILABILITY_MASK, ISO14229_FORMAT)) + len(codes).to_bytes(2, "big")
            return bytes((0x59, 0x02, AVAILABILITY_MASK)) + b"".join(d.number.to_bytes(3, "big") + bytes((d.status,)) for d in codes)
        if sub in (0x04, 0x06) and len(args) == 5:
            number, record = int.from_bytes(args[1:4], "big"), args[4]
            dtc = self._find(number)
            if dtc is None:
                return bytes((0x7F, 0x19, OUT_OF_RANGE))
            head = bytes((0x59, sub)) + args[1:4] + bytes((dtc.status,))
            if sub == 0x04:
                if not dtc.snapshot or record not in (0x01, 0xFF):
                    return head
                body = b"".join(did.to_bytes(2, "big") + data for did, data in dtc.snapshot.items())
                return head + bytes((0x01, len(dtc.snapshot))) + body
            records = {0x01: dtc.occurrences, 0x02: dtc.aging}
            if record == 0xFF:
                return head + b"".join(bytes((r, v)) for r, v in records.items())
            if record not in records:
                return bytes((0x7F, 0x19, OUT_OF_RANGE))
            return head + bytes((record, records[record]))
        return bytes((0x7F, 0x19, SUB_FUNCTION_NOT_SUPPORTED))

    def _clear(self, args: bytes) -> bytes:
        if len(args) != 3:
            return bytes((0x7F, 0x14, WRONG_LENGTH))
        if int.from_bytes(args, "big") != 0xFFFFFF:
            return bytes((0x7F, 0x14, OUT_OF_RANGE))  # groups other than "all" are not modelled
        self.memory.clear()
        return b"\x54"
