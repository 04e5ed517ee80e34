"""One module over UDS: udsoncan for the services and their timing, can-isotp for the transport.

Every failure leaves as a driver exception (``drivers.uds.errors``): a refusal with its reason in
words, 'busy forever' (0x78 past the request time limit) as :class:`ModuleBusy`, a broken ISO-TP
transfer as :class:`TransportError`, silence as ``AdapterTimeout``. The bus is read by a
``can.Notifier`` the caller owns (one for a whole car scan), so the CAN trace sees every frame.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import can
import isotp
import udsoncan
from udsoncan import exceptions as uds_errors
from udsoncan.client import Client
from udsoncan.connections import PythonIsoTpConnection
from udsoncan.Request import Request
from udsoncan.services.ReadDTCInformation import ReadDTCInformation

from drivers.errors import AdapterTimeout, ConnectionLost, DriverError, ProtocolError
from drivers.uds.addressing import ModuleAddress
from drivers.uds.codes import UdsDtc
from drivers.uds.errors import ModuleBusy, ModuleRefused, TransportError

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_SESSION, EXTENDED_SESSION = 0x01, 0x03
TESTER_PRESENT_PERIOD_S = 2.0  # S3 server timer is 5 s: refresh well inside it
ALL_GROUPS = 0xFFFFFF


@dataclass(frozen=True, slots=True)
class Timing:
    p2_s: float = 0.3  # first answer; ISO 14229-2 allows 50 ms, gateways and adapters add latency
    p2_star_s: float = 5.0  # after each 'response pending'
    request_s: float = 2.0  # no request, however many 0x78s, takes longer: a module busy forever ends here


class AsciiCodec(udsoncan.DidCodec):
    """Identification DIDs are ASCII by ISO 14229-1 C.1; the raw bytes pass through, ``describe_did`` judges them."""

    def encode(self, *did_value: Any) -> bytes:
        return bytes(did_value[0])

    def decode(self, did_payload: bytes) -> Any:
        return bytes(did_payload)

    def __len__(self) -> int:
        raise udsoncan.DidCodec.ReadAllRemainingData


class UdsClient:
    """Context manager over one module; ``close()`` is safe to call twice (it stops tester present too)."""

    def __init__(self, bus: can.BusABC, notifier: can.Notifier, address: ModuleAddress, *, timing: Timing = Timing()) -> None:
        self.address = address
        self.timing = timing
        self.requests = 0
        self.pending_seen = 0  # 0x78s during the current request
        self.transport_errors: list[str] = []
        mode = isotp.AddressingMode.Normal_29bits if address.extended else isotp.AddressingMode.Normal_11bits
        params = {"stmin": 0, "blocksize": 0, "tx_data_min_length": 8, "tx_padding": 0xAA, "rx_flowcontrol_timeout": 1000,
                  "rx_consecutive_frame_timeout": 1000, "wait_func": _no_wait}
        self._stack = isotp.NotifierBasedCanStack(bus, notifier, address=isotp.Address(mode, txid=address.request_id, rxid=address.response_id),
                                                  error_handler=self._on_transport_error, params=params,
                                                  read_timeout=0.005)  # its threads poll this often: stop() joins within it
        config = dict(udsoncan.configs.default_client_config)
        config.update({"request_timeout": timing.request_s, "p2_timeout": timing.p2_s, "p2_star_timeout": timing.p2_star_s,
                       "use_server_timing": False, "data_identifiers": {"default": AsciiCodec()},
                       "nrc78_callback": self._on_pending, "exception_on_unexpected_response": True})
        # udsoncan logs every timeout and refusal at ERROR; here they are module states the caller reports.
        logging.getLogger(f"UdsClient[{address.label}]").setLevel(logging.CRITICAL)
        config["logger_name"] = address.label
        self._connection = PythonIsoTpConnection(self._stack, name=address.label)
        self._client = Client(self._connection, config=config)  # type: ignore[arg-type]  # a plain dict is the ClientConfig TypedDict
        self._lock = threading.Lock()  # the keep-alive thread and the caller share one request channel
        self._keeper: _TesterPresent | None = None
        self._opened = False

    # -- life cycle --------------------------------------------------------------------

    def open(self) -> UdsClient:
        if not self._opened:
            self._client.open()
            self._opened = True
        return self

    def close(self) -> None:
        self.stop_tester_present()
        if self._opened:
            self._opened = False
            self._client.close()

    def __enter__(self) -> UdsClient:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- services ----------------------------------------------------------------------

    def change_session(self, session: int) -> None:
        """0x10: 0x01 default, 0x03 extended diagnostic session."""
        self._call(lambda c: c.change_session(session))

    def tester_present(self) -> None:
        """0x3E with the positive response suppressed: keeps a non-default session open."""
        def send(c: Client) -> None:
            with c.suppress_positive_response:
                c.tester_present()
        self._call(send)

    def start_tester_present(self, period_s: float = TESTER_PRESENT_PERIOD_S) -> None:
        if self._keeper is None:
            self._keeper = _TesterPresent(self, period_s)

    def stop_tester_present(self) -> None:
        if self._keeper is not None:
            self._keeper.stop()
            self._keeper = None

    def read_did(self, did: int) -> bytes:
        """0x22 for one DID: its raw data (one DID per request, so one bad DID never hides the others)."""
        def read(c: Client) -> bytes:
            response = c.read_data_by_identifier([did])
            assert response is not None
            value = response.service_data.values[did]
            return bytes(value)
        return self._call(read)

    def read_dtcs(self, status_mask: int = 0xFF) -> tuple[list[UdsDtc], int]:
        """0x19 02: (codes whose status matches, the module's status availability mask)."""
        def read(c: Client) -> tuple[list[UdsDtc], int]:
            response = c.get_dtc_by_status_mask(status_mask)
            assert response is not None
            data = response.service_data
            return [UdsDtc(d.id, d.status.get_byte_as_int()) for d in data.dtcs], int(data.status_availability.get_byte_as_int())
        return self._call(read)

    def count_dtcs(self, status_mask: int = 0xFF) -> int:
        """0x19 01."""
        def read(c: Client) -> int:
            response = c.get_number_of_dtc_by_status_mask(status_mask)
            assert response is not None
            return int(response.service_data.dtc_count)
        return self._call(read)

    def snapshot(self, dtc: int, record: int = 0xFF) -> bytes:
        """0x19 04: the raw record bytes after DTC and status. Parsed by ``snapshots.parse_snapshot``
        from a data table, not by udsoncan, so one unknown DID keeps the rest (and its bytes) readable."""
        return self._raw(bytes((0x19, 0x04)) + dtc.to_bytes(3, "big") + bytes((record,)), 0x04, dtc)

    def extended_data(self, dtc: int, record: int) -> bytes:
        """0x19 06 for one record: its bytes (one record per request, so no record size table is needed)."""
        data = self._raw(bytes((0x19, 0x06)) + dtc.to_bytes(3, "big") + bytes((record,)), 0x06, dtc)
        if data[:1] != bytes((record,)):
            raise ProtocolError(f"extended data record {record:02X} answered with {data[:1].hex() or 'nothing'}")
        return data[1:]

    def clear_dtcs(self, group: int = ALL_GROUPS) -> None:
        """0x14."""
        self._call(lambda c: c.clear_dtc(group))

    # -- plumbing ----------------------------------------------------------------------

    def _raw(self, payload: bytes, sub: int, dtc: int) -> bytes:
        def send(c: Client) -> bytes:
            response = c.send_request(Request(service=ReadDTCInformation, subfunction=sub, data=payload[2:]))
            assert response is not None and response.data is not None
            data = bytes(response.data)
            if data[:1] != bytes((sub,)) or data[1:4] != dtc.to_bytes(3, "big"):
                raise ProtocolError(f"0x19 {sub:02X} for {dtc:06X} answered with {data[:4].hex(' ')}")
            return data[5:]
        return self._call(send)

    def _call(self, action: Callable[[Client], T]) -> T:
        with self._lock:
            self.requests += 1
            self.pending_seen = 0
            errors_before = len(self.transport_errors)
            try:
                return action(self._client)
            except uds_errors.NegativeResponseException as e:
                service = e.response.service
                raise ModuleRefused(service.request_id() if service else 0, int(e.response.code or 0)) from e
            except uds_errors.TimeoutException as e:
                if len(self.transport_errors) > errors_before:
                    raise TransportError(f"ISO-TP transfer broke: {self.transport_errors[-1]}") from e
                if self.pending_seen:
                    raise ModuleBusy(f"kept answering 'response pending' ({self.pending_seen} times) for {self.timing.request_s:g} s") from e
                raise AdapterTimeout(f"no answer within {self.timing.p2_s * 1000:.0f} ms") from e
            except (uds_errors.InvalidResponseException, uds_errors.UnexpectedResponseException) as e:
                raise ProtocolError(f"reply does not parse: {e}") from e
            except uds_errors.ConfigError as e:
                raise ProtocolError(f"reply in a format we cannot read: {e}") from e
            except can.CanError as e:
                raise ConnectionLost(f"CAN bus failed: {e}") from e

    def _on_pending(self) -> None:
        self.pending_seen += 1

    def _on_transport_error(self, error: Exception) -> None:
        self.transport_errors.append(str(error) or type(error).__name__)
        log.debug("%s: ISO-TP error %s", self.address.label, error)


def _no_wait(_seconds: float) -> None:
    """can-isotp's wait between frames: stmin 0 needs none (its default sleeps a scheduler tick)."""


class _TesterPresent:
    """0x3E every ``period_s`` on its own thread until stopped (join on stop: never left running)."""

    def __init__(self, client: UdsClient, period_s: float) -> None:
        self._client = client
        self._period = period_s
        self._stop = threading.Event()
        self.sent = 0
        self.error: DriverError | None = None
        self._thread = threading.Thread(target=self._run, name=f"tester-present-{client.address.label}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            try:
                self._client.tester_present()
                self.sent += 1
            except DriverError as e:
                self.error = e  # the next real request reports it; the keeper goes on trying
                log.debug("tester present to %s failed: %s", self._client.address.label, e)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


@contextmanager
def car_link(bus: can.BusABC) -> Iterator[can.Notifier]:
    """A Notifier on ``bus`` for the length of a scan (stopped afterwards: no reader thread left)."""
    notifier = can.Notifier(bus, [], timeout=0.05)
    try:
        yield notifier
    finally:
        notifier.stop()
