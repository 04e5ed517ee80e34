"""Our own ELM327 client: fast connect, several PIDs per request, response-count hint, adaptive timing.

python-OBD needs ~4 s to connect (fixed sleeps), polls one PID per request and
returns an empty response for every failure; here a failure is a typed error,
the connect takes a few round trips, and live data asks for six PIDs at once with
the number of CAN frames to wait for, so the adapter answers without its timeout.
CAN protocols (ISO 15765-4, 6-9) only: nearly every car since 2008.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

import serial

from drivers.errors import (
    AdapterNotFound,
    AdapterTimeout,
    ConnectionLost,
    DriverError,
    NegativeResponse,
    ProtocolError,
    UnsupportedProtocol,
)
from drivers.elm327.replies import expected_frames, parse_can_frames, raise_for_words, reassemble, reply_lines
from drivers.obd.client import ObdClient
from drivers.obd.pids import reply_size

log = logging.getLogger(__name__)

BAUDRATES = (38400, 9600, 115200, 57600, 230400, 500000)
CAN_PROTOCOLS = {"6": "ISO 15765-4 (CAN 11/500)", "7": "ISO 15765-4 (CAN 29/500)", "8": "ISO 15765-4 (CAN 11/250)", "9": "ISO 15765-4 (CAN 29/250)"}
SEARCH_TIMEOUT = 10.0  # "SEARCHING..." over every protocol can take several seconds on a real car
SETUP = ("ATE0", "ATL0", "ATS0", "ATH1", "ATCAF1", "ATAT2")  # echo/linefeeds/spaces off, headers on, aggressive adaptive timing


@dataclass(frozen=True)
class AdapterInfo:
    """What the self-test on connect found, shown to the technician."""

    port: str
    baudrate: int | None
    firmware: str
    description: str
    protocol: str
    voltage: float | None
    likely_clone: bool
    clone_reasons: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    pids_per_second: float | None = None
    notes: list[str] = field(default_factory=list)


class Elm327Client(ObdClient):
    def __init__(self, port: str, *, baudrate: int | None = None, timeout: float = 1.0) -> None:
        super().__init__()
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self.extended = False
        self.serial: serial.SerialBase | None = None
        self.info: AdapterInfo | None = None
        self.hint_accepted = True  # some clones and emulators refuse the response-count digit
        self._unfinished = False  # the last command timed out: drain before the next one

    # -- connection --------------------------------------------------------------------

    def open(self) -> AdapterInfo:
        """Find the baud rate, reset and configure the adapter, find the car's protocol."""
        self.serial = self._open_port()
        try:
            firmware = self._reset()
            for command in SETUP:
                self._expect_ok(command)
            self._choose_protocol()
            self._search()
            number = self._command("ATDPN").lstrip("A")
            if number not in CAN_PROTOCOLS:
                raise UnsupportedProtocol(f"the car speaks OBD protocol {number}, not ISO 15765-4 CAN")
            self.extended = number in ("7", "9")
            description = self._command("AT@1")
            reasons = self._clone_reasons(firmware, description)
            self.info = AdapterInfo(
                port=self.port, baudrate=self.baudrate, firmware=firmware, description=description if description != "?" else "",
                protocol=CAN_PROTOCOLS[number], voltage=self._voltage(), likely_clone=bool(reasons), clone_reasons=reasons,
                settings=("echo off", "headers on", "CAN auto-formatting", "adaptive timing 2", "6 PIDs per request", "response-count hint"),
            )
        except DriverError:
            self.close()
            raise
        except (serial.SerialException, OSError) as e:
            self.close()
            raise ConnectionLost(f"the adapter at {self.port} went away during set-up: {e}") from e
        log.info("ELM327 on %s: %s, %s", self.port, self.info.firmware, self.info.protocol)
        return self.info

    def _open_port(self) -> serial.SerialBase:
        from drivers.elm327.ports import open_failure  # "permission denied" names the dialout group

        candidates = (self.baudrate,) if self.baudrate or self.port.startswith("socket://") else BAUDRATES
        last_error: Exception | None = None
        for baud in candidates:
            try:
                port = serial.serial_for_url(self.port, baudrate=baud or 38400, timeout=self.timeout, write_timeout=self.timeout)
            except (serial.SerialException, OSError, ValueError) as e:
                raise open_failure(self.port, e) from e
            if self.port.startswith("socket://") or len(candidates) == 1 or self._answers(port):
                self.baudrate = baud
                return port
            port.close()
        raise AdapterNotFound(f"no ELM327 answers on {self.port} at {', '.join(map(str, candidates))} baud") from last_error

    @staticmethod
    def _drain(port: serial.SerialBase, quiet: float = 0.05) -> bytes:
        """Read until the adapter has been silent for ``quiet`` seconds (stale replies, a half-sent command)."""
        port.timeout, data = quiet, b""
        while chunk := port.read(4096):
            data += chunk
        return data

    def _answers(self, port: serial.SerialBase) -> bool:
        port.write(b"\r")
        self._drain(port)
        port.write(b"ATI\r")
        port.timeout = self.timeout
        return b"ELM" in port.read_until(b">")

    def _reset(self) -> str:
        # Whatever a previous session left unread (python-OBD never reads its ATZ reply) goes first.
        assert self.serial is not None, "open() sets the port first"
        self.serial.write(b"\r")
        self._drain(self.serial)
        # Warm start skips the LED test of ATZ (~1 s on real adapters); adapters without it get ATZ.
        text = self._raw("ATWS", timeout=3.0)
        if "ELM" not in text.upper():
            text = self._raw("ATZ", timeout=3.0)
        firmware = next((line for line in reply_lines(text) if "ELM" in line.upper()), "")
        if not firmware:
            raise AdapterNotFound(f"{self.port} answered ATZ with {text.strip()!r}: not an ELM327")
        return firmware

    def _choose_protocol(self) -> None:
        # "Try ISO 15765-4 CAN 11/500 first, search the others if it fails" (ATTP A6): nearly every
        # car since 2008 speaks it, and it skips the multi-second "SEARCHING..." of ATSP0.
        # Clones that do not know TP answer "?": they get the plain automatic search.
        if "OK" not in self._raw("ATTPA6").upper():  # not _command: reply_lines drops "OK" as noise
            self._expect_ok("ATSP0")

    def _search(self) -> None:
        text = self._raw("0100", timeout=SEARCH_TIMEOUT)
        lines = reply_lines(text)
        raise_for_words(lines)

    def _voltage(self) -> float | None:
        match = re.match(r"(\d+(\.\d+)?)V", self._command("ATRV"))
        return float(match.group(1)) if match else None

    @staticmethod
    def _clone_reasons(firmware: str, description: str) -> tuple[str, ...]:
        reasons = []
        if re.search(r"v1\.5|v2\.1", firmware, re.IGNORECASE):
            reasons.append(f"{firmware}: Elm Electronics never released this version; it is what clones report")
        if description in ("", "?"):
            reasons.append("no device description (AT@1)")
        return tuple(reasons)

    def reopen(self) -> AdapterInfo:
        """After the port vanished (cable pulled, Bluetooth dropped): the same port, from scratch."""
        self.close()
        supported = self._supported
        info = self.open()
        self._supported = supported  # same car: keep what we learned
        return info

    def close(self) -> None:
        if self.serial is not None:
            try:
                self.serial.close()
            except (serial.SerialException, OSError):
                pass
            self.serial = None

    def __enter__(self) -> Elm327Client:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- talking -----------------------------------------------------------------------

    def _raw(self, command: str, timeout: float | None = None) -> str:
        if self.serial is None:
            raise ConnectionLost("the adapter is not open")
        try:
            if self._unfinished:
                # The last answer came late or never: whatever it prints now must not answer this command.
                stale = self._drain(self.serial)
                if stale:
                    log.info("dropped a late reply before %s: %r", command, stale[:80])
                self._unfinished = False
            self.serial.timeout = timeout or self.timeout
            self.serial.write(command.encode("ascii") + b"\r")
            data = self.serial.read_until(b">")
        except (serial.SerialException, OSError) as e:
            raise ConnectionLost(f"the adapter at {self.port} went away: {e}") from e
        if not data.endswith(b">"):
            self._unfinished = True
            raise AdapterTimeout(f"the adapter did not finish answering {command!r} in {timeout or self.timeout:.1f} s")
        return data.decode("ascii", errors="replace")

    def _command(self, command: str) -> str:
        lines = reply_lines(self._raw(command))
        return lines[-1] if lines else ""

    def _expect_ok(self, command: str) -> None:
        text = self._raw(command)
        if "OK" not in text.upper():
            raise ProtocolError(f"the adapter answered {command} with {text.strip()!r}, not OK")

    def request(self, payload: bytes, *, all_ecus: bool = False) -> dict[int, bytes]:
        try:
            return self._request(payload, all_ecus)
        except ProtocolError:
            # Garbage, or the late answer to an earlier command read as this one's: drain before the
            # next command, so one stale reply cannot shift every answer after it by one.
            self._unfinished = True
            raise

    def _request(self, payload: bytes, all_ecus: bool) -> dict[int, bytes]:
        service = payload[0]
        hint = "" if all_ecus or not self.hint_accepted else self._count_hint(payload)
        text = self._raw(payload.hex().upper() + hint)
        lines = reply_lines(text)
        if hint and lines == ["?"]:
            log.info("adapter refuses the response-count hint; polling without it")
            self.hint_accepted = False
            return self._request(payload, all_ecus)
        data_lines = [line for line in lines if _is_frame(line)]
        if not data_lines:
            raise_for_words(lines)
            raise ProtocolError(f"unexpected reply to {payload.hex()}: {text.strip()!r}")
        replies: dict[int, bytes] = {}
        refused: NegativeResponse | None = None
        for ecu, message in reassemble(parse_can_frames(data_lines, extended=self.extended)).items():
            if message[:1] == b"\x7f" and len(message) >= 3 and message[1] == service:
                refused = NegativeResponse(service, message[2])
            elif message[:1] == bytes((service + 0x40,)):
                replies[ecu] = message[1:]
        self.last_reply_time = time.time()
        if replies:
            return replies
        if refused is not None:
            raise refused
        raise ProtocolError(f"no valid reply to {payload.hex()} in {text.strip()!r}")

    def _count_hint(self, payload: bytes) -> str:
        """For mode 01 the reply length is known from the PID table, so the adapter can stop waiting early."""
        if payload[0] != 0x01 or self._supported is None or not set(payload[1:]) <= self._supported | {0}:
            return ""
        if sum(1 for pids in self.supported_by_ecu.values() if pids & set(payload[1:])) > 1:
            return ""  # several ECUs will answer: a count would cut the second one off
        try:
            length = 1 + sum(1 + reply_size(pid) for pid in payload[1:])
        except ProtocolError:
            return ""
        frames = expected_frames(length)
        return f"{frames:X}" if frames <= 0xF else ""

    def measure_pids_per_second(self, pids: list[int], seconds: float = 0.5) -> float:
        """The self-test figure: how many PID values per second this adapter and car deliver."""
        done, started = 0, time.monotonic()
        while time.monotonic() - started < seconds:
            done += len(self.read_pids(pids))
        return done / (time.monotonic() - started)


def _is_frame(line: str) -> bool:
    return bool(re.fullmatch(r"[0-9A-Fa-f ]+", line)) and len(line.replace(" ", "")) > 3
