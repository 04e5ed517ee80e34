"""UDS through an ELM327/STN adapter that takes raw headers: ``ATSH <request id>``, ``ATCRA <response id>``.

The adapter does ISO-TP itself (with CAN auto-formatting on it sends the flow control, by default
to the response id - 8: the common +8 pairs; other pairs would need ``ATFCSH``), so each request is
one hex line and the reply comes back as CAN frames with headers, reassembled by ``drivers.elm327``.
Tester present is not kept alive here: the adapter's serial line carries one command at a time, and
one module's reads take well under the 5 s S3 timer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet

from carvrooom_desktop.domain.roles import Permission, Role
from drivers.elm327.client import Elm327Client
from drivers.errors import AdapterTimeout, NegativeResponse, ProtocolError
from drivers.uds.addressing import ModuleAddress, known_modules
from drivers.uds.codes import UdsDtc
from drivers.uds.errors import ModuleBusy, ModuleRefused, TransportError
from drivers.uds.module_scan import CarScan, ModuleReport, Progress, check_clear, read_module
from drivers.uds.negative import RESPONSE_PENDING

FUNCTIONAL = 0x7DF


class UdsElm327(Elm327Client):
    """An ELM327 client that can also address one module (raw headers)."""

    def address_module(self, address: ModuleAddress) -> None:
        width = 8 if address.extended else 3
        self._expect_ok(f"ATSH{address.request_id:0{width}X}")
        self._expect_ok(f"ATCRA{address.response_id:0{width}X}")

    def address_functional(self) -> None:
        """Back to OBD-II: functional requests to 7DF, every reply accepted."""
        self._expect_ok(f"ATSH{FUNCTIONAL:03X}")
        self._expect_ok("ATAR")


class ElmUdsClient:
    """One module's UDS services through the adapter (the ``module_scan.ModuleClient`` surface)."""

    def __init__(self, elm: UdsElm327, address: ModuleAddress) -> None:
        self.elm = elm
        self.address = address
        self.requests = 0

    def _ask(self, payload: bytes) -> bytes:
        """The positive reply without its service byte; refusals, 'pending' and RX errors as driver exceptions."""
        self.requests += 1
        try:
            replies = self.elm.request(payload)
        except NegativeResponse as e:
            if e.code == RESPONSE_PENDING:
                raise ModuleBusy(f"kept answering 'response pending' until the adapter's timer ran out (service 0x{payload[0]:02X})") from e
            raise ModuleRefused(e.service, e.code) from e
        except ProtocolError as e:
            if "RX ERROR" in str(e).upper():
                raise TransportError(f"ISO-TP transfer broke: {e}") from e
            raise
        reply = replies.get(self.address.response_id)
        if reply is None:
            reply = next(iter(replies.values()))
        return reply

    def change_session(self, session: int) -> None:
        self._ask(bytes((0x10, session)))

    def start_tester_present(self) -> None:
        """Not kept alive over an ELM327 (one command at a time on the line; see the module's docstring)."""

    def stop_tester_present(self) -> None:
        """Nothing to stop."""

    def read_did(self, did: int) -> bytes:
        reply = self._ask(b"\x22" + did.to_bytes(2, "big"))
        if reply[:2] != did.to_bytes(2, "big"):
            raise ProtocolError(f"DID {did:04X} answered with {reply[:2].hex().upper() or 'nothing'}")
        return reply[2:]

    def read_dtcs(self, status_mask: int = 0xFF) -> tuple[list[UdsDtc], int]:
        reply = self._ask(bytes((0x19, 0x02, status_mask)))
        if reply[:1] != b"\x02" or len(reply) < 2 or (len(reply) - 2) % 4:
            raise ProtocolError(f"0x19 02 answered with {reply.hex(' ')}")
        records = reply[2:]
        dtcs = [UdsDtc(int.from_bytes(records[i : i + 3], "big"), records[i + 3]) for i in range(0, len(records), 4)]
        return [d for d in dtcs if d.number], reply[1]

    def _dtc_record(self, sub: int, dtc: int, record: int) -> bytes:
        reply = self._ask(bytes((0x19, sub)) + dtc.to_bytes(3, "big") + bytes((record,)))
        if reply[:1] != bytes((sub,)) or reply[1:4] != dtc.to_bytes(3, "big"):
            raise ProtocolError(f"0x19 {sub:02X} for {dtc:06X} answered with {reply[:4].hex(' ')}")
        return reply[5:]

    def snapshot(self, dtc: int, record: int = 0xFF) -> bytes:
        return self._dtc_record(0x04, dtc, record)

    def extended_data(self, dtc: int, record: int) -> bytes:
        data = self._dtc_record(0x06, dtc, record)
        if data[:1] != bytes((record,)):
            raise ProtocolError(f"extended data record {record:02X} answered with {data[:1].hex() or 'nothing'}")
        return data[1:]

    def clear_dtcs(self, group: int = 0xFFFFFF) -> None:
        self._ask(b"\x14" + group.to_bytes(3, "big"))


def _probe(elm: UdsElm327, address: ModuleAddress) -> bool:
    elm.address_module(address)
    try:
        elm.request(b"\x3e\x00")
    except NegativeResponse:
        return True  # a refusal ('busy' included) is an answer: someone is there
    except (AdapterTimeout, ProtocolError):
        return False  # NO DATA (or CAN ERROR: CarNotResponding is an AdapterTimeout): nobody at this address
    return True


def scan_car_elm(elm: UdsElm327, addresses: Sequence[ModuleAddress] | None = None, *, progress: Progress | None = None,
                 cancelled: Callable[[], bool] | None = None) -> CarScan:
    """Every module of the address table (one ``ATSH`` + tester present each), then each one read; back to OBD-II after."""
    started = time.monotonic()
    probe_list = list(addresses) if addresses is not None else [m.address for m in known_modules() if m.address.extended == elm.extended]
    try:
        found = [a for a in probe_list if _probe(elm, a)]
        discovery_s = time.monotonic() - started
        reports: list[ModuleReport] = []
        for i, address in enumerate(found):
            if cancelled is not None and cancelled():
                break
            elm.address_module(address)
            reports.append(read_module(ElmUdsClient(elm, address), address))
            if progress is not None:
                progress(i + 1, len(found))
    finally:
        elm.address_functional()
    return CarScan(tuple(reports), time.monotonic() - started, discovery_s, len(probe_list))


def clear_module_elm(elm: UdsElm327, address: ModuleAddress, permissions: Role | AbstractSet[Permission], *,
                     confirmed: bool) -> ModuleReport:
    """0x14 for one module through the adapter; returns the module read again."""
    check_clear(permissions, confirmed=confirmed)
    try:
        elm.address_module(address)
        client = ElmUdsClient(elm, address)
        try:
            client.change_session(0x03)
        except (NegativeResponse, ProtocolError):
            pass
        client.clear_dtcs()
        return read_module(client, address)
    finally:
        elm.address_functional()
