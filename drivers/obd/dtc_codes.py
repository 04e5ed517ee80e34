"""Trouble codes on the wire (two bytes each) and their generic descriptions and systems."""

from __future__ import annotations

import json
from functools import cache

from carvrooom_desktop.domain import Dtc, DtcKind, DtcSystem
from drivers.errors import ProtocolError
from resources import resource_path

_LETTERS = "PCBU"


def decode_dtc(a: int, b: int) -> str:
    """``0x01 0x71`` -> ``P0171`` (SAE J2012: 2 bits letter, 2 bits digit, then 3 nibbles)."""
    return f"{_LETTERS[a >> 6]}{(a >> 4) & 0x3}{a & 0xF:X}{b >> 4:X}{b & 0xF:X}"


def encode_dtc(code: str) -> bytes:
    code = code.strip().upper()
    if len(code) != 5 or code[0] not in _LETTERS or code[1] not in "0123":
        raise ValueError(f"not a trouble code: {code!r}")
    value = (_LETTERS.index(code[0]) << 14) | (int(code[1]) << 12) | int(code[2:], 16)
    return value.to_bytes(2, "big")


def parse_dtc_payload(payload: bytes) -> list[str]:
    """Codes from a mode 03/07/0A reply with the service byte removed.

    ISO 15765 ECUs send a count byte first (``43 02 01 71 04 20``); some emulators
    and K-line ECUs do not (``43 01 71 04 20``). A count byte makes the length odd,
    codes alone make it even, so the length tells the two forms apart.
    """
    if len(payload) % 2:
        count, body = payload[0], payload[1:]
        if count * 2 != len(body):
            raise ProtocolError(f"DTC count byte says {count} but {len(body) // 2} codes follow: {payload.hex(' ')}")
    else:
        body = payload
    codes = []
    for i in range(0, len(body), 2):
        if body[i] == 0 and body[i + 1] == 0:
            continue  # padding, "no code"
        codes.append(decode_dtc(body[i], body[i + 1]))
    return codes


def encode_dtc_payload(codes: list[str], *, with_count: bool = True) -> bytes:
    body = b"".join(encode_dtc(c) for c in codes)
    return (bytes((len(codes),)) if with_count else b"") + body


@cache
def _descriptions() -> dict[str, str]:
    with resource_path("dtc", "generic_dtcs.json").open(encoding="utf-8") as f:
        codes: dict[str, str] = json.load(f)["codes"]
        return codes


def system_of(code: str) -> DtcSystem:
    """The system a code belongs to, from SAE J2012's ranges."""
    letter = code[:1]
    if letter == "C":
        return DtcSystem.CHASSIS
    if letter == "B":
        return DtcSystem.BODY
    if letter == "U":
        return DtcSystem.NETWORK
    if letter != "P" or len(code) != 5:
        return DtcSystem.UNKNOWN
    number = int(code[2:], 16) if all(ch in "0123456789ABCDEF" for ch in code[2:]) else -1
    if code[1] == "0" and number >= 0:
        if 0x115 <= number <= 0x119 or 0x125 <= number <= 0x128 or number == 0x217 or 0x480 <= number <= 0x485:
            return DtcSystem.COOLING
        if 0x560 <= number <= 0x566 or 0x620 <= number <= 0x625:
            return DtcSystem.CHARGING
    return {
        "0": DtcSystem.FUEL_AIR,
        "1": DtcSystem.FUEL_AIR,
        "2": DtcSystem.FUEL_AIR,
        "3": DtcSystem.IGNITION,
        "4": DtcSystem.EMISSIONS,
        "5": DtcSystem.SPEED_IDLE,
        "6": DtcSystem.COMPUTER,
        "7": DtcSystem.TRANSMISSION,
        "8": DtcSystem.TRANSMISSION,
        "9": DtcSystem.TRANSMISSION,
        "A": DtcSystem.HYBRID,
        "B": DtcSystem.HYBRID,
        "C": DtcSystem.HYBRID,
    }.get(code[2], DtcSystem.UNKNOWN)


def describe(code: str, kind: DtcKind = DtcKind.STORED, ecu: str = "") -> Dtc:
    """A Dtc with its generic description; manufacturer codes say so instead of guessing."""
    description = _descriptions().get(code)
    if description is None:
        description = "Manufacturer-specific code" if code[1:2] in ("1", "3") else "No generic description"
    return Dtc(code=code, kind=kind, description=description, system=system_of(code), ecu=ecu)
