"""Negative response codes (ISO 14229-1 table A.1) in the technician's words."""

from __future__ import annotations

RESPONSE_PENDING = 0x78
SECURITY_ACCESS_DENIED = 0x33
CONDITIONS_NOT_CORRECT = 0x22

NRC_WORDS: dict[int, str] = {
    0x10: "general reject",
    0x11: "service not supported",
    0x12: "sub-function not supported",
    0x13: "wrong message length or format",
    0x14: "response too long",
    0x21: "busy, repeat request",
    0x22: "conditions not correct (e.g. engine running, speed not zero)",
    0x24: "request sequence error",
    0x25: "no response from sub-net component",
    0x26: "failure prevents execution of requested action",
    0x31: "request out of range (identifier not supported)",
    0x33: "security access denied",
    0x35: "invalid key",
    0x36: "exceeded number of attempts",
    0x37: "required time delay not expired",
    0x70: "upload/download not accepted",
    0x72: "general programming failure",
    0x78: "response pending (module busy)",
    0x7E: "sub-function not supported in active session",
    0x7F: "service not supported in active session",
    0x81: "engine speed too high",
    0x82: "engine speed too low",
    0x83: "engine is running",
    0x84: "engine is not running",
    0x88: "vehicle speed too high",
    0x92: "voltage too high",
    0x93: "voltage too low",
}


def nrc_words(code: int) -> str:
    return NRC_WORDS.get(code, f"negative response 0x{code:02X}")
