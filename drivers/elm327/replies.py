"""Reading what an ELM327 prints: error words, CAN frames with headers, and reassembly.

Pure functions over text, fuzzed by the tests: anything that is not a valid reply
raises one of the driver exceptions, never anything else.
"""

from __future__ import annotations

import re

from drivers.errors import AdapterTimeout, CarNotResponding, ProtocolError
from drivers.obd import isotp

PROMPT = ">"
_NOISE = ("SEARCHING...", "BUS INIT: ...OK", "BUS INIT: OK", "OK")
_HEX_LINE = re.compile(r"^[0-9A-F]+$")

# Words an ELM327 prints instead of data, and what they mean for the technician.
_NO_ANSWER = ("NO DATA",)
_LINK_DOWN = ("UNABLE TO CONNECT", "CAN ERROR", "BUS ERROR", "BUS BUSY", "FB ERROR", "DATA ERROR", "LV RESET", "ERR")
_GARBLED = ("?", "STOPPED", "BUFFER FULL", "RX ERROR", "<RX ERROR", "ACT ALERT")


def reply_lines(text: str) -> list[str]:
    """Meaningful lines of one reply: prompt, echo-less noise and blank lines removed, spaces dropped."""
    lines = []
    for raw in re.split(r"[\r\n]+", text.replace(PROMPT, "")):
        line = raw.strip()
        if not line or line.upper() in _NOISE:
            continue
        lines.append(line)
    return lines


def raise_for_words(lines: list[str]) -> None:
    """Turn the ELM327's error words into typed errors (a reply that is only words)."""
    for line in (raw.upper() for raw in lines):
        if line in _NO_ANSWER:
            raise AdapterTimeout("the car did not answer (NO DATA): ignition off, or the request is not supported")
        if line.startswith("BUS INIT") and "ERROR" in line or any(line.startswith(w) for w in _LINK_DOWN):
            raise CarNotResponding(f"the adapter cannot reach the car ({line}): check the ignition and the OBD plug")
        if line in _GARBLED or line.startswith("?"):
            raise ProtocolError(f"the adapter reported {line!r}")


def parse_can_frames(lines: list[str], *, extended: bool) -> list[tuple[int, bytes]]:
    """``7E8 06 41 00 BE 3F A8 13`` lines (headers on) -> (CAN id, data) pairs, in order."""
    id_digits = 8 if extended else 3
    frames = []
    for line in lines:
        compact = line.replace(" ", "").upper()
        if not _HEX_LINE.match(compact) or len(compact) <= id_digits or (len(compact) - id_digits) % 2:
            raise ProtocolError(f"not a CAN frame line from the adapter: {line!r}")
        frames.append((int(compact[:id_digits], 16), bytes.fromhex(compact[id_digits:])))
    return frames


def reassemble(frames: list[tuple[int, bytes]]) -> dict[int, bytes]:
    """ISO-TP messages per responding id; the adapter already sent the flow control."""
    receivers: dict[int, isotp.IsoTpReceiver] = {}
    messages: dict[int, bytes] = {}
    for can_id, data in frames:
        message = receivers.setdefault(can_id, isotp.IsoTpReceiver()).feed(data)
        if message is not None:
            messages[can_id] = message
    incomplete = [f"{i:X}" for i, r in receivers.items() if r.started]
    if incomplete and not messages:
        raise ProtocolError(f"multi-frame reply from {', '.join(incomplete)} was cut short")
    return messages


def expected_frames(reply_length: int) -> int:
    """CAN frames an ISO-TP reply of ``reply_length`` bytes takes (for the response-count hint)."""
    return 1 if reply_length <= 7 else 1 + -(-(reply_length - 6) // 7)
