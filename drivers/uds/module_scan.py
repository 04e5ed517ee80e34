"""A whole car, module by module: identify each, read its codes with status, snapshot and extended data.

One module's trouble is that module's state (no answer, busy forever, transport error, blocked
by the gateway, refused): it never stops the scan, and what was read before it stays.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import can

from carvrooom_desktop.domain.roles import Permission, Role, allowed
from carvrooom_desktop.errors import NotConfirmed, PermissionDenied
from drivers.errors import AdapterTimeout, DriverError, NegativeResponse, ProtocolError
from drivers.uds.addressing import ModuleAddress, candidates, name_of
from drivers.uds.client import DEFAULT_SESSION, EXTENDED_SESSION, Timing, UdsClient, car_link
from drivers.uds.codes import UdsDtc, status_names, status_words
from drivers.uds.discovery import discover_modules
from drivers.uds.errors import ModuleBusy, TransportError
from drivers.uds.negative import SECURITY_ACCESS_DENIED
from drivers.uds.snapshots import SnapshotValue, parse_snapshot

# DID -> (key, label) read from every module, ISO 14229-1 C.1
IDENTIFICATION: tuple[tuple[int, str, str], ...] = (
    (0xF190, "vin", "VIN"),
    (0xF187, "part_number", "Spare part number"),
    (0xF188, "software_number", "ECU software number"),
    (0xF189, "software_version", "ECU software version"),
    (0xF18C, "serial_number", "ECU serial number"),
    (0xF197, "ecu_name", "System name"),
)
EXTENDED_RECORDS = {0x01: "occurrence counter", 0x02: "aging counter"}  # common record numbers (OEM-defined in the standard)


class ModuleState(enum.StrEnum):
    READ = "read"
    PARTIAL = "partly read"
    NO_ANSWER = "no answer"
    BUSY = "busy: response pending without end"
    TRANSPORT = "transport error (ISO-TP)"
    BLOCKED = "blocked by the gateway"
    REFUSED = "refused diagnostics"


@dataclass(frozen=True, slots=True)
class NotReadItem:
    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class ModuleDtc:
    dtc: UdsDtc
    snapshot: tuple[SnapshotValue, ...] = ()
    extended: tuple[tuple[str, str], ...] = ()  # (record name, value)

    def to_dict(self) -> dict[str, Any]:
        d = self.dtc
        return {"code": d.code, "dtc": d.display, "number": f"{d.number:06X}", "failure_type": f"{d.failure_type:02X}",
                "failure_text": d.failure_text, "description": d.description, "system": d.system,
                "status": f"{d.status:02X}", "status_bits": status_names(d.status), "status_words": status_words(d.status),
                "snapshot": [s.to_dict() for s in self.snapshot], "extended": dict(self.extended)}


@dataclass(frozen=True, slots=True)
class ModuleReport:
    address: ModuleAddress
    short: str
    name: str
    state: ModuleState
    detail: str = ""  # the state in words: which request, what came back
    identification: tuple[tuple[str, str, str], ...] = ()  # (key, label, value)
    dtcs: tuple[ModuleDtc, ...] = ()
    not_read: tuple[NotReadItem, ...] = ()
    requests: int = 0
    elapsed_s: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.short or '?'} {self.address.label}"

    def ident(self, key: str) -> str:
        return next((value for k, _label, value in self.identification if k == key), "")

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address.to_dict(), "short": self.short, "name": self.name, "state": self.state.value,
                "state_key": self.state.name.lower(), "detail": self.detail,
                "identification": {key: value for key, _label, value in self.identification},
                "dtcs": [d.to_dict() for d in self.dtcs], "not_read": [{"item": n.item, "reason": n.reason} for n in self.not_read],
                "requests": self.requests, "elapsed_s": round(self.elapsed_s, 3)}


@dataclass(frozen=True, slots=True)
class CarScan:
    modules: tuple[ModuleReport, ...]
    elapsed_s: float
    discovery_s: float = 0.0
    probed: int = 0

    @property
    def vin(self) -> str:
        return next((v for m in self.modules if (v := m.ident("vin"))), "")

    @property
    def code_count(self) -> int:
        return sum(len(m.dtcs) for m in self.modules)

    def to_dict(self) -> dict[str, Any]:
        return {"vin": self.vin, "modules": [m.to_dict() for m in self.modules], "code_count": self.code_count,
                "elapsed_s": round(self.elapsed_s, 3), "discovery_s": round(self.discovery_s, 3), "probed": self.probed}


Progress = Callable[[int, int], None]


@dataclass
class _ModuleRead:
    """One module's reads: a failure that says the module is unusable ends them; others become NotReadItems."""

    client: ModuleClient
    not_read: list[NotReadItem] = field(default_factory=list)
    state: ModuleState | None = None  # set when the module cannot be read on
    detail: str = ""
    transport: str = ""

    def read(self, item: str, action: Callable[[], Any]) -> Any:
        if self.state is not None:
            return None
        try:
            return action()
        except ModuleBusy as e:
            self.state, self.detail = ModuleState.BUSY, f"{item}: {e}"
        except TransportError as e:
            self.transport = self.transport or f"{item}: {e}"  # the first one says where it began
            self.not_read.append(NotReadItem(item, str(e)))
        except NegativeResponse as e:
            if e.code == SECURITY_ACCESS_DENIED:
                self.state, self.detail = ModuleState.BLOCKED, f"{item}: {e} — a security gateway may need tester authorisation"
            else:
                self.not_read.append(NotReadItem(item, str(e)))
        except AdapterTimeout as e:
            self.not_read.append(NotReadItem(item, str(e)))
        except ProtocolError as e:
            self.not_read.append(NotReadItem(item, str(e)))
        return None


def describe_did(raw: bytes) -> tuple[str, bool]:
    """(text, understood): ASCII identification as text; anything else as hex, flagged."""
    text = raw.rstrip(b"\x00 ").decode("ascii", errors="replace")
    if raw and all(0x20 <= b < 0x7F for b in raw.rstrip(b"\x00 ")):
        return text.strip(), True
    return raw.hex(" ").upper(), False


class ModuleClient(Protocol):
    """What a module scan needs of a UDS client: ``UdsClient`` (python-can) or ``ElmUdsClient`` (ELM327)."""

    requests: int

    def change_session(self, session: int) -> None: ...

    def start_tester_present(self) -> None: ...

    def stop_tester_present(self) -> None: ...

    def read_did(self, did: int) -> bytes: ...

    def read_dtcs(self, status_mask: int = 0xFF) -> tuple[list[UdsDtc], int]: ...

    def snapshot(self, dtc: int, record: int = 0xFF) -> bytes: ...

    def extended_data(self, dtc: int, record: int) -> bytes: ...

    def clear_dtcs(self, group: int = 0xFFFFFF) -> None: ...


def scan_module(bus: can.BusABC, notifier: can.Notifier, address: ModuleAddress, *, timing: Timing = Timing(),
                status_mask: int = 0xFF) -> ModuleReport:
    """Session, identification DIDs, codes by status mask, and for each code its snapshot and extended data."""
    with UdsClient(bus, notifier, address, timing=timing) as client:
        return read_module(client, address, status_mask=status_mask)


def read_module(client: ModuleClient, address: ModuleAddress, *, status_mask: int = 0xFF) -> ModuleReport:
    """One module through any client (the scan's reads; the client stays open for the caller to close)."""
    started = time.monotonic()
    short, name = name_of(address)
    run = _ModuleRead(client)
    try:
        client.change_session(EXTENDED_SESSION)
        client.start_tester_present()
    except ModuleBusy as e:
        run.state, run.detail = ModuleState.BUSY, f"session control: {e}"
    except AdapterTimeout as e:
        return ModuleReport(address, short, name, ModuleState.NO_ANSWER, f"session control: {e}", requests=client.requests,
                            elapsed_s=time.monotonic() - started)
    except (NegativeResponse, ProtocolError) as e:
        run.not_read.append(NotReadItem("extended session (0x10 03)", f"{e}; read in the default session"))
    identification: list[tuple[str, str, str]] = []
    for did, key, label in IDENTIFICATION:
        raw = run.read(f"{label} (DID {did:04X})", partial(client.read_did, did))
        if raw is None:
            continue
        text, understood = describe_did(raw)
        identification.append((key, label, text))
        if not understood:
            run.not_read.append(NotReadItem(f"{label} (DID {did:04X})", f"unknown format, shown as raw bytes: {text}"))
    found = run.read("trouble codes (0x19 02)", lambda: client.read_dtcs(status_mask))
    dtcs: list[ModuleDtc] = []
    for dtc in (found[0] if found else []):
        raw_snapshot = run.read(f"snapshot of {dtc.display} (0x19 04)", partial(client.snapshot, dtc.number))
        extended: list[tuple[str, str]] = []
        for record, record_name in EXTENDED_RECORDS.items():
            data = run.read(f"{record_name} of {dtc.display} (0x19 06 {record:02X})", partial(client.extended_data, dtc.number, record))
            if data is not None:
                extended.append((record_name, str(int.from_bytes(data, "big")) if len(data) <= 4 else data.hex(" ").upper()))
        dtcs.append(ModuleDtc(dtc, tuple(parse_snapshot(raw_snapshot)) if raw_snapshot else (), tuple(extended)))
    if run.state is None:
        try:
            client.stop_tester_present()
            client.change_session(DEFAULT_SESSION)
        except DriverError:
            pass  # the session times out by itself (S3); nothing was lost
    state = run.state or (ModuleState.TRANSPORT if run.transport else ModuleState.PARTIAL if run.not_read else ModuleState.READ)
    detail = run.detail or run.transport or ("; ".join(f"{n.item}: {n.reason}" for n in run.not_read[:2]) if run.not_read else "")
    if not short:
        short, name = _name_from_dids(identification, address)
    return ModuleReport(address, short, name, state, detail, tuple(identification), tuple(dtcs), tuple(run.not_read),
                        requests=client.requests, elapsed_s=time.monotonic() - started)


def _name_from_dids(identification: Sequence[tuple[str, str, str]], address: ModuleAddress) -> tuple[str, str]:
    name = next((v for k, _l, v in identification if k == "ecu_name"), "")
    return (name.split()[0][:6].upper() if name else f"M{address.label[:3]}", name or f"Module at {address.label}")


def scan_car(bus: can.BusABC, addresses: Sequence[ModuleAddress] | None = None, *, discover: bool = True, timing: Timing = Timing(),
             progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> CarScan:
    """Discover (unless ``addresses`` are given with ``discover=False``) and read every module, one after another."""
    started = time.monotonic()
    with car_link(bus) as notifier:
        probed = list(addresses) if addresses is not None else candidates()
        found = discover_modules(bus, notifier, probed) if discover else probed
        discovery_s = time.monotonic() - started
        reports: list[ModuleReport] = []
        for i, address in enumerate(found):
            if cancelled is not None and cancelled():
                break
            reports.append(scan_module(bus, notifier, address, timing=timing))  # ConnectionLost ends the scan: the adapter is gone
            if progress is not None:
                progress(i + 1, len(found))
    return CarScan(tuple(reports), time.monotonic() - started, discovery_s if discover else 0.0, len(probed) if discover else 0)


def clear_module(bus: can.BusABC, address: ModuleAddress, permissions: Role | AbstractSet[Permission], *, confirmed: bool,
                 timing: Timing = Timing()) -> ModuleReport:
    """0x14 all groups for one module, only confirmed and by whoever holds the clear-codes permission
    (a role, or a signed-in actor's ``permissions``); returns the module read again."""
    check_clear(permissions, confirmed=confirmed)
    with car_link(bus) as notifier:
        with UdsClient(bus, notifier, address, timing=timing) as client:
            try:
                client.change_session(EXTENDED_SESSION)
            except (NegativeResponse, ProtocolError):
                pass  # clear in the default session, where ISO 14229 allows it too
            client.clear_dtcs()
        return scan_module(bus, notifier, address, timing=timing)


def check_clear(permissions: Role | AbstractSet[Permission], *, confirmed: bool) -> None:
    if not confirmed:
        raise NotConfirmed("clearing a module's codes needs confirmation: it erases their snapshots and counters")
    if isinstance(permissions, Role):
        if not allowed(permissions, Permission.CLEAR_CODES):
            raise PermissionDenied(f"a {permissions.value} may not clear trouble codes")
    elif Permission.CLEAR_CODES not in permissions:
        raise PermissionDenied("this role may not clear trouble codes")


__all__ = ["CarScan", "ModuleDtc", "ModuleReport", "ModuleState", "NotReadItem", "check_clear",
           "clear_module", "scan_car", "scan_module"]
