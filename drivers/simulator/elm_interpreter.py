"""An ELM327 v1.5 command interpreter in front of the simulated ECU (text in, text out).

It answers the AT commands python-OBD and common apps send and formats OBD replies as
a real ELM327 on ISO 15765-4 (CAN 11/500) does: with headers off, single frames as
payload bytes and multi-frame replies as "014 / 0: .. / 1: .."; with headers on, one
line per CAN frame with its id, PCI byte and padding. Pure: the pty and TCP servers
in ``elm_face`` move the bytes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from drivers.obd import isotp

FIRMWARE = "ELM327 v1.5"
DESCRIPTION = "CarVrooom simulated car"
PROTOCOL_NAME = "ISO 15765-4 (CAN 11/500)"
PROTOCOL_NUMBER = "6"
RESPONSE_ID = 0x7E8
_HEX = re.compile(r"^[0-9A-F]+$")
_OK_COMMANDS = ("E", "L", "S", "H", "AT", "ST", "SP", "TP", "CAF", "CFC", "D", "WS", "M", "AL", "NL", "R", "SH", "CRA", "AR",
                "FC", "BI", "IB", "KW", "MA", "PC", "SW", "V", "JE", "JS", "CSM", "D0", "D1")


class ElmInterpreter:
    """One adapter's state: echo, linefeeds, spaces, headers, protocol."""

    def __init__(self, answer: Callable[[bytes], bytes | None], voltage: Callable[[], float], *, ecu_delay: float = 0.0,
                 physical: Callable[[int, bytes], tuple[int, list[bytes] | str] | None] | None = None) -> None:
        self.answer = answer  # OBD payload -> reply payload (the simulated ECU), None = silent
        # After ATSH <id>: (request id, payload) -> (response id, reply messages, or an ELM error word); None = silent.
        self.physical = physical
        self.voltage = voltage
        self.ecu_delay = ecu_delay
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.echo, self.linefeeds, self.spaces, self.headers = True, False, True, False
        self.protocol_found = False  # "SEARCHING..." once after a reset in automatic mode
        self.last = ""
        self.header: int | None = None  # ATSH: requests go to this id (None: the OBD functional 7DF)

    @property
    def eol(self) -> str:
        return "\r\n" if self.linefeeds else "\r"

    def handle(self, raw: str) -> str:
        """Everything the adapter sends back for one command line, prompt included."""
        with self.lock:
            command = raw.strip().upper().replace(" ", "")
            if not command:
                command = self.last  # a bare CR repeats the last command, as on a real ELM327
            self.last = command
            echo = raw.strip() + self.eol if self.echo else ""
            if command.startswith("AT"):
                body = self._at(command[2:])
            else:
                body = self._obd(command)
            return echo + body + self.eol + self.eol + ">"

    # -- AT commands ------------------------------------------------------------------

    def _at(self, cmd: str) -> str:
        if cmd in ("Z", "WS"):
            self.reset()
            return self.eol + FIRMWARE
        if cmd == "I":
            return FIRMWARE
        if cmd == "@1":
            return DESCRIPTION
        if cmd == "RV":
            return f"{self.voltage():.1f}V"
        if cmd == "DP":
            return ("AUTO, " if not self.protocol_found else "") + PROTOCOL_NAME
        if cmd == "DPN":
            return ("A" if not self.protocol_found else "") + PROTOCOL_NUMBER
        if cmd.startswith("SH") and len(cmd) > 2 and _HEX.match(cmd[2:]):
            header = int(cmd[2:], 16)
            self.header = None if header == 0x7DF else header
            return "OK"
        if cmd == "PPS":
            return "?"  # programmable parameters: clones typically do not implement them
        for flag in ("E", "L", "S", "H"):
            if cmd in (f"{flag}0", f"{flag}1"):
                value = cmd.endswith("1")
                attr = {"E": "echo", "L": "linefeeds", "S": "spaces", "H": "headers"}[flag]
                setattr(self, attr, value)
                return "OK"
        if any(cmd.startswith(prefix) for prefix in _OK_COMMANDS):
            return "OK"
        return "?"

    # -- OBD requests ------------------------------------------------------------------

    def _obd(self, cmd: str) -> str:
        if not _HEX.match(cmd) or len(cmd) < 2:
            return "?"
        if len(cmd) % 2:
            cmd = cmd[:-1]  # trailing digit: the response-count hint; one ECU here, so it changes nothing
        searching = ""
        if not self.protocol_found:
            self.protocol_found = True
            searching = "SEARCHING..." + self.eol
        if self.ecu_delay:
            time.sleep(self.ecu_delay)
        if self.header is not None and self.physical is not None and (text := self._physical(self.header, bytes.fromhex(cmd))):
            return searching + text  # a module answered a physical UDS request; OBD-II services fall through to the ECU
        reply = self.answer(bytes.fromhex(cmd))
        if reply is None:
            return searching + "NO DATA"
        return searching + self.eol.join(self._format(reply))

    def _physical(self, header: int, payload: bytes) -> str:
        """The module's reply lines; "NO DATA" when no module listens there; "" for an OBD-II service."""
        assert self.physical is not None
        if payload[:1] and payload[0] < 0x10:
            return ""
        outcome = self.physical(header, payload)
        if outcome is None:
            return "NO DATA"
        response_id, replies = outcome
        if isinstance(replies, str):
            return replies  # "CAN ERROR", "<RX ERROR": the adapter's own words
        return self.eol.join(line for reply in replies for line in self._format(reply, response_id))

    def _hex(self, data: bytes) -> str:
        return (" " if self.spaces else "").join(f"{b:02X}" for b in data)

    def _format(self, payload: bytes, response_id: int = RESPONSE_ID) -> list[str]:
        frames = isotp.segment(payload)
        if self.headers:
            sep = " " if self.spaces else ""
            width = 8 if response_id > 0x7FF else 3
            return [f"{response_id:0{width}X}{sep}{self._hex(frame)}" for frame in frames]
        if len(frames) == 1:
            return [self._hex(payload)]
        lines = [f"{len(payload):03X}", f"0:{' ' if self.spaces else ''}{self._hex(payload[:6])}"]
        for i, start in enumerate(range(6, len(payload), 7), start=1):
            lines.append(f"{i % 16:X}:{' ' if self.spaces else ''}{self._hex(payload[start:start + 7])}")
        return lines
